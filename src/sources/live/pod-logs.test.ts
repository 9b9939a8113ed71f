import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { logRequestsOf } from "./pod-logs.js";

describe("logRequestsOf", () => {
  it("a healthy pod has no log request, a running ingress controller has its current log read", () => {
    const healthy = {
      kind: "Pod",
      metadata: { name: "web-1", namespace: "shop" },
      spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
      status: { phase: "Running", containerStatuses: [{ name: "web", ready: true, restartCount: 0, state: { running: {} } }] },
    };
    assert.deepEqual(logRequestsOf(healthy), []);
    const controller = {
      kind: "Pod",
      metadata: { name: "ingress-nginx-controller-1", namespace: "ingress-nginx" },
      spec: { containers: [{ name: "controller", image: "registry.k8s.io/ingress-nginx/controller:v1.11.2" }] },
      status: { phase: "Running", containerStatuses: [{ name: "controller", ready: true, restartCount: 0, state: { running: {} } }] },
    };
    assert.deepEqual(logRequestsOf(controller), [{ namespace: "ingress-nginx", pod: "ingress-nginx-controller-1", container: "controller", previous: false }]);
  });
});
