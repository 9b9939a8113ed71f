import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { ingressControllerNotRunning } from "./ingress-controller-not-running.js";

const now = "2024-05-01T10:00:00Z";

testAnalyzer(
  ingressControllerNotRunning,
  {
    quiet: [{ name: "controllers serving their classes, a new Ingress, an unmappable controller, an info log line", fixture: "quiet-controllers-serving.yaml", now }],
    fires: [
      {
        name: "no pod runs the ingress-nginx controller",
        fixture: "fires-no-controller-pod.yaml",
        now,
        expect: [{ messageId: "controllerNotRunning", subject: "IngressClass/nginx", severity: "error", evidenceValues: ["k8s.io/ingress-nginx", 0], affects: ["Ingress/shop/web"] }],
      },
      {
        name: "the only Traefik pod crash-loops; the Ingress uses the default class",
        fixture: "fires-controller-crash-looping.yaml",
        now,
        expect: [{ messageId: "controllerNotRunning", subject: "IngressClass/traefik", evidenceValues: ["traefik.io/ingress-controller", "Running"], affects: ["Ingress/web/docs", "Pod/traefik/traefik-5d8f-abcde"] }],
      },
      {
        name: "controller runs: an Ingress without an address after 30 minutes, another named in warning log lines",
        fixture: "fires-not-processed-and-log-errors.yaml",
        now,
        expect: [
          { messageId: "notProcessed", subject: "Ingress/shop/admin", severity: "warning", evidenceValues: ["2024-05-01T09:30:00Z"] },
          {
            messageId: "controllerLogErrors",
            subject: "Ingress/shop/api",
            severity: "warning",
            // shop/api-v2 is another object: only the line naming shop/api itself counts
            evidenceValues: ['W0501 09:58:01.000000       7 controller.go:1160] Error obtaining Endpoints for Service "shop/api": no object matching key "shop/api" in local store'],
          },
        ],
      },
    ],
  },
  import.meta.url,
);

// A scan narrowed with -n holds the pods of one namespace only: a controller elsewhere cannot be seen,
// so its absence proves nothing (Snapshot.namespace, set by the source when -n is given).
it("ingress-controller-not-running: no finding when the scan was narrowed to the Ingress's namespace and no controller pod was seen", () => {
  const snapshot = loadFixture(new URL("./fixtures/fires-no-controller-pod.yaml", import.meta.url));
  assert.equal(runAnalyzer(ingressControllerNotRunning, snapshot, Date.parse(now)).length, 1);
  assert.deepEqual(runAnalyzer(ingressControllerNotRunning, { ...snapshot, namespace: "shop" }, Date.parse(now)), []);
});
