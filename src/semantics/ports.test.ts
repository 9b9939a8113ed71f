import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Pod, Service } from "../model/kube.js";
import { declaredPorts, findContainerPort, findServicePort, formatDeclaredPort, protocolOf, targetPortOf } from "./ports.js";

function pod(spec: Partial<Pod["spec"]>): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns" }, spec: { containers: [], ...spec } };
}

const web = pod({
  containers: [
    { name: "app", ports: [{ name: "http", containerPort: 8080 }, { name: "dns", containerPort: 5353, protocol: "UDP" }] },
    { name: "metrics", ports: [{ name: "metrics", containerPort: 9090, protocol: "TCP" }] },
  ],
  initContainers: [
    { name: "migrate", ports: [{ name: "admin", containerPort: 7000 }] }, // plain init container: exited, not looked at
    { name: "proxy", restartPolicy: "Always", ports: [{ name: "proxy", containerPort: 15001 }] }, // sidecar
  ],
});

describe("findContainerPort (upstream podutil.FindPort)", () => {
  it("uses a numeric targetPort as is and says whether it is declared", () => {
    assert.deepEqual(findContainerPort(web, 8080), {
      port: 8080,
      declared: true,
      declaredBy: { container: "app", name: "http", containerPort: 8080, protocol: "TCP", path: "spec.containers[0].ports[0]" },
    });
    assert.deepEqual(findContainerPort(web, 3000), { port: 3000, declared: false });
  });

  it("resolves a name among regular containers", () => {
    assert.equal(findContainerPort(web, "metrics")?.port, 9090);
    assert.equal(findContainerPort(web, "metrics")?.declaredBy?.path, "spec.containers[1].ports[0]");
  });

  it("requires the protocol to match (name + protocol)", () => {
    assert.equal(findContainerPort(web, "dns", "TCP"), undefined);
    assert.equal(findContainerPort(web, "dns", "UDP")?.port, 5353);
    assert.equal(findContainerPort(web, "http", "UDP"), undefined);
    assert.equal(findContainerPort(web, 5353, "TCP")?.declared, false);
  });

  it("looks at sidecar (restartPolicy Always) init containers, not plain init containers", () => {
    assert.equal(findContainerPort(web, "proxy")?.port, 15001);
    assert.equal(findContainerPort(web, "proxy")?.declaredBy?.path, "spec.initContainers[1].ports[0]");
    assert.equal(findContainerPort(web, "admin"), undefined);
  });

  it("fails for an unknown name and on a pod without ports", () => {
    assert.equal(findContainerPort(web, "https"), undefined);
    assert.equal(findContainerPort(pod({ containers: [{ name: "c" }] }), "http"), undefined);
    assert.deepEqual(findContainerPort(pod({ containers: [{ name: "c" }] }), 80), { port: 80, declared: false });
  });

  it("lets different pods map one name to different numbers", () => {
    const v2 = pod({ containers: [{ name: "app", ports: [{ name: "http", containerPort: 8081 }] }] });
    assert.equal(findContainerPort(web, "http")?.port, 8080);
    assert.equal(findContainerPort(v2, "http")?.port, 8081);
  });
});

describe("port helpers", () => {
  it("defaults protocol to TCP and targetPort to port", () => {
    assert.equal(protocolOf({}), "TCP");
    assert.equal(protocolOf({ protocol: "SCTP" }), "SCTP");
    assert.equal(targetPortOf({ port: 80 }), 80);
    assert.equal(targetPortOf({ port: 80, targetPort: 0 }), 80);
    assert.equal(targetPortOf({ port: 80, targetPort: "http" }), "http");
    assert.equal(targetPortOf({ port: 80, targetPort: 8080 }), 8080);
  });

  it("lists declared ports in FindPort order, formatted like kubectl", () => {
    assert.deepEqual(declaredPorts(web).map(formatDeclaredPort), ["http(8080)/TCP", "dns(5353)/UDP", "metrics(9090)/TCP", "proxy(15001)/TCP"]);
  });

  it("finds a Service port by number or by name", () => {
    const svc: Service = {
      kind: "Service",
      metadata: { name: "s", namespace: "ns" },
      spec: { ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] },
    };
    assert.equal(findServicePort(svc, { number: 443 })?.index, 1);
    assert.equal(findServicePort(svc, { name: "http" })?.port.port, 80);
    assert.equal(findServicePort(svc, { number: 8080 }), undefined);
    assert.equal(findServicePort(svc, { name: "grpc" }), undefined);
    assert.equal(findServicePort(svc, undefined), undefined);
  });
});
