// Expected values from the published policy (kubernetes.io/releases/version-skew-policy): "kubelet must not be
// newer than kube-apiserver. kubelet may be up to three minor versions older than kube-apiserver (kubelet < 1.25
// may only be up to two minor versions older than kube-apiserver)". Its example: apiserver 1.35 supports kubelets
// 1.35, 1.34, 1.33 and 1.32.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { kubeletSkew, parseMinorVersion } from "./version-skew.js";

const v = (s: string) => parseMinorVersion(s)!;

describe("kubelet version skew", () => {
  it("parses gitVersions with vendor suffixes", () => {
    assert.deepEqual(parseMinorVersion("v1.29.4-eks-abcdef"), { major: 1, minor: 29 });
    assert.deepEqual(parseMinorVersion("1.30+"), { major: 1, minor: 30 });
    assert.equal(parseMinorVersion("kwok-v0.8.0"), undefined);
  });
  it("the policy's example: 1.35 apiserver supports 1.35 down to 1.32", () => {
    for (const k of ["v1.35.0", "v1.34.2", "v1.33.1", "v1.32.9"]) assert.deepEqual(kubeletSkew(v(k), v("v1.35.1")), { ok: true }, k);
    assert.deepEqual(kubeletSkew(v("v1.31.0"), v("v1.35.1")), { ok: false, problem: "too-old", minorsBehind: 4, maxBehind: 3 });
  });
  it("a kubelet newer than the apiserver is never supported", () => {
    assert.deepEqual(kubeletSkew(v("v1.36.0"), v("v1.35.1")), { ok: false, problem: "newer", minorsBehind: -1, maxBehind: 3 });
  });
  it("kubelets older than 1.25 may only be two minors behind", () => {
    assert.deepEqual(kubeletSkew(v("v1.24.3"), v("v1.26.0")), { ok: true });
    assert.deepEqual(kubeletSkew(v("v1.24.3"), v("v1.27.0")), { ok: false, problem: "too-old", minorsBehind: 3, maxBehind: 2 });
  });
});
