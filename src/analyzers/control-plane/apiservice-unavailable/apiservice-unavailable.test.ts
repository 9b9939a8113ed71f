import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { apiserviceUnavailable } from "./apiservice-unavailable.js";

testAnalyzer(
  apiserviceUnavailable,
  {
    quiet: [{ name: "all Available", fixture: "quiet-available.yaml" }],
    fires: [
      {
        name: "metrics-server without endpoints",
        fixture: "fires-metrics-server-down.yaml",
        expect: [
          {
            messageId: "unavailable",
            subject: "APIService/v1beta1.metrics.k8s.io",
            evidenceValues: ["False", "MissingEndpoints", 'endpoints for service/metrics-server in "kube-system" have no addresses with port name "https"'],
            affects: ["Service/kube-system/metrics-server"],
          },
        ],
      },
    ],
  },
  import.meta.url,
);
