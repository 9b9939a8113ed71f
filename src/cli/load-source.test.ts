import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { componentEndpoints, parseRequestTimeout } from "./load-source.js";
import { UsageError } from "./errors.js";

describe("parseRequestTimeout (--request-timeout, kubectl's syntax)", () => {
  it("reads Go durations", () => {
    assert.equal(parseRequestTimeout("5s"), 5000);
    assert.equal(parseRequestTimeout("1m"), 60_000);
    assert.equal(parseRequestTimeout("1m30s"), 90_000);
    assert.equal(parseRequestTimeout("1.5s"), 1500);
    assert.equal(parseRequestTimeout("500ms"), 500);
    assert.equal(parseRequestTimeout("1h"), 3_600_000);
  });
  it("reads a bare integer as seconds, as kubectl does", () => {
    assert.equal(parseRequestTimeout("7"), 7000);
  });
  it("is undefined when not given (the live source's default applies)", () => {
    assert.equal(parseRequestTimeout(undefined), undefined);
  });
  it("refuses what is not a duration, and 0 (kubesleuth always bounds requests)", () => {
    for (const bad of ["", "5 seconds", "s", "-5s", "5x", "1m-3s", "0", "0s", "100ns"]) {
      assert.throws(() => parseRequestTimeout(bad), UsageError, bad);
    }
  });
});

describe("componentEndpoints (--component-endpoint NAME=URL)", () => {
  it("splits at the first =, keeping any = in the URL", () => {
    assert.deepEqual(componentEndpoints(["kube-scheduler=https://10.0.0.10:10259", "kube-controller-manager=http://cp:10257/x?a=b"]), [
      { name: "kube-scheduler", url: "https://10.0.0.10:10259" },
      { name: "kube-controller-manager", url: "http://cp:10257/x?a=b" },
    ]);
  });
  it("refuses another name, a missing name and a URL that is not http(s)", () => {
    for (const bad of ["etcd=https://10.0.0.5:2379", "https://10.0.0.10:10259", "=https://x", "kube-scheduler=10.0.0.10:10259", "kube-scheduler="]) {
      assert.throws(() => componentEndpoints([bad]), UsageError, bad);
    }
  });
});
