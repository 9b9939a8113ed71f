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
        // Well-typed pull Secrets judged by content (kubelet keyring rules), and a Deployment whose new
        // revision dropped the imagePullSecrets its running revision had.
        name: "pull secrets without an entry for the registry, one that does not parse, a wildcard match, a revision that dropped its pull secrets",
        fixture: "fires-pull-secret-contents.yaml",
        now: NOW,
        expect: [
          // hub-only has an entry for index.docker.io only; the image is on ghcr.io.
          { messageId: "pullSecretNoRegistryEntry", subject: "Pod/shop/cart-0" },
          // registry.example.com (no port) does not match registry.example.com:5000 (urlsMatch compares ports).
          { messageId: "pullSecretNoRegistryEntry", subject: "Pod/shop/ports-0" },
          // "canary-not-base64!!" is not base64: the kubelet's keyring build fails.
          { messageId: "pullSecretUnparsable", subject: "Pod/shop/search-0" },
          // *.example.com covers eu.example.com: credentials were sent and rejected.
          { messageId: "unauthorized", subject: "Pod/shop/eu-0" },
          // Revision 2 has no imagePullSecrets; revision 1 had ghcr-pull and its 2 pods run.
          { messageId: "unauthorizedNoPullSecret", subject: "Deployment/shop/checkout", evidenceValues: [null], affects: ["Pod/shop/checkout-85b9c7d6f4-z9w8v"] },
          // StatefulSet revision 2 switched to a ServiceAccount without pull secrets; ledger-0 (revision 1) runs.
          { messageId: "unauthorizedNoPullSecret", subject: "StatefulSet/shop/ledger", evidenceValues: ["ledger"], affects: ["Pod/shop/ledger-1"] },
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
          { messageId: "platformMismatch", subject: "Pod/edge/arm-tool-1", evidenceValues: ["docker.io/acme/tool:1.0"] },
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

it("pod-image-pull-failing: a revision that dropped its pull secrets is named as the change, with a rollback to the revision that pulled", () => {
  const findings = runAnalyzer(podImagePullFailing, fixture("fires-pull-secret-contents.yaml"), Date.parse(NOW));
  const checkout = findings.find((f) => f.subject.name === "checkout")!;
  // From the fixture: ReplicaSet checkout-85b9c7d6f4 (revision 2) has no imagePullSecrets, checkout-6f7d8c9b5 (revision 1) has ghcr-pull.
  assert.ok(checkout.rootCause.includes("checkout-85b9c7d6f4 (revision 2) dropped imagePullSecrets [ghcr-pull]"), checkout.rootCause);
  assert.ok(checkout.rootCause.includes("checkout-6f7d8c9b5 (revision 1)"));
  assert.ok(checkout.evidence.some((e) => e.ref?.name === "checkout-85b9c7d6f4" && e.path === "spec.template.spec.imagePullSecrets"));
  assert.equal(checkout.remediation[0]!.command, "kubectl rollout undo deployment/checkout -n shop --to-revision=1");
  // StatefulSet: ControllerRevision ledger-7d4f9c8b6 (revision 2) vs ledger-6b7c8d9f5 (revision 1), from the fixture.
  const ledger = findings.find((f) => f.subject.name === "ledger")!;
  assert.ok(ledger.rootCause.includes("ControllerRevision ledger-7d4f9c8b6 (revision 2) changed serviceAccountName ledger-puller -> ledger"), ledger.rootCause);
  assert.ok(ledger.evidence.some((e) => e.ref?.name === "ledger-7d4f9c8b6" && e.path === "data.spec.template.spec.serviceAccountName"));
  assert.equal(ledger.remediation[0]!.command, "kubectl rollout undo statefulset/ledger -n shop --to-revision=1");
  // A registry problem is not blamed on the template: no change sentence for other findings.
  for (const f of findings.filter((x) => x !== checkout && x !== ledger)) assert.ok(!f.rootCause.includes("What changed"));
});

it("pod-image-pull-failing: the registries a pull Secret covers are evidence; no planted credential reaches a finding", () => {
  const findings = runAnalyzer(podImagePullFailing, fixture("fires-pull-secret-contents.yaml"), Date.parse(NOW));
  const cart = findings.find((f) => f.subject.name === "cart-0")!;
  assert.ok(cart.evidence.some((e) => e.path === "registryAuth.entries" && JSON.stringify(e.value).includes('"registry":"index.docker.io"')));
  const text = JSON.stringify(findings);
  // The fixture's credentials, plain and base64 (see the Secrets in fires-pull-secret-contents.yaml).
  for (const canary of ["canary-hub-token", "canary-ports-token", "canary-wild-token", "canary-ghcr-token", "canary-not-base64"]) {
    for (const form of [canary, Buffer.from(canary).toString("base64")]) assert.ok(!text.includes(form), `${form} leaked`);
  }
  assert.ok(!text.includes(Buffer.from("hub-bot:canary-hub-token").toString("base64")));
});
