import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { serviceTargetPortMismatch } from "./service-target-port-mismatch.js";

testAnalyzer(
  serviceTargetPortMismatch,
  {
    quiet: [
      {
        name: "named ports resolving per pod, declared and undeclared numbers, default targetPort, sidecar and mesh ports, UDP, completed pods",
        fixture: "quiet-ports-resolve.yaml",
      },
    ],
    fires: [
      {
        name: "named targetPort defined by no pod (name typo; name right but protocol TCP vs UDP)",
        fixture: "fires-named-port-not-found.yaml",
        expect: [
          {
            messageId: "namedPortNotFound",
            subject: "Service/shop/api",
            severity: "error",
            evidenceValues: ["http", ["web(8080)/TCP"]],
            affects: ["Pod/shop/api-5f7d-1"],
          },
          { messageId: "namedPortNotFound", subject: "Service/shop/dns", evidenceValues: ["dns", ["dns(53)/TCP"]], affects: ["Pod/shop/resolver-0"] },
        ],
      },
      {
        name: "named targetPort renamed in the new pods only",
        fixture: "fires-named-port-some-pods.yaml",
        expect: [
          {
            messageId: "namedPortMissingOnSomePods",
            subject: "Service/web/front",
            severity: "warning",
            evidenceValues: ["http", ["web(8080)/TCP"], "http(8080)/TCP"],
            affects: ["Pod/web/front-new"],
          },
        ],
      },
      {
        name: "numeric targetPort not declared while another port is",
        fixture: "fires-number-not-declared.yaml",
        expect: [
          {
            messageId: "numberNotDeclared",
            subject: "Service/monitoring/grafana",
            severity: "warning",
            evidenceValues: [8080, ["http-grafana(3000)/TCP"]],
            affects: ["Pod/monitoring/grafana-0"],
          },
        ],
      },
    ],
  },
  import.meta.url,
);
