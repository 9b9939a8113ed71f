// Cases from pkg/controller/tainteviction (taint_eviction.go processPodOnNode / getMinTolerationTime) semantics:
// expected values are written from the controller's rules, not from this code.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { noExecuteEviction } from "./taint-eviction.js";

const unreachable = { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: "2024-05-01T09:00:00Z" };
const notReady = { key: "node.kubernetes.io/not-ready", effect: "NoExecute", timeAdded: "2024-05-01T09:00:10Z" };
const noSchedule = { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" };
// DefaultTolerationSeconds admission adds these two to every pod that lacks them.
const defaults = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
];

describe("noExecuteEviction", () => {
  it("no NoExecute taint: nothing", () => assert.deepEqual(noExecuteEviction([noSchedule], []), { kind: "none" }));
  it("an untolerated NoExecute taint evicts at once", () => assert.equal(noExecuteEviction([unreachable], []).kind, "now"));
  it("default tolerations: 300 s after the taint was added", () => {
    const v = noExecuteEviction([unreachable], defaults);
    assert.equal(v.kind, "after");
    assert.equal(v.kind === "after" && v.seconds, 300);
    assert.equal(v.kind === "after" && v.evictAt, Date.parse("2024-05-01T09:05:00Z"));
  });
  it("the smallest tolerationSeconds of the used tolerations wins", () => {
    const v = noExecuteEviction([unreachable, notReady], [{ ...defaults[0]!, tolerationSeconds: 60 }, defaults[1]!]);
    assert.equal(v.kind === "after" && v.seconds, 60);
    assert.equal(v.kind === "after" && v.evictAt, Date.parse("2024-05-01T09:01:10Z"));
  });
  it("a DaemonSet-style toleration without seconds stays forever; mixed with a bounded one, the bound counts", () => {
    assert.deepEqual(noExecuteEviction([unreachable], [{ operator: "Exists" }]), { kind: "never" });
    const v = noExecuteEviction([unreachable, notReady], [{ key: "node.kubernetes.io/unreachable", operator: "Exists" }, defaults[0]!]);
    assert.equal(v.kind === "after" && v.seconds, 300);
  });
  it("tolerationSeconds 0 or negative evicts at once", () => {
    assert.equal(noExecuteEviction([unreachable], [{ ...defaults[1]!, tolerationSeconds: 0 }]).kind, "now");
    assert.equal(noExecuteEviction([unreachable], [{ ...defaults[1]!, tolerationSeconds: -5 }]).kind, "now");
  });
  it("the first matching toleration in pod order is the one used", () => {
    const v = noExecuteEviction([unreachable], [{ operator: "Exists" }, defaults[1]!]);
    assert.deepEqual(v, { kind: "never" });
  });
});
