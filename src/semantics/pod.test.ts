import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../model/kube.js";
import { isPodReady } from "./pod.js";

const pod = (conditions: { type: string; status: string }[] | undefined): Pod =>
  ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n" }, spec: { containers: [] }, status: conditions ? { conditions } : {} }) as unknown as Pod;

describe("isPodReady (podutil.IsPodReady)", () => {
  it("is the Ready condition's status, True only", () => {
    assert.equal(isPodReady(pod([{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "True" }])), true);
    assert.equal(isPodReady(pod([{ type: "Ready", status: "False" }])), false);
    assert.equal(isPodReady(pod([{ type: "Ready", status: "Unknown" }])), false);
  });
  it("a pod without a Ready condition (or without status) is not ready", () => {
    assert.equal(isPodReady(pod([{ type: "ContainersReady", status: "True" }])), false);
    assert.equal(isPodReady(pod(undefined)), false);
  });
});
