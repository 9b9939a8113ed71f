// Test support: a small cluster as kubectl prints it, served by the fake API server in the live source's tests.
import type { KubeObject } from "../../../model/kube.js";

const created = "2024-05-01T10:00:00Z";

function pod(namespace: string, name: string, labels: Record<string, string>, status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, resourceVersion: "100", creationTimestamp: created, labels },
    spec: { containers: [{ name: "app", image: "registry.example/app:1.0" }], nodeName: "node-a" },
    status,
  };
}

const running = { running: { startedAt: "2024-05-01T10:01:00Z" } };

/** Seven pods in two namespaces (three pages at limit=3), nodes, services, namespaces, events, a config map. */
export function sampleCluster(): KubeObject[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", uid: "uid-ns-shop", creationTimestamp: created }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "ops", uid: "uid-ns-ops", creationTimestamp: created }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } },
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "node-a", uid: "uid-node-a", creationTimestamp: created, labels: { "kubernetes.io/hostname": "node-a" } },
      spec: { podCIDR: "10.244.0.0/24" },
      status: { conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2024-05-01T11:00:00Z", lastTransitionTime: created, reason: "KubeletReady", message: "kubelet is posting ready status" }], allocatable: { cpu: "4", memory: "16Gi", pods: "110" } },
    },
    pod("shop", "web-1", { app: "web" }, { phase: "Running", startTime: created, containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: running, image: "registry.example/app:1.0" }] }),
    pod("shop", "web-2", { app: "web" }, {
      phase: "Running",
      startTime: created,
      containerStatuses: [{ name: "app", ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container" } }, lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: created, finishedAt: created } }, image: "registry.example/app:1.0" }],
    }),
    pod("shop", "web-3", { app: "web" }, { phase: "Pending", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }),
    pod("shop", "db-0", { app: "db" }, { phase: "Failed", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: "Error", startedAt: created, finishedAt: created } } }] }),
    pod("shop", "db-1", { app: "db" }, { phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: running }] }),
    pod("ops", "agent-1", { app: "agent" }, { phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: running }] }),
    pod("ops", "agent-2", { app: "agent" }, { phase: "Running", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: running }] }),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "shop", uid: "uid-svc-web", resourceVersion: "200", creationTimestamp: created },
      spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }], clusterIP: "10.96.0.10", type: "ClusterIP" },
      status: { loadBalancer: {} },
    },
    {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "web-2.17c", namespace: "shop", uid: "uid-ev-1", resourceVersion: "300", creationTimestamp: created },
      involvedObject: { kind: "Pod", namespace: "shop", name: "web-2", uid: "uid-shop-web-2", apiVersion: "v1", fieldPath: "spec.containers{app}" },
      reason: "BackOff",
      message: "Back-off restarting failed container app in pod web-2_shop(uid-shop-web-2)",
      type: "Warning",
      count: 12,
      firstTimestamp: created,
      lastTimestamp: "2024-05-01T10:40:00Z",
      eventTime: null,
      source: { component: "kubelet", host: "node-a" },
      reportingComponent: "kubelet",
      reportingInstance: "node-a",
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "shop", uid: "uid-cm", creationTimestamp: created }, data: { mode: "fast" } },
  ];
}
