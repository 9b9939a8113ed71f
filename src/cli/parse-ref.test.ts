import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseObjectRef } from "./parse-ref.js";

describe("parseObjectRef", () => {
  it("reads namespace/kind/name with kubectl short names", () => {
    assert.deepEqual(parseObjectRef("shop/deploy/frontend", undefined), { ok: true, ref: { kind: "Deployment", namespace: "shop", name: "frontend" } });
  });
  it("takes the namespace from -n, else default (as kubectl)", () => {
    assert.deepEqual(parseObjectRef("svc/payments", "shop"), { ok: true, ref: { kind: "Service", namespace: "shop", name: "payments" } });
    assert.deepEqual(parseObjectRef("pods/web-1", undefined), { ok: true, ref: { kind: "Pod", namespace: "default", name: "web-1" } });
  });
  it("accepts resource.group and full kind names", () => {
    assert.deepEqual(parseObjectRef("deployments.apps/web", "a"), { ok: true, ref: { kind: "Deployment", namespace: "a", name: "web" } });
    assert.deepEqual(parseObjectRef("PersistentVolumeClaim/data-0", "a"), { ok: true, ref: { kind: "PersistentVolumeClaim", namespace: "a", name: "data-0" } });
  });
  it("cluster-scoped kinds have no namespace", () => {
    assert.deepEqual(parseObjectRef("node/worker-1", "shop"), { ok: true, ref: { kind: "Node", name: "worker-1" } });
    assert.equal(parseObjectRef("shop/node/worker-1", undefined).ok, false);
  });
  it("rejects malformed and unknown references", () => {
    assert.equal(parseObjectRef("frontend", undefined).ok, false);
    assert.equal(parseObjectRef("a/b/c/d", undefined).ok, false);
    assert.equal(parseObjectRef("gizmo/x", undefined).ok, false);
    assert.equal(parseObjectRef("other/svc/x", "shop").ok, false);
  });
});
