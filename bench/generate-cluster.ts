// Generates a synthetic cluster of N nodes and M pods as `kubectl get -A -o json` List files, streamed
// to disk object by object (a 150k-pod pods.json is over a gigabyte: it is never one string).
//
//   npx tsx bench/generate-cluster.ts --nodes 5000 --pods 150000 --out bench/out/5000x150000
//
// Objects are shaped like the API server returns them (see fixtures/clusters/_generator): Deployments
// with ReplicaSets and pods carrying owner references and pod-template-hash labels, DaemonSet pods on
// every node, Services with Endpoints and EndpointSlices derived from their pods, ConfigMaps, Secrets,
// ServiceAccounts, events. Planted failures, at fixed rates so that every scale has some: crash-looping
// Deployments, image pulls of tags that do not exist (rollouts stuck), unschedulable pods, a NotReady
// node, a Service selector typo. Deterministic for a given --seed.
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { imageID, normalizeImage } from "../fixtures/clusters/_generator/cluster-builder.js";
import { Rng, iso, isoMicro, sortKeys, templateHash, type Json } from "../fixtures/clusters/_generator/kube-factory.js";

export interface GenerateOptions {
  nodes: number;
  pods: number;
  out: string;
  seed?: number;
  /** Called now and then with a progress line. */
  onProgress?: (message: string) => void;
}

export interface GenerateSummary {
  files: Record<string, { items: number; bytes: number }>;
  planted: { crashLoopingDeployments: string[]; imagePullDeployments: string[]; unschedulableDeployments: string[]; notReadyNode: string; selectorTypoServices: string[] };
}

const T = Date.parse("2026-11-20T09:30:00Z");
const BIRTH = Date.parse("2025-03-01T08:00:00Z");
const K8S = "v1.31.9";
const INDENT = "        "; // items sit two levels deep in the List

/** Writes one `kubectl get -o json` List, item by item, through a small buffer. */
class ListWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private buffered = 0;
  items = 0;
  bytes = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
    this.write('{\n    "apiVersion": "v1",\n    "items": [');
  }
  private write(text: string): void {
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered > 4 * 1024 * 1024) this.flush();
  }
  private flush(): void {
    if (!this.buffer.length) return;
    const chunk = Buffer.from(this.buffer.join(""), "utf8");
    writeSync(this.fd, chunk);
    this.bytes += chunk.length;
    this.buffer = [];
    this.buffered = 0;
  }
  add(object: Json): void {
    const text = JSON.stringify(sortKeys(object), null, 4).replace(/\n/g, `\n${INDENT}`);
    this.write(`${this.items ? "," : ""}\n${INDENT}${text}`);
    this.items++;
  }
  close(): void {
    this.write(`${this.items ? "\n    " : ""}],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n`);
    this.flush();
    closeSync(this.fd);
  }
}

const FILES = {
  Namespace: "namespaces.json",
  Node: "nodes.json",
  Pod: "pods.json",
  Service: "services.json",
  Endpoints: "endpoints.json",
  EndpointSlice: "endpointslices.json",
  Deployment: "deployments.json",
  ReplicaSet: "replicasets.json",
  DaemonSet: "daemonsets.json",
  Event: "events.json",
  ConfigMap: "configmaps.json",
  Secret: "secrets.json",
  ServiceAccount: "serviceaccounts.json",
} as const;
type Kind = keyof typeof FILES;
const API_VERSION: Record<Kind, string> = {
  Namespace: "v1", Node: "v1", Pod: "v1", Service: "v1", Endpoints: "v1", EndpointSlice: "discovery.k8s.io/v1", Deployment: "apps/v1", ReplicaSet: "apps/v1", DaemonSet: "apps/v1", Event: "v1", ConfigMap: "v1", Secret: "v1", ServiceAccount: "v1",
};

const TEAMS = ["checkout", "search", "catalog", "identity", "payments", "ads", "media", "data", "ml", "platform", "growth", "support"];
const APPS = ["api", "worker", "web", "gateway", "indexer", "consumer", "scheduler", "cache-proxy", "renderer", "sync", "notifier", "exporter"];
const REPLICAS = [1, 2, 2, 3, 3, 3, 4, 5, 8, 12];

/** Generates the cluster into `out` (replacing it) and returns what was written and planted. */
export function generateCluster(options: GenerateOptions): GenerateSummary {
  const { nodes: nodeCount, pods: podCount, out } = options;
  if (nodeCount < 4) throw new Error("--nodes must be at least 4 (3 control-plane nodes and a worker)");
  const rng = new Rng(options.seed ?? 1);
  rmSync(out, { recursive: true, force: true });
  rmSync(`${out.replace(/\/+$/, "")}.planted.json`, { force: true });
  mkdirSync(out, { recursive: true });
  const writers = Object.fromEntries(Object.entries(FILES).map(([kind, file]) => [kind, new ListWriter(join(out, file))])) as Record<Kind, ListWriter>;
  let rv = 2_000_000;
  const make = (kind: Kind, namespace: string | undefined, name: string, created: number, body: Json, extra: Json = {}): Json => ({
    apiVersion: API_VERSION[kind],
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), uid: rng.uuid(), creationTimestamp: iso(created), resourceVersion: String((rv += 1 + rng.int(40))), ...extra },
    ...body,
  });
  const emit = (kind: Kind, namespace: string | undefined, name: string, created: number, body: Json, extra: Json = {}): Json => {
    const object = make(kind, namespace, name, created, body, extra);
    writers[kind].add(object);
    return object;
  };
  // generateName suffixes collide now and then (27^5 values); the API server would reject the second
  // create and the controller retry with a new name, so do the same.
  const usedNames = new Set<string>();
  const generated = (namespace: string, prefix: string): string => {
    for (;;) {
      const name = `${prefix}${rng.suffix()}`;
      if (!usedNames.has(`${namespace}/${name}`)) {
        usedNames.add(`${namespace}/${name}`);
        return name;
      }
    }
  };
  const planted: GenerateSummary["planted"] = { crashLoopingDeployments: [], imagePullDeployments: [], unschedulableDeployments: [], notReadyNode: "", selectorTypoServices: [] };

  // ---------------------------------------------------------------- nodes
  const zones = ["eu-central-1a", "eu-central-1b", "eu-central-1c"];
  const nodes: { name: string; ip: string; cidr: string; zone: string; ready: boolean; next: number }[] = [];
  const notReadyIndex = 3 + Math.floor((nodeCount - 3) / 2);
  const notReadySince = T - 190_000;
  const commonImages = ["registry.k8s.io/kube-proxy:v1.31.9", "quay.io/cilium/cilium:v1.16.3", "registry.k8s.io/pause:3.10", "docker.io/library/nginx:1.27.2", "ghcr.io/acme/base-runtime:2026.10"];
  for (let i = 0; i < nodeCount; i++) {
    const control = i < 3;
    const name = control ? `cp-${i + 1}` : `worker-${String(i - 2).padStart(5, "0")}`;
    const ip = `10.${16 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255) || 1}`;
    const cidr = `10.${64 + (i >> 8)}.${i & 255}.0/24`;
    const zone = zones[i % 3]!;
    const ready = i !== notReadyIndex;
    if (!ready) planted.notReadyNode = name;
    const started = BIRTH + 86_400_000 * (30 + (i % 200)) + rng.int(3_600_000);
    const heartbeat = ready ? started + Math.floor((T - started - 1) / 300_000) * 300_000 : notReadySince - 40_000 - rng.int(200_000);
    const condition = (type: string, status: string, reason: string, message: string): Json => ({
      lastHeartbeatTime: iso(heartbeat),
      lastTransitionTime: iso(ready ? started : notReadySince),
      message: ready ? message : "Kubelet stopped posting node status.",
      reason: ready ? reason : "NodeStatusUnknown",
      status: ready ? status : "Unknown",
      type,
    });
    const images = [...commonImages, ...Array.from({ length: 10 }, () => `ghcr.io/acme/${rng.pick(TEAMS)}-${rng.pick(APPS)}:${rng.between(1, 9)}.${rng.between(0, 30)}.${rng.between(0, 9)}`)];
    emit(
      "Node",
      undefined,
      name,
      BIRTH + i * 30_000,
      {
        spec: {
          podCIDR: cidr,
          podCIDRs: [cidr],
          providerID: `aws:///${zone}/i-0${rng.hex(16)}`,
          ...(control ? { taints: [{ effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane" }] } : {}),
          ...(!ready ? { taints: [{ effect: "NoSchedule", key: "node.kubernetes.io/unreachable", timeAdded: iso(notReadySince + 300) }, { effect: "NoExecute", key: "node.kubernetes.io/unreachable", timeAdded: iso(notReadySince + 5300) }] } : {}),
        },
        status: {
          addresses: [{ address: ip, type: "InternalIP" }, { address: `ip-${ip.replace(/\./g, "-")}.eu-central-1.compute.internal`, type: "InternalDNS" }, { address: `ip-${ip.replace(/\./g, "-")}.eu-central-1.compute.internal`, type: "Hostname" }],
          allocatable: { cpu: control ? "3920m" : "15890m", "ephemeral-storage": "95491281146", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: control ? "15208424Ki" : "63364456Ki", pods: "110" },
          capacity: { cpu: control ? "4" : "16", "ephemeral-storage": "104845292Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: control ? "16052136Ki" : "65043376Ki", pods: "110" },
          conditions: [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          images: images.map((image) => ({ names: [imageID(image), normalizeImage(image)], sizeBytes: 20_000_000 + rng.int(400_000_000) })),
          nodeInfo: { architecture: "amd64", bootID: rng.uuid(), containerRuntimeVersion: "containerd://1.7.22", kernelVersion: "6.1.112-122.189.amzn2023.x86_64", kubeProxyVersion: "", kubeletVersion: K8S, machineID: rng.hex(32), operatingSystem: "linux", osImage: "Amazon Linux 2023.6.20241031", systemUUID: rng.uuid() },
        },
      },
      {
        labels: {
          "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
          "node.kubernetes.io/instance-type": control ? "m6i.xlarge" : "m6i.4xlarge", "topology.kubernetes.io/region": "eu-central-1", "topology.kubernetes.io/zone": zone,
          ...(control ? { "node-role.kubernetes.io/control-plane": "" } : {}),
        },
        annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
      },
    );
    nodes.push({ name, ip, cidr, zone, ready, next: 2 });
  }
  const workers = nodes.slice(3);
  let nextWorker = 0;
  const placePod = (): (typeof nodes)[number] => {
    for (;;) {
      const n = workers[nextWorker++ % workers.length]!;
      if (n.next < 250) return n;
      if (workers.every((w) => w.next >= 250)) throw new Error("pod CIDRs exhausted: more than ~248 pods per worker");
    }
  };
  const podIP = (n: (typeof nodes)[number]): string => n.cidr.replace(/0\/24$/, String(n.next++));

  // ---------------------------------------------------------------- namespaces
  const appNamespaces = Math.max(2, Math.round(podCount / 2000));
  const namespaces = ["default", "kube-node-lease", "kube-public", "kube-system", ...Array.from({ length: appNamespaces }, (_, i) => `${TEAMS[i % TEAMS.length]}-${String(i).padStart(3, "0")}`)];
  for (const ns of namespaces) {
    emit("Namespace", undefined, ns, BIRTH + 60_000, { spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } }, { labels: { "kubernetes.io/metadata.name": ns } });
    emit("ConfigMap", ns, "kube-root-ca.crt", BIRTH + 61_000, { data: { "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJlcm5ldGVz\n-----END CERTIFICATE-----\n" } });
    emit("ServiceAccount", ns, "default", BIRTH + 61_000, {});
  }

  // ---------------------------------------------------------------- pods: shared shapes
  const tokenVolume = (): Json => ({
    name: `kube-api-access-${rng.suffix()}`,
    projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: "token" } }, { configMap: { items: [{ key: "ca.crt", path: "ca.crt" }], name: "kube-root-ca.crt" } }, { downwardAPI: { items: [{ fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" }, path: "namespace" }] } }] },
  });
  const defaultTolerations = [{ effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300 }, { effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 }];
  const readyConditions = (scheduled: number, readyAt: number | undefined, notReadySinceAt: number, unready: string[]): Json[] => [
    { lastProbeTime: null, lastTransitionTime: iso(scheduled + 2000), status: "True", type: "PodReadyToStartContainers" },
    { lastProbeTime: null, lastTransitionTime: iso(scheduled), status: "True", type: "Initialized" },
    readyAt !== undefined ? { lastProbeTime: null, lastTransitionTime: iso(readyAt), status: "True", type: "Ready" } : { lastProbeTime: null, lastTransitionTime: iso(notReadySinceAt), message: `containers with unready status: [${unready.join(" ")}]`, reason: "ContainersNotReady", status: "False", type: "Ready" },
    readyAt !== undefined ? { lastProbeTime: null, lastTransitionTime: iso(readyAt), status: "True", type: "ContainersReady" } : { lastProbeTime: null, lastTransitionTime: iso(notReadySinceAt), message: `containers with unready status: [${unready.join(" ")}]`, reason: "ContainersNotReady", status: "False", type: "ContainersReady" },
    { lastProbeTime: null, lastTransitionTime: iso(scheduled), status: "True", type: "PodScheduled" },
  ];
  let eventSeq = 0;
  const event = (namespace: string, involved: Json, reason: string, message: string, type: string, first: number, last: number, count: number, component: string, host?: string): void => {
    // record.EventRecorder names events "<object>.<hex UnixNano of first occurrence>"; the sequence keeps them unique.
    const name = `${(involved.name as string)}.${(BigInt(first) * 1_000_000n + BigInt(eventSeq++ % 1_000_000)).toString(16)}`;
    emit("Event", namespace, name, first, { count, eventTime: null, firstTimestamp: iso(first), involvedObject: involved, lastTimestamp: iso(last), message, reason, reportingComponent: component, reportingInstance: host ?? "", source: { component, ...(host ? { host } : {}) }, type });
  };

  // ---------------------------------------------------------------- DaemonSets (one pod per node)
  const daemonSets = [
    { name: "kube-proxy", image: "registry.k8s.io/kube-proxy:v1.31.9", labels: { "k8s-app": "kube-proxy" }, hostNetwork: true, requests: { cpu: "100m" } },
    { name: "cilium", image: "quay.io/cilium/cilium:v1.16.3", labels: { "k8s-app": "cilium" }, hostNetwork: true, requests: { cpu: "100m", memory: "100Mi" } },
  ];
  let daemonPods = 0;
  for (const ds of daemonSets) {
    const hash = templateHash(ds);
    const template = { metadata: { creationTimestamp: null, labels: ds.labels }, spec: { containers: [{ image: ds.image, imagePullPolicy: "IfNotPresent", name: ds.name, resources: { requests: ds.requests }, securityContext: { privileged: true }, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" }], dnsPolicy: "ClusterFirst", hostNetwork: true, priorityClassName: "system-node-critical", restartPolicy: "Always", schedulerName: "default-scheduler", securityContext: {}, serviceAccount: ds.name, serviceAccountName: ds.name, terminationGracePeriodSeconds: 30, tolerations: [{ operator: "Exists" }] } };
    const ready = nodes.filter((n) => n.ready).length;
    const dsObject = emit("DaemonSet", "kube-system", ds.name, BIRTH + 120_000, { spec: { revisionHistoryLimit: 10, selector: { matchLabels: ds.labels }, template, updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: "RollingUpdate" } }, status: { currentNumberScheduled: nodes.length, desiredNumberScheduled: nodes.length, numberAvailable: ready, numberMisscheduled: 0, numberReady: ready, numberUnavailable: nodes.length - ready, observedGeneration: 1, updatedNumberScheduled: nodes.length } }, { generation: 1, labels: ds.labels });
    emit("ServiceAccount", "kube-system", ds.name, BIRTH + 119_000, {});
    const owner = { apiVersion: "apps/v1", blockOwnerDeletion: true, controller: true, kind: "DaemonSet", name: ds.name, uid: (dsObject.metadata as Json).uid };
    for (const n of nodes) {
      if (daemonPods >= podCount) break;
      const created = BIRTH + 86_400_000 * 30 + rng.int(86_400_000 * 200);
      const started = created + 5000;
      const spec = { ...(template.spec as Json), affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [n.name] }] }] } } }, nodeName: n.name, preemptionPolicy: "PreemptLowerPriority", priority: 2000001000, volumes: [tokenVolume()] };
      emit("Pod", "kube-system", generated("kube-system", `${ds.name}-`), created, {
        spec,
        status: {
          conditions: n.ready ? readyConditions(created + 1000, started + 3000, 0, []) : readyConditions(created + 1000, undefined, notReadySince + 40_000, [ds.name]),
          containerStatuses: [{ containerID: `containerd://${rng.hex(64)}`, image: normalizeImage(ds.image), imageID: imageID(ds.image), lastState: {}, name: ds.name, ready: n.ready, restartCount: 0, started: true, state: { running: { startedAt: iso(started) } } }],
          hostIP: n.ip, hostIPs: [{ ip: n.ip }], phase: "Running", podIP: n.ip, podIPs: [{ ip: n.ip }], qosClass: "Burstable", startTime: iso(created + 1000),
        },
      }, { generateName: `${ds.name}-`, labels: { ...ds.labels, "controller-revision-hash": hash, "pod-template-generation": "1" }, ownerReferences: [owner] });
      daemonPods++;
    }
  }

  // ---------------------------------------------------------------- Deployments, ReplicaSets, pods, Services
  let remaining = podCount - daemonPods;
  let deploymentIndex = 0;
  let progressAt = 0;
  const nsApps = namespaces.slice(3); // kube-system gets coredns first, then the team namespaces
  // Failures are planted at fixed rates of the plan index; a stuck rollout adds one surge pod.
  const plans: { ns: string; name: string; replicas: number; crashLoop: boolean; imagePull: boolean; unschedulable: boolean; selectorTypo: boolean }[] = [];
  for (let i = 0; remaining > 0; i++) {
    const ns = i === 0 ? "kube-system" : nsApps[1 + ((i - 1) % (nsApps.length - 1))]!;
    const plain = i === 0 || remaining < 3;
    const imagePull = !plain && i % 500 === 13;
    const replicas = Math.min(remaining - (imagePull ? 1 : 0), i === 0 ? 2 : REPLICAS[i % REPLICAS.length]!);
    plans.push({
      ns,
      name: i === 0 ? "coredns" : `${APPS[i % APPS.length]}-${String(i).padStart(5, "0")}`,
      replicas,
      crashLoop: !plain && i % 200 === 7,
      imagePull: imagePull && replicas >= 2,
      unschedulable: !plain && i % 300 === 21,
      selectorTypo: !plain && i % 1000 === 5,
    });
    remaining -= replicas + (imagePull && replicas >= 2 ? 1 : 0);
  }
  plans.sort((a, b) => (a.ns === b.ns ? (a.name < b.name ? -1 : 1) : a.ns < b.ns ? -1 : 1));
  const secretsMade = new Set<string>();
  // What kube-scheduler says about a pod asking for more cpu than any worker has (filters run per node,
  // the first failing one counts; reasons are sorted as "count reason" strings, as FitError.Error does).
  const untolerated = 3 + (planted.notReadyNode ? 1 : 0);
  const unschedulableMessage = fitError(
    nodes.length,
    { "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }": 3, ...(planted.notReadyNode ? { "node(s) had untolerated taint {node.kubernetes.io/unreachable: }": 1 } : {}), "Insufficient cpu": nodes.length - untolerated },
    { "Preemption is not helpful for scheduling": untolerated, "No preemption victims found for incoming pod": nodes.length - untolerated },
  );
  for (const plan of plans) {
    const { ns, name, replicas, crashLoop, imagePull, unschedulable, selectorTypo } = plan;
    const d = deploymentIndex++;
    if (!secretsMade.has(ns) && ns !== "kube-system") {
      secretsMade.add(ns);
      emit("Secret", ns, "registry-pull", BIRTH + 90_000, { data: { ".dockerconfigjson": Buffer.from('{"auths":{"ghcr.io":{"auth":"UkVEQUNURUQ="}}}').toString("base64") }, type: "kubernetes.io/dockerconfigjson" });
      emit("Secret", ns, "app-secrets", BIRTH + 90_000, { data: { DATABASE_URL: Buffer.from("REDACTED").toString("base64"), API_TOKEN: Buffer.from("REDACTED").toString("base64") }, type: "Opaque" });
    }
    const created = BIRTH + 86_400_000 * 10 + rng.int(86_400_000 * 300);
    const version = `${1 + (d % 7)}.${d % 40}.${d % 10}`;
    const image = name === "coredns" ? "registry.k8s.io/coredns/coredns:v1.11.3" : `ghcr.io/acme/${ns.replace(/-\d+$/, "")}-${name.replace(/-\d+$/, "")}:${version}`;
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": ns, "app.kubernetes.io/version": version };
    const selector = { "app.kubernetes.io/name": name };
    const requests = unschedulable ? { cpu: "24", memory: "8Gi" } : { cpu: `${50 + (d % 8) * 25}m`, memory: `${64 * (1 + (d % 6))}Mi` };
    const container = (img: string): Json => ({
      env: [{ name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } }, ...(ns === "kube-system" ? [] : [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { key: "DATABASE_URL", name: "app-secrets" } } }])],
      envFrom: [{ configMapRef: { name: `${name}-config` } }],
      image: img,
      imagePullPolicy: "IfNotPresent",
      livenessProbe: { failureThreshold: 3, httpGet: { path: "/healthz", port: "http", scheme: "HTTP" }, initialDelaySeconds: 10, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
      name: "app",
      ports: [{ containerPort: 8080, name: "http", protocol: "TCP" }, { containerPort: 9090, name: "metrics", protocol: "TCP" }],
      readinessProbe: { failureThreshold: 3, httpGet: { path: "/ready", port: "http", scheme: "HTTP" }, periodSeconds: 5, successThreshold: 1, timeoutSeconds: 1 },
      resources: { limits: { memory: unschedulable ? "8Gi" : `${128 * (1 + (d % 6))}Mi` }, requests },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
    });
    const podSpecOf = (img: string): Json => ({
      containers: [container(img)],
      dnsPolicy: "ClusterFirst",
      enableServiceLinks: true,
      ...(ns === "kube-system" ? {} : { imagePullSecrets: [{ name: "registry-pull" }] }),
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
      serviceAccount: "default",
      serviceAccountName: "default",
      terminationGracePeriodSeconds: 30,
      topologySpreadConstraints: [{ labelSelector: { matchLabels: selector }, maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }],
    });
    emit("ConfigMap", ns, `${name}-config`, created, { data: { LOG_LEVEL: "info", LISTEN_ADDR: ":8080", UPSTREAM: `http://${APPS[(d + 1) % APPS.length]}.${ns}.svc.cluster.local` } });

    const revision = 2 + (d % 9);
    const hash = templateHash({ ns, name, version });
    const badImage = `${image.replace(/:[^:]+$/, "")}:${version}-rc1`;
    const newHash = templateHash({ ns, name, version, bad: true });
    // Written once its status is known (after its pods).
    const deployment = make("Deployment", ns, name, created, {
      spec: { progressDeadlineSeconds: 600, replicas, revisionHistoryLimit: 10, selector: { matchLabels: selector }, strategy: { rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" }, type: "RollingUpdate" }, template: { metadata: { creationTimestamp: null, labels }, spec: podSpecOf(imagePull ? badImage : image) } },
    }, { annotations: { "deployment.kubernetes.io/revision": String(imagePull ? revision + 1 : revision) }, generation: imagePull ? revision + 1 : revision, labels });
    const deployUid = (deployment.metadata as Json).uid as string;
    const dOwner = { apiVersion: "apps/v1", blockOwnerDeletion: true, controller: true, kind: "Deployment", name, uid: deployUid };
    const rsCreated = T - 86_400_000 * (1 + (d % 20)) - rng.int(86_400_000);
    const replicaSet = (h: string, img: string, rsReplicas: number, rev: number, at: number, ready: number): Json =>
      emit("ReplicaSet", ns, `${name}-${h}`, at, {
        spec: { replicas: rsReplicas, selector: { matchLabels: { ...selector, "pod-template-hash": h } }, template: { metadata: { creationTimestamp: null, labels: { ...labels, "pod-template-hash": h } }, spec: podSpecOf(img) } },
        status: rsReplicas ? { ...(ready ? { availableReplicas: ready, readyReplicas: ready } : {}), fullyLabeledReplicas: rsReplicas, observedGeneration: 1, replicas: rsReplicas } : { observedGeneration: 2, replicas: 0 },
      }, { annotations: { "deployment.kubernetes.io/desired-replicas": String(replicas), "deployment.kubernetes.io/max-replicas": String(replicas + Math.ceil(replicas / 4)), "deployment.kubernetes.io/revision": String(rev) }, generation: rsReplicas ? 1 : 2, labels: { ...labels, "pod-template-hash": h }, ownerReferences: [dOwner] });
    if (d % 2 === 0) replicaSet(templateHash({ ns, name, old: true }), image.replace(/:[^:]+$/, ":0.9.0"), 0, revision - 1, rsCreated - 86_400_000 * 7, 0);

    // Which pods run, and in what state.
    const surge = imagePull ? 1 : 0;
    const readyCount = crashLoop || unschedulable ? 0 : replicas;
    const rs = replicaSet(hash, image, replicas, revision, rsCreated, readyCount);
    const rsOwner = { apiVersion: "apps/v1", blockOwnerDeletion: true, controller: true, kind: "ReplicaSet", name: `${name}-${hash}`, uid: (rs.metadata as Json).uid };
    const endpoints: { ip: string; node: string; pod: string; uid: string; ready: boolean; zone: string }[] = [];
    const podNames = Array.from({ length: replicas }, () => generated(ns, `${name}-${hash}-`)).sort();
    let deploymentReady = 0;
    for (const podName of podNames) {
      const podCreated = rsCreated + 1000 + rng.int(30_000);
      const meta = { generateName: `${name}-${hash}-`, labels: { ...labels, "pod-template-hash": hash }, ownerReferences: [rsOwner] };
      const spec = { ...podSpecOf(image), preemptionPolicy: "PreemptLowerPriority", priority: 0, tolerations: defaultTolerations, volumes: [tokenVolume()] };
      if (unschedulable) {
        const message = unschedulableMessage;
        const pod = emit("Pod", ns, podName, podCreated, { spec, status: { conditions: [{ lastProbeTime: null, lastTransitionTime: iso(podCreated + 50), message, reason: "Unschedulable", status: "False", type: "PodScheduled" }], phase: "Pending", qosClass: "Burstable" } }, meta);
        emit("Event", ns, `${podName}.${(BigInt(podCreated) * 1_000_000n).toString(16)}`, podCreated + 50, { action: "Scheduling", eventTime: isoMicro(podCreated + 50, rng.int(1000)), firstTimestamp: null, involvedObject: { apiVersion: "v1", kind: "Pod", name: podName, namespace: ns, uid: (pod.metadata as Json).uid }, lastTimestamp: null, message, reason: "FailedScheduling", reportingComponent: "default-scheduler", reportingInstance: "default-scheduler-cp-1", series: { count: 200 + rng.int(100), lastObservedTime: isoMicro(T - rng.int(1_500_000), rng.int(1000)) }, source: {}, type: "Warning" });
        continue;
      }
      const node = placePod();
      const ip = podIP(node);
      const started = podCreated + 4000;
      const podReady = node.ready && !crashLoop;
      let containerStatus: Json;
      let conditions: Json[];
      if (crashLoop) {
        const restarts = 20 + rng.int(200);
        const lastFinish = T - 20_000 - rng.int(250_000);
        containerStatus = { containerID: `containerd://${rng.hex(64)}`, image: normalizeImage(image), imageID: imageID(image), lastState: { terminated: { containerID: `containerd://${rng.hex(64)}`, exitCode: 1, finishedAt: iso(lastFinish), reason: "Error", startedAt: iso(lastFinish - 3000) } }, name: "app", ready: false, restartCount: restarts, started: false, state: { waiting: { message: `back-off 5m0s restarting failed container=app pod=${podName}_${ns}(${rng.uuid()})`, reason: "CrashLoopBackOff" } } };
        conditions = readyConditions(podCreated + 1000, undefined, lastFinish, ["app"]);
      } else {
        containerStatus = { containerID: `containerd://${rng.hex(64)}`, image: normalizeImage(image), imageID: imageID(image), lastState: {}, name: "app", ready: podReady, restartCount: 0, started: true, state: { running: { startedAt: iso(started) } } };
        conditions = podReady ? readyConditions(podCreated + 1000, started + 6000, 0, []) : readyConditions(podCreated + 1000, undefined, notReadySince + 40_000, ["app"]);
      }
      const pod = emit("Pod", ns, podName, podCreated, { spec: { ...spec, nodeName: node.name }, status: { conditions, containerStatuses: [containerStatus], hostIP: node.ip, hostIPs: [{ ip: node.ip }], phase: "Running", podIP: ip, podIPs: [{ ip }], qosClass: "Burstable", startTime: iso(podCreated + 1000) } }, meta);
      const uid = (pod.metadata as Json).uid as string;
      endpoints.push({ ip, node: node.name, pod: podName, uid, ready: podReady, zone: node.zone });
      if (podReady) deploymentReady++;
      if (crashLoop) {
        const involved = { apiVersion: "v1", fieldPath: "spec.containers{app}", kind: "Pod", name: podName, namespace: ns, uid };
        event(ns, involved, "BackOff", `Back-off restarting failed container app in pod ${podName}_${ns}(${uid})`, "Warning", T - 3_500_000, T - rng.int(60_000), 300 + rng.int(500), "kubelet", node.name);
        event(ns, involved, "Pulled", `Container image "${image}" already present on machine`, "Normal", T - 3_500_000, T - 300_000, 12, "kubelet", node.name);
      }
    }
    if (crashLoop) planted.crashLoopingDeployments.push(`${ns}/${name}`);
    if (unschedulable) planted.unschedulableDeployments.push(`${ns}/${name}`);

    // A rollout to a tag that does not exist: one surge pod in ImagePullBackOff, progress deadline exceeded.
    if (imagePull) {
      planted.imagePullDeployments.push(`${ns}/${name}`);
      const rolloutAt = T - 1_800_000;
      const newRs = replicaSet(newHash, badImage, surge, revision + 1, rolloutAt, 0);
      const node = placePod();
      const podName = generated(ns, `${name}-${newHash}-`);
      const ip = podIP(node);
      const pod = emit("Pod", ns, podName, rolloutAt + 100, {
        spec: { ...podSpecOf(badImage), nodeName: node.name, preemptionPolicy: "PreemptLowerPriority", priority: 0, tolerations: defaultTolerations, volumes: [tokenVolume()] },
        status: { conditions: readyConditions(rolloutAt + 200, undefined, rolloutAt + 200, ["app"]), containerStatuses: [{ image: badImage, imageID: "", lastState: {}, name: "app", ready: false, restartCount: 0, started: false, state: { waiting: { message: `Back-off pulling image "${badImage}"`, reason: "ImagePullBackOff" } } }], hostIP: node.ip, hostIPs: [{ ip: node.ip }], phase: "Pending", podIP: ip, podIPs: [{ ip }], qosClass: "Burstable", startTime: iso(rolloutAt + 200) },
      }, { generateName: `${name}-${newHash}-`, labels: { ...labels, "pod-template-hash": newHash }, ownerReferences: [{ apiVersion: "apps/v1", blockOwnerDeletion: true, controller: true, kind: "ReplicaSet", name: `${name}-${newHash}`, uid: (newRs.metadata as Json).uid }] });
      const uid = (pod.metadata as Json).uid as string;
      endpoints.push({ ip, node: node.name, pod: podName, uid, ready: false, zone: node.zone });
      const involved = { apiVersion: "v1", fieldPath: "spec.containers{app}", kind: "Pod", name: podName, namespace: ns, uid };
      event(ns, involved, "Failed", `Failed to pull image "${badImage}": rpc error: code = NotFound desc = failed to pull and unpack image "${badImage}": failed to resolve reference "${badImage}": ${badImage}: not found`, "Warning", rolloutAt + 2000, T - 400_000, 8, "kubelet", node.name);
      event(ns, involved, "BackOff", `Back-off pulling image "${badImage}"`, "Normal", rolloutAt + 15_000, T - rng.int(30_000), 120, "kubelet", node.name);
      event(ns, { apiVersion: "apps/v1", kind: "Deployment", name, namespace: ns, uid: deployUid }, "ScalingReplicaSet", `Scaled up replica set ${name}-${newHash} from 0 to 1`, "Normal", rolloutAt, rolloutAt, 1, "deployment-controller");
    }

    const total = replicas + surge;
    deployment.status = {
      ...(deploymentReady ? { availableReplicas: deploymentReady, readyReplicas: deploymentReady } : {}),
      conditions: [
        deploymentReady >= replicas - Math.floor(replicas / 4) && deploymentReady > 0
          ? { lastTransitionTime: iso(rsCreated + 40_000), lastUpdateTime: iso(rsCreated + 40_000), message: "Deployment has minimum availability.", reason: "MinimumReplicasAvailable", status: "True", type: "Available" }
          : { lastTransitionTime: iso(crashLoop ? T - 3_500_000 : rsCreated + 100), lastUpdateTime: iso(crashLoop ? T - 3_500_000 : rsCreated + 100), message: "Deployment does not have minimum availability.", reason: "MinimumReplicasUnavailable", status: "False", type: "Available" },
        imagePull || unschedulable
          ? { lastTransitionTime: iso((imagePull ? T - 1_800_000 : rsCreated) + 601_000), lastUpdateTime: iso((imagePull ? T - 1_800_000 : rsCreated) + 601_000), message: `ReplicaSet "${name}-${imagePull ? newHash : hash}" has timed out progressing.`, reason: "ProgressDeadlineExceeded", status: "False", type: "Progressing" }
          : { lastTransitionTime: iso(created + 1000), lastUpdateTime: iso(rsCreated + 40_000), message: `ReplicaSet "${name}-${hash}" has successfully progressed.`, reason: "NewReplicaSetAvailable", status: "True", type: "Progressing" },
      ],
      observedGeneration: imagePull ? revision + 1 : revision,
      replicas: total,
      ...(total - deploymentReady ? { unavailableReplicas: total - deploymentReady } : {}),
      updatedReplicas: imagePull ? surge : replicas,
    };
    writers.Deployment.add(deployment);
    progressAt++;
    if (progressAt % 2000 === 0) options.onProgress?.(`${writers.Pod.items} pods, ${deploymentIndex} deployments`);

    // Service, Endpoints, EndpointSlice.
    const svcName = name === "coredns" ? "kube-dns" : name;
    const svcSelector = selectorTypo ? { "app.kubernetes.io/name": `${name}s` } : selector;
    if (selectorTypo) planted.selectorTypoServices.push(`${ns}/${svcName}`);
    const svc = emit("Service", ns, svcName, created, { spec: { clusterIP: `10.${96 + (d >> 16)}.${(d >> 8) & 255}.${(d & 255) || 1}`, clusterIPs: [`10.${96 + (d >> 16)}.${(d >> 8) & 255}.${(d & 255) || 1}`], internalTrafficPolicy: "Cluster", ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack", ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: "http" }, { name: "metrics", port: 9090, protocol: "TCP", targetPort: "metrics" }], selector: svcSelector, sessionAffinity: "None", type: "ClusterIP" }, status: { loadBalancer: {} } }, { labels: selector });
    const selected = selectorTypo ? [] : endpoints.sort((a, b) => (a.ip < b.ip ? -1 : 1));
    const address = (e: (typeof selected)[number]): Json => ({ ip: e.ip, nodeName: e.node, targetRef: { kind: "Pod", name: e.pod, namespace: ns, uid: e.uid } });
    const readyAddrs = selected.filter((e) => e.ready).map(address);
    const notReady = selected.filter((e) => !e.ready).map(address);
    const ports = [{ name: "http", port: 8080, protocol: "TCP" }, { name: "metrics", port: 9090, protocol: "TCP" }];
    emit("Endpoints", ns, svcName, created, selected.length ? { subsets: [{ ...(readyAddrs.length ? { addresses: readyAddrs } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }] } : {}, { labels: selector, annotations: { "endpoints.kubernetes.io/last-change-trigger-time": iso(T - rng.int(86_400_000)) } });
    emit("EndpointSlice", ns, generated(ns, `${svcName}-`), created, {
      addressType: "IPv4",
      endpoints: selected.length ? selected.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready, serving: e.ready, terminating: false }, nodeName: e.node, targetRef: { kind: "Pod", name: e.pod, namespace: ns, uid: e.uid }, zone: e.zone })) : null,
      ports: selected.length ? ports : null,
    }, { generateName: `${svcName}-`, generation: 1, labels: { ...selector, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "kubernetes.io/service-name": svcName }, ownerReferences: [{ apiVersion: "v1", blockOwnerDeletion: true, controller: true, kind: "Service", name: svcName, uid: (svc.metadata as Json).uid }] });
  }

  // Node events for the NotReady node.
  if (planted.notReadyNode) {
    event("default", { apiVersion: "v1", kind: "Node", name: planted.notReadyNode }, "NodeNotReady", `Node ${planted.notReadyNode} status is now: NodeNotReady`, "Normal", notReadySince, notReadySince, 1, "node-controller");
  }

  const files: GenerateSummary["files"] = {};
  for (const [kind, writer] of Object.entries(writers) as [Kind, ListWriter][]) {
    writer.close();
    files[FILES[kind]] = { items: writer.items, bytes: writer.bytes };
  }
  // Beside the directory, not in it: loaders would try to read it as cluster data.
  writeFileSync(`${out.replace(/\/+$/, "")}.planted.json`, JSON.stringify(planted, null, 2) + "\n");
  return { files, planted };
}

/** The FitError text of kube-scheduler (pkg/scheduler/framework/types.go), filter reasons then the preemption post-filter. */
export function fitError(nodeCount: number, reasons: Record<string, number>, preemption: Record<string, number>): string {
  const histogram = (r: Record<string, number>): string =>
    Object.entries(r)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${n} ${reason}`)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .join(", ");
  return `0/${nodeCount} nodes are available: ${histogram(reasons)}. preemption: 0/${nodeCount} nodes are available: ${histogram(preemption)}.`;
}

function main(): void {
  const { values } = parseArgs({ options: { nodes: { type: "string", default: "500" }, pods: { type: "string", default: "15000" }, out: { type: "string" }, seed: { type: "string", default: "1" } } });
  const nodes = Number(values.nodes);
  const pods = Number(values.pods);
  const out = values.out ?? `bench/out/${nodes}x${pods}`;
  const start = performance.now();
  const summary = generateCluster({ nodes, pods, out, seed: Number(values.seed), onProgress: (m) => process.stderr.write(`  ${m}\n`) });
  const total = Object.values(summary.files).reduce((a, f) => a + f.bytes, 0);
  process.stdout.write(`wrote ${out}: ${(total / 1e6).toFixed(0)} MB in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  for (const [file, f] of Object.entries(summary.files)) process.stdout.write(`  ${file.padEnd(22)} ${String(f.items).padStart(8)} items ${(f.bytes / 1e6).toFixed(1).padStart(9)} MB\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
