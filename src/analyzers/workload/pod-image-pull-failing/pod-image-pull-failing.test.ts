import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { podImagePullFailing } from "./pod-image-pull-failing.js";

const NOW = "2024-05-14T10:00:00Z";

testAnalyzer(
  podImagePullFailing,
  {
    quiet: [
      {
        // Recovered after an old failed pull, pulling right now, a Completed Job pod, a terminating pod.
        name: "pulled, pulling, completed and terminating pods",
        fixture: "quiet-pulled-and-pulling.yaml",
        now: NOW,
      },
    ],
    fires: [
      {
        // Two replicas (one with events, one with only the ErrImagePull status) are one finding on the Deployment.
        name: "missing tag (containerd and dockerd wording), invalid reference, pull policy Never",
        fixture: "fires-not-found-and-invalid.yaml",
        now: NOW,
        expect: [
          {
            messageId: "notFound",
            subject: "Deployment/shop/catalog",
            evidenceValues: [
              "registry.example.com/shop/catalog:2.4.0",
              "ImagePullBackOff",
              'Failed to pull image "registry.example.com/shop/catalog:2.4.0": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/shop/catalog:2.4.0": failed to resolve reference "registry.example.com/shop/catalog:2.4.0": registry.example.com/shop/catalog:2.4.0: not found',
            ],
            affects: ["Pod/shop/catalog-7b9f6d5c8d-4kq8n", "Pod/shop/catalog-7b9f6d5c8d-9vz2m"],
          },
          { messageId: "notFound", subject: "Job/ops/migrate", evidenceValues: ["ErrImagePull", "registry.example.com/ops/migrate:v9"] },
          { messageId: "invalidReference", subject: "Pod/shop/debug-tool", evidenceValues: ["InvalidImageName", "Busybox:1.36"] },
          { messageId: "neverPull", subject: "Deployment/sandbox/local-dev", evidenceValues: ["ErrImageNeverPull", "myapp:dev"] },
        ],
      },
      {
        // Denied pulls name the credential problem: a pull Secret that does not exist, one of the wrong
        // type, none at all (the ServiceAccount got one after the pod was created), or valid-looking ones.
        name: "registry denies access: missing, mistyped, absent and rejected pull secrets",
        fixture: "fires-access-denied.yaml",
        now: NOW,
        expect: [
          {
            messageId: "pullSecretMissing",
            subject: "Pod/payments/api-5f6d7c8b9-q2w3e",
            evidenceValues: ["regcred", "Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed."],
          },
          { messageId: "pullSecretWrongType", subject: "Pod/payments/worker-7c8d9e0f1-a1s2d", evidenceValues: ["Opaque", ["token"]] },
          { messageId: "unauthorizedNoPullSecret", subject: "Pod/payments/ledger-0", evidenceValues: ["ledger", [{ name: "quay-creds" }]] },
          { messageId: "unauthorized", subject: "Pod/payments/gateway-1", evidenceValues: ["kubernetes.io/dockerconfigjson", [{ name: "gateway-pull" }]] },
        ],
      },
      {
        name: "DNS failure, TLS failure, rate limit, i/o timeout in an init container, an unknown error",
        fixture: "fires-registry-trouble.yaml",
        now: NOW,
        expect: [
          { messageId: "registryUnreachable", subject: "Pod/edge/proxy-1" },
          { messageId: "tlsError", subject: "Pod/edge/metrics-1" },
          { messageId: "rateLimited", subject: "DaemonSet/edge/node-exporter", evidenceValues: ["prom/node-exporter:v1.8.0"] },
          { messageId: "registryUnreachable", subject: "Pod/edge/loader-1", evidenceValues: ["registry.internal.example/edge/fetch:1.0.0"] },
          { messageId: "unclassified", subject: "Pod/edge/legacy-1", evidenceValues: ["ErrImagePull"] },
        ],
      },
    ],
  },
  import.meta.url,
);

const fixture = (name: string) => loadFixture(new URL(`./fixtures/${name}`, import.meta.url));

it("pod-image-pull-failing: the registry and the raw runtime message reach the finding; unclassified says so", () => {
  const findings = runAnalyzer(podImagePullFailing, fixture("fires-registry-trouble.yaml"), Date.parse(NOW));
  const rate = findings.find((f) => f.code.endsWith("/rateLimited"))!;
  assert.match(rate.summary, /registry docker\.io /);
  const legacy = findings.find((f) => f.code.endsWith("/unclassified"))!;
  assert.match(legacy.summary, /cannot classify/);
  assert.ok(legacy.rootCause.includes("no space left on device"), "the raw message is shown");
  assert.ok(legacy.evidence.some((e) => typeof e.value === "string" && e.value.includes("no space left on device")));
});

it("pod-image-pull-failing: without Secrets in the snapshot, named pull secrets are not judged", () => {
  const base = fixture("fires-access-denied.yaml");
  const objects = new Map(base.objects);
  objects.delete("Secret");
  const coverage = { ...base.coverage, Secret: { count: 0, status: "forbidden" as const } };
  const findings = runAnalyzer(podImagePullFailing, { ...base, objects, coverage }, Date.parse(NOW));
  const api = findings.find((f) => f.subject.name === "api-5f6d7c8b9-q2w3e")!;
  assert.equal(api.code, "pod-image-pull-failing/unauthorized");
  assert.ok(api.investigation.some((s) => s.outcome === "unknown" && s.result.includes("not in the snapshot")));
});

it("pod-image-pull-failing: a missing pull secret gets an exact create command with a rollback", () => {
  const findings = runAnalyzer(podImagePullFailing, fixture("fires-access-denied.yaml"), Date.parse(NOW));
  const api = findings.find((f) => f.code.endsWith("/pullSecretMissing"))!;
  assert.equal(
    api.remediation[0]!.command,
    "kubectl create secret docker-registry regcred -n payments --docker-server=registry.example.com --docker-username=<user> --docker-password=<token>",
  );
  assert.equal(api.remediation[0]!.rollback, "kubectl delete secret regcred -n payments");
});

it("pod-image-pull-failing: a pod created before its ServiceAccount got pull secrets is told to be recreated", () => {
  const findings = runAnalyzer(podImagePullFailing, fixture("fires-access-denied.yaml"), Date.parse(NOW));
  const ledger = findings.find((f) => f.code.endsWith("/unauthorizedNoPullSecret"))!;
  assert.equal(ledger.remediation.length, 1);
  assert.equal(ledger.remediation[0]!.command, "kubectl get pod ledger-0 -n payments -o yaml > ledger-0.yaml && kubectl replace --force -f ledger-0.yaml");
  assert.ok(ledger.remediation[0]!.description.includes("quay-creds"));
});
