import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { serviceCidrErrors, staticPodManifestInvalid } from "./static-pod-manifest-invalid.js";

testAnalyzer(
  staticPodManifestInvalid,
  {
    quiet: [{ name: "kubeadm stacked etcd, dual-stack ranges, PodSecurityPolicy on 1.24; external etcd; no manifests", fixture: "quiet-kubeadm-manifests.yaml" }],
    fires: [
      {
        name: "etcd-servers port 2379 vs etcd listening on 22379, a missing certificate, an unparseable file",
        fixture: "fires-etcd-mismatch.yaml",
        expect: [
          { messageId: "etcdUrlMismatch", subject: "Node/cp-1", severity: "error", evidenceValues: ["https://127.0.0.1:2379", "https://127.0.0.1:22379,https://10.0.0.10:22379"] },
          { messageId: "missingFile", subject: "Node/cp-1", evidenceValues: [false] },
          { messageId: "unparseable", subject: "Node/cp-1", severity: "warning" },
        ],
      },
      {
        name: "service range too large and disagreeing, removed and conflicting admission plugins, http etcd",
        fixture: "fires-flags-invalid.yaml",
        expect: [
          { messageId: "serviceCidrInvalid", subject: "Node/cp-2", evidenceValues: ["10.0.0.0/8", "10.96.0.0/12"] },
          { messageId: "admissionPluginsInvalid", subject: "Node/cp-2", evidenceValues: ["NodeRestriction,PodSecurityPolicy,AlwaysPullImages"] },
          { messageId: "etcdUrlMismatch", subject: "Node/cp-2", evidenceValues: ["http://127.0.0.1:2379"] },
        ],
      },
    ],
  },
  import.meta.url,
);

// kube-apiserver's validateClusterIPFlags: at most two ranges of different families, at most 20 host bits each.
describe("serviceCidrErrors", () => {
  it("accepts kubeadm's default and dual-stack ranges at the size limits", () => {
    assert.deepEqual(serviceCidrErrors("10.96.0.0/12"), []); // 32-12 = 20 host bits: the limit
    assert.deepEqual(serviceCidrErrors("10.96.0.0/12,fd00::/108"), []); // 128-108 = 20
  });
  it("refuses what kube-apiserver refuses", () => {
    assert.equal(serviceCidrErrors("10.0.0.0/11").length, 1); // 21 host bits
    assert.equal(serviceCidrErrors("fd00::/64").length, 1);
    assert.equal(serviceCidrErrors("10.96.0.0/12,10.100.0.0/16").length, 1); // same family
    assert.equal(serviceCidrErrors("10.96.0.0/12,fd00::/108,10.1.0.0/16").length, 1); // three ranges: the count alone is the error
    assert.equal(serviceCidrErrors("10.96.0.0").length, 1);
    assert.equal(serviceCidrErrors("10.96.0.0/33").length, 1);
  });
});
