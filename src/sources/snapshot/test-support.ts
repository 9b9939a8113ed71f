// Test helpers for the snapshot readers: realistic generated objects and large files on disk.
import { createWriteStream } from "node:fs";
import { once } from "node:events";

/** A Pod as `kubectl get pods -o json` prints it (fields in the API server's order). */
export function generatedPod(index: number, namespaces = 50): Record<string, unknown> {
  const ns = `team-${index % namespaces}`;
  const name = `web-${Math.floor(index / 7).toString(36)}-${(index * 7919).toString(36).slice(-5)}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      creationTimestamp: "2026-01-02T03:04:05Z",
      generateName: `web-${Math.floor(index / 7).toString(36)}-`,
      labels: { app: "web", "pod-template-hash": "5d8f7c9b6", tier: index % 3 === 0 ? "frontend" : "backend" },
      name,
      namespace: ns,
      ownerReferences: [
        { apiVersion: "apps/v1", blockOwnerDeletion: true, controller: true, kind: "ReplicaSet", name: "web-5d8f7c9b6", uid: "6f1c2d3e-0000-4000-8000-000000000001" },
      ],
      resourceVersion: String(100000 + index),
      uid: `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`,
    },
    spec: {
      containers: [
        {
          args: ["--port=8080", "--log-level=info"],
          env: [
            { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
            { name: "GREETING", value: "h\u00e9llo \"world\"\\n" },
          ],
          image: "registry.example.com/team/web:1.2.3",
          imagePullPolicy: "IfNotPresent",
          livenessProbe: { failureThreshold: 3, httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" }, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
          name: "web",
          ports: [{ containerPort: 8080, name: "http", protocol: "TCP" }],
          readinessProbe: { failureThreshold: 3, httpGet: { path: "/ready", port: "http", scheme: "HTTP" }, periodSeconds: 5, successThreshold: 1, timeoutSeconds: 1 },
          resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          volumeMounts: [
            { mountPath: "/etc/config", name: "config" },
            { mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", name: "kube-api-access-abcde", readOnly: true },
          ],
        },
      ],
      dnsPolicy: "ClusterFirst",
      enableServiceLinks: true,
      nodeName: `node-${index % 40}`,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      securityContext: {},
      serviceAccount: "default",
      serviceAccountName: "default",
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300 },
        { effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 },
      ],
      volumes: [
        { configMap: { defaultMode: 420, name: "web-config" }, name: "config" },
        {
          name: "kube-api-access-abcde",
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { items: [{ key: "ca.crt", path: "ca.crt" }], name: "kube-root-ca.crt" } },
              { downwardAPI: { items: [{ fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" }, path: "namespace" }] } },
            ],
          },
        },
      ],
    },
    status: {
      conditions: [
        { lastProbeTime: null, lastTransitionTime: "2026-01-02T03:04:06Z", status: "True", type: "Initialized" },
        { lastProbeTime: null, lastTransitionTime: "2026-01-02T03:04:16Z", status: index % 11 === 0 ? "False" : "True", type: "Ready" },
        { lastProbeTime: null, lastTransitionTime: "2026-01-02T03:04:16Z", status: "True", type: "ContainersReady" },
        { lastProbeTime: null, lastTransitionTime: "2026-01-02T03:04:05Z", status: "True", type: "PodScheduled" },
      ],
      containerStatuses: [
        {
          containerID: `containerd://${index.toString(16).padStart(64, "a")}`,
          image: "registry.example.com/team/web:1.2.3",
          imageID: "registry.example.com/team/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          lastState: {},
          name: "web",
          ready: index % 11 !== 0,
          restartCount: index % 5,
          started: true,
          state: { running: { startedAt: "2026-01-02T03:04:10Z" } },
        },
      ],
      hostIP: `10.0.${index % 40}.1`,
      phase: "Running",
      podIP: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
      podIPs: [{ ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}` }],
      qosClass: "Burstable",
      startTime: "2026-01-02T03:04:05Z",
    },
  };
}

/**
 * Writes `{"apiVersion": "v1", "items": [...], "kind": "List", ...}` the way `kubectl get pods -A -o json`
 * does (4-space indent, items before kind), streaming it to disk. Returns the pod count and bytes written.
 */
export async function writeGeneratedPodList(path: string, targetBytes: number): Promise<{ pods: number; bytes: number }> {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
  };
  await write('{\n    "apiVersion": "v1",\n    "items": [\n');
  let pods = 0;
  let batch = "";
  while (bytes + batch.length < targetBytes) {
    const text = JSON.stringify(generatedPod(pods), null, 4).replace(/^/gm, "        ");
    batch += (pods > 0 ? ",\n" : "") + text;
    pods++;
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = "";
    }
  }
  await write(batch);
  await write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n');
  out.end();
  await once(out, "close");
  return { pods, bytes };
}

/** Writes a zip archive (deflated entries, no extras): enough for reader tests without a zip tool. */
export async function writeZip(path: string, entries: { name: string; data: Buffer | string }[]): Promise<void> {
  const { crc32, deflateRawSync } = await import("node:zlib");
  const { writeFile } = await import("node:fs/promises");
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
    const compressed = deflateRawSync(data);
    const name = Buffer.from(entry.name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  await writeFile(path, Buffer.concat([...locals, ...centrals, end]));
}
