import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { podConfigMissing } from "./pod-config-missing.js";

const NOW = "2024-05-14T10:00:00Z";

testAnalyzer(
  podConfigMissing,
  {
    quiet: [
      {
        // Resolving env keys and volume items (binaryData counts for volumes), optional references,
        // a stale kubelet error (the ConfigMap exists now), runAsNonRoot, a completed Job pod,
        // a namespace whose ConfigMaps were not collected.
        name: "references that resolve, optional ones, stale errors and unknowns",
        fixture: "quiet-config-present.yaml",
        now: NOW,
      },
      {
        // No ConfigMaps or Secrets in the snapshot at all: absent and not loaded look the same.
        name: "ConfigMaps and Secrets not loaded",
        fixture: "quiet-kinds-not-loaded.yaml",
        now: NOW,
      },
    ],
    fires: [
      {
        name: "kubelet errors: a missing Secret key (2 replicas), a ConfigMap typo, a Secret volume, a ConfigMap volume key",
        fixture: "fires-kubelet-errors.yaml",
        now: NOW,
        expect: [
          {
            messageId: "secretKeyMissing",
            subject: "Deployment/shop/checkout",
            severity: "error",
            evidenceValues: ["CreateContainerConfigError", "couldn't find key password in Secret shop/checkout-db", "password", ["username"]],
            affects: ["Pod/shop/checkout-5d6f7b8c9-2kx7p", "Pod/shop/checkout-5d6f7b8c9-9qz4w"],
          },
          { messageId: "configMapMissing", subject: "Pod/shop/cart-0", evidenceValues: ['configmap "cart-settings" not found', "cart-settings"] },
          {
            messageId: "secretMissing",
            subject: "Pod/shop/report-runner",
            evidenceValues: ['MountVolume.SetUp failed for volume "reports" : secret "report-credentials" not found'],
          },
          {
            messageId: "configMapKeyMissing",
            subject: "StatefulSet/shop/search",
            evidenceValues: ['MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: synonyms.txt', "synonyms.txt", ["stopwords.txt"]],
          },
        ],
      },
      {
        // Running pods whose references broke after they started: a warning, one finding per missing thing.
        name: "static check: a deleted Secret and a removed key under running pods",
        fixture: "fires-static-references.yaml",
        now: NOW,
        expect: [
          { messageId: "secretMissing", subject: "Deployment/billing/invoicer", severity: "warning", evidenceValues: ["invoicer-smtp", "Running"] },
          { messageId: "configMapKeyMissing", subject: "Deployment/billing/invoicer", severity: "warning", evidenceValues: ["CURRENCY", ["LOCALE"]] },
        ],
      },
    ],
  },
  import.meta.url,
);

const fixture = (name: string) => loadFixture(new URL(`./fixtures/${name}`, import.meta.url));

it("pod-config-missing: a near-miss name is offered as the likely typo", () => {
  const findings = runAnalyzer(podConfigMissing, fixture("fires-kubelet-errors.yaml"), Date.parse(NOW));
  const cart = findings.find((f) => f.subject.name === "cart-0")!;
  assert.match(cart.remediation[0]!.description, /probably means ConfigMap cart-setting:/);
  assert.equal(cart.remediation[0]!.command, "kubectl get pod/cart-0 -n shop -o yaml > cart-0.yaml && kubectl replace --force -f cart-0.yaml");
  assert.equal(cart.remediation[1]!.rollback, "kubectl delete configmap cart-settings -n shop");
});

it("pod-config-missing: a missing key gets a patch with a rollback that removes it again", () => {
  const findings = runAnalyzer(podConfigMissing, fixture("fires-kubelet-errors.yaml"), Date.parse(NOW));
  const checkout = findings.find((f) => f.subject.name === "checkout")!;
  assert.equal(checkout.remediation[0]!.command, `kubectl patch secret checkout-db -n shop --type merge -p '{"stringData":{"password":"<value>"}}'`);
  assert.equal(checkout.remediation[0]!.rollback, `kubectl patch secret checkout-db -n shop --type json -p '[{"op":"remove","path":"/data/password"}]'`);
  assert.equal(checkout.remediation[0]!.verify, "kubectl rollout status deployment/checkout -n shop --timeout=5m");
});

it("pod-config-missing: Secrets with partial coverage are not judged statically; kubelet errors still count", () => {
  const base = fixture("fires-static-references.yaml");
  const coverage = { ...base.coverage, Secret: { count: 1, status: "partial" as const, note: "one namespace forbidden" } };
  const findings = runAnalyzer(podConfigMissing, { ...base, coverage }, Date.parse(NOW));
  assert.deepEqual(findings.map((f) => f.code), ["pod-config-missing/configMapKeyMissing"]);

  const kubelet = fixture("fires-kubelet-errors.yaml");
  const objects = new Map(kubelet.objects);
  objects.delete("Secret");
  objects.delete("ConfigMap");
  const withoutConfig = runAnalyzer(podConfigMissing, { ...kubelet, objects, coverage: {} }, Date.parse(NOW));
  assert.deepEqual(
    withoutConfig.map((f) => `${f.code} ${f.subject.name}`).sort(),
    [
      "pod-config-missing/configMapKeyMissing search",
      "pod-config-missing/configMapMissing cart-0",
      "pod-config-missing/secretKeyMissing checkout",
      "pod-config-missing/secretMissing report-runner",
    ],
  );
});
