import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { podNotReady } from "./pod-not-ready.js";

const NOW = "2024-05-14T10:00:00Z";

testAnalyzer(
  podNotReady,
  {
    quiet: [
      {
        // Ready, starting within the grace or the probe's own budget, crash-looping and pulling
        // (other analyzers), Ready=Unknown (node), completed, terminating.
        name: "ready, starting, and not-ready pods that belong to other analyzers",
        fixture: "quiet-ready-and-borderline.yaml",
        now: NOW,
      },
    ],
    fires: [
      {
        // Two of three replicas Not Ready for ~29m: one finding on the Deployment, a warning (one replica serves).
        name: "readiness probe answers 503; a bare pod without probe events",
        fixture: "fires-readiness-failing.yaml",
        now: NOW,
        expect: [
          {
            messageId: "readinessProbeFailing",
            subject: "Deployment/shop/checkout",
            severity: "warning",
            evidenceValues: ["False", false, "Readiness probe failed: HTTP probe failed with statuscode: 503", { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 10, failureThreshold: 3 }],
            affects: ["Pod/shop/checkout-6b7c8d9e0f-a1b2c", "Pod/shop/checkout-6b7c8d9e0f-d3e4f"],
          },
          { messageId: "notReadyWithoutProbeEvents", subject: "Pod/shop/legacy-api", severity: "error", evidenceValues: [{ tcpSocket: { port: 9000 }, periodSeconds: 5 }] },
        ],
      },
      {
        name: "a startup probe past its budget; a readiness gate never set",
        fixture: "fires-startup-and-gate.yaml",
        now: NOW,
        expect: [
          {
            messageId: "startupProbeFailing",
            subject: "StatefulSet/data/elastic",
            severity: "error",
            evidenceValues: ['Startup probe failed: Get "http://10.244.2.17:9200/_cluster/health": dial tcp 10.244.2.17:9200: connect: connection refused'],
          },
          { messageId: "readinessGateFalse", subject: "Deployment/web/storefront", evidenceValues: ["absent", [{ conditionType: "target-health.elbv2.k8s.aws/k8s-web-storefro-1a2b3c4d5e" }]] },
        ],
      },
    ],
  },
  import.meta.url,
);

const fixture = (name: string) => loadFixture(new URL(`./fixtures/${name}`, import.meta.url));

it("pod-not-ready: the summary gives the not-ready time and the investigation the probe and the Service it drops out of", () => {
  const findings = runAnalyzer(podNotReady, fixture("fires-readiness-failing.yaml"), Date.parse(NOW));
  const checkout = findings.find((f) => f.subject.name === "checkout")!;
  assert.match(checkout.summary, /not Ready for 29m/);
  assert.ok(checkout.investigation.some((s) => s.result === "HTTP GET :8080/ready (timeout 1s, period 10s, failureThreshold 3)"));
  assert.ok(checkout.investigation.some((s) => s.command === "kubectl get endpointslices -n shop -l kubernetes.io/service-name=checkout"));
  assert.ok(checkout.investigation.some((s) => s.result.includes("(1 of 3 Ready)")));
});

it("pod-not-ready: a slow starter gets a doubled startup failureThreshold with a rollback", () => {
  const findings = runAnalyzer(podNotReady, fixture("fires-startup-and-gate.yaml"), Date.parse(NOW));
  const elastic = findings.find((f) => f.subject.name === "elastic")!;
  assert.equal(
    elastic.remediation[0]!.command,
    `kubectl patch statefulset/elastic -n data --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/startupProbe/failureThreshold","value":60}]'`,
  );
  assert.equal(elastic.remediation[0]!.rollback, "kubectl rollout undo statefulset/elastic -n data");
});
