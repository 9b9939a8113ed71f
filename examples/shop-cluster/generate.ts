// Generates examples/shop-cluster/*.json: a `kubectl get -A -o json` capture of a small production
// cluster (kubeadm v1.31 on Hetzner Cloud VMs) with seven planted problems, each written the way
// Kubernetes itself shows it: object status, controller and kubelet events, Endpoints/EndpointSlices.
// Deterministic; run `npx tsx examples/shop-cluster/generate.ts` and commit the output. README.md lists
// the problems and how each shows up.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ClusterBuilder,
  condition,
  cpuMillis,
  isPodReady,
  isTerminal,
  quantity,
  type ContainerRun,
  type NodeDef,
  type TemplateDef,
} from "../../fixtures/clusters/_generator/cluster-builder.js";
import { iso, meta, type Json } from "../../fixtures/clusters/_generator/kube-factory.js";

const OUT = dirname(fileURLToPath(import.meta.url));
const T = Date.parse("2026-11-20T09:30:00Z"); // capture time: nothing in the snapshot is newer
const at = (text: string): number => {
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms > T) throw new Error(`bad time ${text}`);
  return ms;
};
const K8S = "v1.31.9";
const CP = "shop-prod-cp-1";
const b = new ClusterBuilder({ captureMs: T, clusterBirthMs: at("2025-02-11T10:14:00Z"), seed: 20261120, kubernetesVersion: K8S, controlPlaneNode: CP });
const ago = (text: string): number => b.ago(text);

// ---------------------------------------------------------------- nodes
// One control-plane node and four workers. All were rebooted one by one on 2026-10-04 for a kernel
// update, which is why pods older than that show restartCount 1 with a last state "Unknown"/255.

const REBOOT = at("2026-10-04T02:10:00Z");
const heartbeat = (kubeletStart: number): number => kubeletStart + Math.floor((T - kubeletStart) / 300_000) * 300_000;
const DISK_PRESSURE_AT = at("2026-11-20T09:26:40Z");
const EVICTED_AT = at("2026-11-20T09:26:50Z");

const nodeBase = {
  kubeletVersion: K8S,
  osImage: "Ubuntu 24.04.1 LTS",
  kernelVersion: "6.8.0-45-generic",
  containerRuntimeVersion: "containerd://1.7.22",
  cni: "calico" as const,
  labels: { "topology.kubernetes.io/region": "fsn1", "topology.kubernetes.io/zone": "fsn1-dc14", "csi.hetzner.cloud/location": "fsn1" },
};
const nodeDefs: NodeDef[] = [
  { name: CP, role: "control-plane", internalIP: "10.0.1.10", externalIP: "203.0.113.10", podCIDR: "10.244.0.0/24", cpu: "4", memoryKi: 7_924_620, ephemeralKi: 157_197_432, instanceType: "cpx31", providerID: "hcloud://58210341", createdAt: at("2025-02-11T10:14:00Z"), kubeletStartedAt: REBOOT + 47_000, heartbeatAt: 0, taints: [{ effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane" }], ...nodeBase },
  { name: "shop-prod-worker-1", role: "worker", internalIP: "10.0.1.11", externalIP: "203.0.113.11", podCIDR: "10.244.1.0/24", cpu: "4", memoryKi: 16_336_456, ephemeralKi: 157_197_432, instanceType: "ccx23", providerID: "hcloud://58210377", createdAt: at("2025-02-11T10:31:12Z"), kubeletStartedAt: REBOOT + 9 * 60_000 + 13_000, heartbeatAt: 0, ...nodeBase },
  { name: "shop-prod-worker-2", role: "worker", internalIP: "10.0.1.12", externalIP: "203.0.113.12", podCIDR: "10.244.2.0/24", cpu: "4", memoryKi: 16_336_456, ephemeralKi: 157_197_432, instanceType: "ccx23", providerID: "hcloud://58210378", createdAt: at("2025-02-11T10:31:40Z"), kubeletStartedAt: REBOOT + 17 * 60_000 + 31_000, heartbeatAt: 0, ...nodeBase },
  {
    name: "shop-prod-worker-3", role: "worker", internalIP: "10.0.1.13", externalIP: "203.0.113.13", podCIDR: "10.244.3.0/24", cpu: "4", memoryKi: 16_336_456, ephemeralKi: 157_197_432, instanceType: "ccx23", providerID: "hcloud://58210379", createdAt: at("2025-02-11T10:32:05Z"), kubeletStartedAt: REBOOT + 26 * 60_000 + 8_000, heartbeatAt: 0, ...nodeBase,
    // (f) DiskPressure: the condition changed at 09:26:40, which made the kubelet write status at once.
    // It stays True for evictionPressureTransitionPeriod (5m) after the eviction freed the disk.
    conditions: { DiskPressure: { status: "True", reason: "KubeletHasDiskPressure", message: "kubelet has disk pressure", since: DISK_PRESSURE_AT } },
    // The node lifecycle controller taints nodes by condition (NoSchedule taints carry no timeAdded).
    taints: [{ effect: "NoSchedule", key: "node.kubernetes.io/disk-pressure" }],
  },
  { name: "shop-prod-worker-4", role: "worker", internalIP: "10.0.1.14", externalIP: "203.0.113.14", podCIDR: "10.244.4.0/24", cpu: "4", memoryKi: 16_336_456, ephemeralKi: 157_197_432, instanceType: "ccx23", providerID: "hcloud://61877025", createdAt: at("2025-07-15T13:02:44Z"), kubeletStartedAt: REBOOT + 34 * 60_000 + 52_000, heartbeatAt: 0, ...nodeBase },
];
for (const def of nodeDefs) {
  def.heartbeatAt = def.name === "shop-prod-worker-3" ? DISK_PRESSURE_AT : heartbeat(def.kubeletStartedAt);
  b.node(def);
}
const W1 = "shop-prod-worker-1";
const W2 = "shop-prod-worker-2";
const W3 = "shop-prod-worker-3";
const W4 = "shop-prod-worker-4";
const kubeletStart = (node: string): number => b.nodeDef(node).kubeletStartedAt;

// ---------------------------------------------------------------- namespaces and shared config

const BIRTH = at("2025-02-11T10:14:20Z");
for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system"]) b.namespace(ns, BIRTH);
b.namespace("ingress-nginx", at("2025-02-11T11:02:09Z"), { "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx" });
b.namespace("monitoring", at("2025-02-12T08:40:51Z"));
b.namespace("shop", at("2025-02-13T09:12:30Z"), { team: "storefront" });
b.namespace("payments", at("2025-02-13T09:12:31Z"), { team: "payments", "pod-security.kubernetes.io/enforce": "restricted" });

// ---------------------------------------------------------------- helpers for this story

/** A container that has been running (and ready) since `startedAt`; restarted once by the node reboot if older. */
function up(startedAt: number, node: string | undefined, readyAfterSeconds = 6): ContainerRun {
  if (node && startedAt < kubeletStart(node)) {
    const restarted = kubeletStart(node) + 25_000 + b.rng.int(40_000);
    return { state: "running", startedAt: restarted, readyAt: restarted + readyAfterSeconds * 1000, restarts: 1, last: { exitCode: 255, reason: "Unknown", startedAt, finishedAt: kubeletStart(node) - 95_000 + b.rng.int(30_000) } };
  }
  return { state: "running", startedAt, readyAt: startedAt + readyAfterSeconds * 1000 };
}

const httpProbe = (path: string, port: string | number, extra: Json = {}): Json => ({ httpGet: { path, port }, ...extra });

function appTemplate(name: string, version: string, c: Partial<TemplateDef["containers"][number]> & { image: string }, extra: Partial<TemplateDef> = {}): TemplateDef {
  return {
    labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/version": version },
    containers: [
      {
        name,
        ports: [{ name: "http", containerPort: 8080 }],
        readinessProbe: httpProbe("/healthz/ready", "http", { periodSeconds: 5 }),
        livenessProbe: httpProbe("/healthz/live", "http", { initialDelaySeconds: 10 }),
        ...c,
      },
    ],
    imagePullSecrets: [{ name: "ghcr-pull" }],
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    ...extra,
  };
}

/** A PodDisruptionBudget with the status the disruption controller computes (expected = the workload's replicas). */
function pdb(ns: string, name: string, created: number, minAvailable: number, expected: number, healthy: number, since: number): void {
  b.object(
    "PodDisruptionBudget",
    ns,
    name,
    created,
    {
      spec: { minAvailable, selector: { matchLabels: { "app.kubernetes.io/name": name } } },
      status: {
        conditions: [{ lastTransitionTime: iso(since), message: "", observedGeneration: 1, reason: "SufficientPods", status: "True", type: "DisruptionAllowed" }],
        currentHealthy: healthy,
        desiredHealthy: minAvailable,
        disruptionsAllowed: healthy - minAvailable,
        expectedPods: expected,
        observedGeneration: 1,
      },
    },
    { generation: 1 },
  );
}

interface PodPlan {
  node: string;
  createdAt: number;
  runs?: ContainerRun[];
}

/**
 * A Deployment with its ReplicaSets (older revisions scaled to 0) and the pods of the ones that run.
 * Returns the objects for scenario-specific events and status.
 */
function deploymentApp(d: {
  namespace: string;
  name: string;
  replicas: number;
  createdAt: number;
  generation?: number;
  revisions: { revision: number; createdAt: number; template: TemplateDef; replicas: number; pods?: PodPlan[] }[];
}): { deploy: Json; rs: Json[]; pods: Json[][]; hashes: string[] } {
  const latest = d.revisions[d.revisions.length - 1]!;
  const deploy = b.deployment({ namespace: d.namespace, name: d.name, createdAt: d.createdAt, replicas: d.replicas, template: latest.template, revision: latest.revision, ...(d.generation ? { generation: d.generation } : {}) });
  const rs: Json[] = [];
  const pods: Json[][] = [];
  const hashes: string[] = [];
  for (const r of d.revisions) {
    const made = b.replicaSet(deploy, { revision: r.revision, createdAt: r.createdAt, replicas: r.replicas, template: r.template });
    rs.push(made.rs);
    hashes.push(made.hash);
    pods.push(
      (r.pods ?? []).map((plan) =>
        b.pod({
          namespace: d.namespace,
          name: `${meta(made.rs).name}-${b.rng.suffix()}`,
          generateName: `${meta(made.rs).name}-`,
          template: made.template,
          owner: made.rs,
          createdAt: plan.createdAt,
          node: plan.node,
          runs: plan.runs ?? made.template.containers.map(() => up(plan.createdAt + 4000, plan.node)),
        }),
      ),
    );
  }
  // Deployment template must be the latest template including its hash-free labels (as stored).
  return { deploy, rs, pods, hashes };
}

function healthy(app: { deploy: Json; rs: Json[]; hashes: string[] }, availableSince: number): void {
  const last = app.rs[app.rs.length - 1]!;
  const c = b.healthyDeploymentConditions(meta(last).name, availableSince, Date.parse(meta(last).creationTimestamp) + 40_000, Date.parse(meta(app.deploy).creationTimestamp) + 2000);
  b.finishDeployment(app.deploy, c);
}

// ---------------------------------------------------------------- kube-system

const staticPod = (component: string, image: string, cpu: string, extra: Partial<TemplateDef["containers"][number]> = {}): void => {
  const node = b.nodeObject(CP);
  const created = at("2025-02-11T10:14:11Z");
  b.pod({
    namespace: "kube-system",
    name: `${component}-${CP}`,
    template: {
      labels: { component, tier: "control-plane" },
      annotations: {
        "kubernetes.io/config.hash": b.rng.hex(32),
        "kubernetes.io/config.mirror": b.rng.hex(32),
        "kubernetes.io/config.seen": iso(REBOOT + 20_000).replace("Z", ".118374526Z"),
        "kubernetes.io/config.source": "file",
        ...(component === "kube-apiserver" ? { "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": "10.0.1.10:6443" } : {}),
        ...(component === "etcd" ? { "kubeadm.kubernetes.io/etcd.advertise-client-urls": "https://10.0.1.10:2379" } : {}),
      },
      containers: [{ name: component, image, resources: { requests: { cpu, ...(component === "etcd" ? { memory: "100Mi" } : {}) } }, ...extra }],
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      tolerations: [{ effect: "NoExecute", operator: "Exists" }],
    },
    owner: { apiVersion: "v1", kind: "Node", name: CP, uid: meta(node).uid },
    createdAt: created,
    node: CP,
    runs: [up(created + 2000, CP, 15)],
  });
};
staticPod("etcd", "registry.k8s.io/etcd:3.5.15-0", "100m", { command: ["etcd", "--advertise-client-urls=https://10.0.1.10:2379", "--data-dir=/var/lib/etcd"] });
staticPod("kube-apiserver", `registry.k8s.io/kube-apiserver:${K8S}`, "250m", { command: ["kube-apiserver", "--advertise-address=10.0.1.10", "--service-cluster-ip-range=10.96.0.0/12"] });
staticPod("kube-controller-manager", `registry.k8s.io/kube-controller-manager:${K8S}`, "200m", { command: ["kube-controller-manager", "--cluster-cidr=10.244.0.0/16", "--leader-elect=true"] });
staticPod("kube-scheduler", `registry.k8s.io/kube-scheduler:${K8S}`, "100m", { command: ["kube-scheduler", "--leader-elect=true"] });

function daemon(ns: string, name: string, created: number, template: TemplateDef, initImages: string[] = []): void {
  const { ds, hash } = b.daemonSet({ namespace: ns, name, createdAt: created, template });
  for (const def of nodeDefs) {
    const extras = b.daemonPodExtras(template, def.name);
    const podCreated = Math.max(created, def.createdAt) + 20_000 + b.rng.int(30_000);
    const initRuns = initImages.map((_, i): ContainerRun => ({ state: "terminated", exitCode: 0, reason: "Completed", startedAt: kubeletStart(def.name) + 12_000 + i * 3000, finishedAt: kubeletStart(def.name) + 14_000 + i * 3000 }));
    b.pod({
      namespace: ns,
      name: `${name}-${b.rng.suffix()}`,
      generateName: `${name}-`,
      template: extras.template,
      labels: { "controller-revision-hash": hash, "pod-template-generation": "1" },
      owner: ds,
      createdAt: podCreated,
      node: def.name,
      extraTolerations: extras.extraTolerations,
      runs: template.containers.map(() => up(podCreated + 3000, def.name, 10)),
      ...(initRuns.length ? { initRuns } : {}),
    });
  }
  b.finishDaemonSet(ds);
}

for (const sa of ["kube-proxy", "coredns", "calico-node", "calico-kube-controllers", "hcloud-csi-controller", "hcloud-cloud-controller-manager"]) b.serviceAccount("kube-system", sa, BIRTH + 60_000);
b.configMap("kube-system", "kube-proxy", BIRTH + 30_000, { "config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\nclusterCIDR: 10.244.0.0/16\n", kubeconfig: "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.0.1.10:6443\n  name: default\n" });
b.configMap("kube-system", "coredns", BIRTH + 30_000, { Corefile: ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf {\n       max_concurrent 1000\n    }\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n" });
b.configMap("kube-system", "kubeadm-config", BIRTH + 10_000, { ClusterConfiguration: `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: ${K8S}\nnetworking:\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12\n` });
b.configMap("kube-system", "calico-config", BIRTH + 90_000, { calico_backend: "bird", cni_network_config: '{"name":"k8s-pod-network","cniVersion":"0.3.1","plugins":[{"type":"calico"}]}', typha_service_name: "none", veth_mtu: "0" });
b.secret("kube-system", "hcloud", BIRTH + 40_000, "Opaque", ["token", "network"]);

daemon("kube-system", "kube-proxy", BIRTH + 40_000, {
  labels: { "k8s-app": "kube-proxy" },
  containers: [{ name: "kube-proxy", image: `registry.k8s.io/kube-proxy:${K8S}`, command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"], env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } }], securityContext: { privileged: true }, volumeMounts: [{ name: "kube-proxy", mountPath: "/var/lib/kube-proxy" }, { name: "xtables-lock", mountPath: "/run/xtables.lock" }, { name: "lib-modules", mountPath: "/lib/modules", readOnly: true }] }],
  hostNetwork: true,
  nodeSelector: { "kubernetes.io/os": "linux" },
  priorityClassName: "system-node-critical",
  serviceAccountName: "kube-proxy",
  tolerations: [{ operator: "Exists" }],
  volumes: [{ name: "kube-proxy", configMap: { defaultMode: 420, name: "kube-proxy" } }, { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } }, { name: "lib-modules", hostPath: { path: "/lib/modules", type: "" } }],
});

daemon(
  "kube-system",
  "calico-node",
  BIRTH + 90_000,
  {
    labels: { "k8s-app": "calico-node" },
    initContainers: [
      { name: "upgrade-ipam", image: "docker.io/calico/cni:v3.28.2", command: ["/opt/cni/bin/calico-ipam", "-upgrade"], securityContext: { privileged: true } },
      { name: "install-cni", image: "docker.io/calico/cni:v3.28.2", command: ["/opt/cni/bin/install"], envFrom: [{ configMapRef: { name: "kubernetes-services-endpoint", optional: true } }], securityContext: { privileged: true } },
    ],
    containers: [
      {
        name: "calico-node",
        image: "docker.io/calico/node:v3.28.2",
        env: [
          { name: "DATASTORE_TYPE", value: "kubernetes" },
          { name: "CALICO_NETWORKING_BACKEND", valueFrom: { configMapKeyRef: { key: "calico_backend", name: "calico-config" } } },
          { name: "CALICO_IPV4POOL_CIDR", value: "10.244.0.0/16" },
          { name: "NODENAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } },
        ],
        resources: { requests: { cpu: "250m" } },
        readinessProbe: { exec: { command: ["/bin/calico-node", "-felix-ready", "-bird-ready"] }, timeoutSeconds: 10 },
        livenessProbe: { exec: { command: ["/bin/calico-node", "-felix-live", "-bird-live"] }, initialDelaySeconds: 10, timeoutSeconds: 10, failureThreshold: 6 },
        securityContext: { privileged: true },
      },
    ],
    hostNetwork: true,
    nodeSelector: { "kubernetes.io/os": "linux" },
    priorityClassName: "system-node-critical",
    serviceAccountName: "calico-node",
    terminationGracePeriodSeconds: 0,
    tolerations: [{ effect: "NoSchedule", operator: "Exists" }, { key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoExecute", operator: "Exists" }],
  },
  ["docker.io/calico/cni:v3.28.2", "docker.io/calico/cni:v3.28.2"],
);

daemon("kube-system", "hcloud-csi-node", BIRTH + 50_000, {
  labels: { app: "hcloud-csi", component: "node" },
  containers: [
    { name: "csi-node-driver-registrar", image: "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.11.1", args: ["--kubelet-registration-path=/var/lib/kubelet/plugins/csi.hetzner.cloud/socket"], volumeMounts: [{ name: "plugin-dir", mountPath: "/run/csi" }, { name: "registration-dir", mountPath: "/registration" }] },
    { name: "hcloud-csi-driver", image: "docker.io/hetznercloud/hcloud-csi-driver:v2.9.0", command: ["/bin/hcloud-csi-driver-node"], ports: [{ name: "metrics", containerPort: 9189 }, { name: "healthz", containerPort: 9808 }], livenessProbe: httpProbe("/healthz", "healthz", { initialDelaySeconds: 10, timeoutSeconds: 3, periodSeconds: 2, failureThreshold: 5 }), securityContext: { privileged: true }, volumeMounts: [{ name: "kubelet-dir", mountPath: "/var/lib/kubelet" }, { name: "plugin-dir", mountPath: "/run/csi" }, { name: "device-dir", mountPath: "/dev" }] },
    { name: "liveness-probe", image: "registry.k8s.io/sig-storage/livenessprobe:v2.13.1", volumeMounts: [{ name: "plugin-dir", mountPath: "/run/csi" }] },
  ],
  tolerations: [{ effect: "NoExecute", operator: "Exists" }, { effect: "NoSchedule", operator: "Exists" }, { key: "CriticalAddonsOnly", operator: "Exists" }],
  volumes: [
    { name: "kubelet-dir", hostPath: { path: "/var/lib/kubelet", type: "Directory" } },
    { name: "plugin-dir", hostPath: { path: "/var/lib/kubelet/plugins/csi.hetzner.cloud/", type: "DirectoryOrCreate" } },
    { name: "registration-dir", hostPath: { path: "/var/lib/kubelet/plugins_registry/", type: "Directory" } },
    { name: "device-dir", hostPath: { path: "/dev", type: "Directory" } },
  ],
});

// CoreDNS: two replicas spread over the control plane and a worker.
const corednsTemplate: TemplateDef = {
  labels: { "k8s-app": "kube-dns" },
  containers: [
    {
      name: "coredns",
      image: "registry.k8s.io/coredns/coredns:v1.11.3",
      args: ["-conf", "/etc/coredns/Corefile"],
      ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }, { name: "dns-tcp", containerPort: 53 }, { name: "metrics", containerPort: 9153 }],
      resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
      readinessProbe: httpProbe("/ready", 8181),
      livenessProbe: httpProbe("/health", 8080, { initialDelaySeconds: 60, timeoutSeconds: 5, failureThreshold: 5 }),
      securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] }, readOnlyRootFilesystem: true },
      volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
    },
  ],
  affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ podAffinityTerm: { labelSelector: { matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] }, topologyKey: "kubernetes.io/hostname" }, weight: 100 }] } },
  dnsPolicy: "Default",
  nodeSelector: { "kubernetes.io/os": "linux" },
  priorityClassName: "system-cluster-critical",
  serviceAccountName: "coredns",
  tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane" }],
  volumes: [{ name: "config-volume", configMap: { defaultMode: 420, items: [{ key: "Corefile", path: "Corefile" }], name: "coredns" } }],
};
const coredns = deploymentApp({
  namespace: "kube-system",
  name: "coredns",
  replicas: 2,
  createdAt: BIRTH + 35_000,
  generation: 1,
  revisions: [{ revision: 1, createdAt: BIRTH + 35_000, template: corednsTemplate, replicas: 2, pods: [{ node: CP, createdAt: BIRTH + 36_000 }, { node: W2, createdAt: at("2025-02-11T10:33:02Z") }] }],
});
(coredns.deploy.spec as Json).strategy = { rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 }, type: "RollingUpdate" };
healthy(coredns, kubeletStart(W2) + 60_000);
b.service({ namespace: "kube-system", name: "kube-dns", createdAt: BIRTH + 35_000, clusterIP: "10.96.0.10", selector: { "k8s-app": "kube-dns" }, labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" }, annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" }, ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, targetPort: 53 }, { name: "metrics", port: 9153, targetPort: 9153 }] });

const calicoControllers = deploymentApp({
  namespace: "kube-system",
  name: "calico-kube-controllers",
  replicas: 1,
  createdAt: BIRTH + 90_000,
  generation: 1,
  revisions: [{ revision: 1, createdAt: BIRTH + 90_000, replicas: 1, template: { labels: { "k8s-app": "calico-kube-controllers" }, containers: [{ name: "calico-kube-controllers", image: "docker.io/calico/kube-controllers:v3.28.2", env: [{ name: "ENABLED_CONTROLLERS", value: "node" }, { name: "DATASTORE_TYPE", value: "kubernetes" }], readinessProbe: { exec: { command: ["/usr/bin/check-status", "-r"] } }, livenessProbe: { exec: { command: ["/usr/bin/check-status", "-l"] }, initialDelaySeconds: 10, timeoutSeconds: 10, failureThreshold: 6 } }], nodeSelector: { "kubernetes.io/os": "linux" }, priorityClassName: "system-cluster-critical", serviceAccountName: "calico-kube-controllers", tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane" }] }, pods: [{ node: W1, createdAt: at("2025-02-11T10:32:40Z") }] }],
});
(calicoControllers.deploy.spec as Json).strategy = { type: "Recreate" };
healthy(calicoControllers, kubeletStart(W1) + 50_000);

const ccm = deploymentApp({
  namespace: "kube-system",
  name: "hcloud-cloud-controller-manager",
  replicas: 1,
  createdAt: BIRTH + 45_000,
  generation: 1,
  revisions: [{ revision: 1, createdAt: BIRTH + 45_000, replicas: 1, template: { labels: { "app.kubernetes.io/instance": "hccm", "app.kubernetes.io/name": "hcloud-cloud-controller-manager" }, containers: [{ name: "hcloud-cloud-controller-manager", image: "docker.io/hetznercloud/hcloud-cloud-controller-manager:v1.20.0", command: ["/bin/hcloud-cloud-controller-manager", "--allow-untagged-cloud", "--cloud-provider=hcloud", "--route-reconciliation-period=30s", "--webhook-secure-port=0", "--leader-elect=false"], env: [{ name: "HCLOUD_TOKEN", valueFrom: { secretKeyRef: { key: "token", name: "hcloud" } } }, { name: "ROBOT_ENABLED", value: "false" }], ports: [{ name: "metrics", containerPort: 8233 }], resources: { requests: { cpu: "100m", memory: "50Mi" } } }], dnsPolicy: "Default", hostNetwork: true, priorityClassName: "system-cluster-critical", serviceAccountName: "hcloud-cloud-controller-manager", tolerations: [{ effect: "NoSchedule", key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true" }, { key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane", operator: "Exists" }, { effect: "NoExecute", key: "node.kubernetes.io/not-ready" }] }, pods: [{ node: CP, createdAt: BIRTH + 47_000 }] }],
});
healthy(ccm, kubeletStart(CP) + 40_000);

const csiController = deploymentApp({
  namespace: "kube-system",
  name: "hcloud-csi-controller",
  replicas: 1,
  createdAt: BIRTH + 50_000,
  generation: 1,
  revisions: [
    {
      revision: 1,
      createdAt: BIRTH + 50_000,
      replicas: 1,
      template: {
        labels: { app: "hcloud-csi", component: "controller" },
        containers: [
          { name: "csi-attacher", image: "registry.k8s.io/sig-storage/csi-attacher:v4.6.1", args: ["--default-fstype=ext4"], volumeMounts: [{ name: "socket-dir", mountPath: "/run/csi" }] },
          { name: "csi-resizer", image: "registry.k8s.io/sig-storage/csi-resizer:v1.11.2", volumeMounts: [{ name: "socket-dir", mountPath: "/run/csi" }] },
          { name: "csi-provisioner", image: "registry.k8s.io/sig-storage/csi-provisioner:v5.0.2", args: ["--feature-gates=Topology=true", "--default-fstype=ext4"], volumeMounts: [{ name: "socket-dir", mountPath: "/run/csi" }] },
          { name: "hcloud-csi-driver", image: "docker.io/hetznercloud/hcloud-csi-driver:v2.9.0", command: ["/bin/hcloud-csi-driver-controller"], env: [{ name: "HCLOUD_TOKEN", valueFrom: { secretKeyRef: { key: "token", name: "hcloud" } } }], ports: [{ name: "metrics", containerPort: 9189 }, { name: "healthz", containerPort: 9808 }], livenessProbe: httpProbe("/healthz", "healthz", { initialDelaySeconds: 10, timeoutSeconds: 3, periodSeconds: 2, failureThreshold: 5 }), volumeMounts: [{ name: "socket-dir", mountPath: "/run/csi" }] },
          { name: "liveness-probe", image: "registry.k8s.io/sig-storage/livenessprobe:v2.13.1", volumeMounts: [{ name: "socket-dir", mountPath: "/run/csi" }] },
        ],
        serviceAccountName: "hcloud-csi-controller",
        volumes: [{ name: "socket-dir", emptyDir: {} }],
      },
      pods: [{ node: W1, createdAt: at("2025-02-11T10:33:15Z") }],
    },
  ],
});
healthy(csiController, kubeletStart(W1) + 70_000);
b.service({ namespace: "kube-system", name: "hcloud-csi-controller-metrics", createdAt: BIRTH + 50_000, selector: { app: "hcloud-csi", component: "controller" }, labels: { app: "hcloud-csi" }, ports: [{ name: "metrics", port: 9189, targetPort: "metrics" }] });

// ---------------------------------------------------------------- storage

b.object("StorageClass", undefined, "hcloud-volumes", BIRTH + 52_000, { allowVolumeExpansion: true, provisioner: "csi.hetzner.cloud", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer" }, { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } });

/** A PVC bound to a dynamically provisioned PV, as external-provisioner and the PV controller leave them. */
function boundClaim(ns: string, name: string, size: string, createdAt: number, node: string, labels: Record<string, string>): void {
  const pvc = b.object(
    "PersistentVolumeClaim",
    ns,
    name,
    createdAt,
    { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } }, storageClassName: "hcloud-volumes", volumeMode: "Filesystem" }, status: { accessModes: ["ReadWriteOnce"], capacity: { storage: size }, phase: "Bound" } },
    {
      labels,
      finalizers: ["kubernetes.io/pvc-protection"],
      annotations: {
        "pv.kubernetes.io/bind-completed": "yes",
        "pv.kubernetes.io/bound-by-controller": "yes",
        "volume.beta.kubernetes.io/storage-provisioner": "csi.hetzner.cloud",
        "volume.kubernetes.io/selected-node": node,
        "volume.kubernetes.io/storage-provisioner": "csi.hetzner.cloud",
      },
    },
  );
  const pvName = `pvc-${meta(pvc).uid}`;
  (pvc.spec as Json).volumeName = pvName;
  b.object(
    "PersistentVolume",
    undefined,
    pvName,
    createdAt + 6000,
    {
      spec: {
        accessModes: ["ReadWriteOnce"],
        capacity: { storage: size },
        claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", name, namespace: ns, uid: meta(pvc).uid },
        csi: { driver: "csi.hetzner.cloud", fsType: "ext4", volumeAttributes: { "storage.kubernetes.io/csiProvisionerIdentity": "1728008031118-3215-csi.hetzner.cloud" }, volumeHandle: String(101_400_000 + b.rng.int(900_000)) },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "csi.hetzner.cloud/location", operator: "In", values: ["fsn1"] }] }] } },
        persistentVolumeReclaimPolicy: "Delete",
        storageClassName: "hcloud-volumes",
        volumeMode: "Filesystem",
      },
      status: { lastPhaseTransitionTime: iso(createdAt + 6000), phase: "Bound" },
    },
    { annotations: { "pv.kubernetes.io/provisioned-by": "csi.hetzner.cloud", "volume.kubernetes.io/provisioner-deletion-secret-name": "", "volume.kubernetes.io/provisioner-deletion-secret-namespace": "" }, finalizers: ["external-provisioner.volume.kubernetes.io/finalizer", "kubernetes.io/pv-protection"] },
  );
}

/** A StatefulSet with one bound PVC per replica. */
function statefulApp(s: { ns: string; name: string; serviceName: string; replicas: number; createdAt: number; template: TemplateDef; size: string; nodes: string[]; podsCreatedAt: number }): void {
  const claimLabels = { "app.kubernetes.io/name": s.name };
  const { sts, revision } = b.statefulSet({
    namespace: s.ns,
    name: s.name,
    createdAt: s.createdAt,
    replicas: s.replicas,
    serviceName: s.serviceName,
    template: s.template,
    volumeClaimTemplates: [{ metadata: { name: "data", labels: claimLabels }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: s.size } } } }],
  });
  s.nodes.forEach((node, i) => {
    const name = `${s.name}-${i}`;
    boundClaim(s.ns, `data-${name}`, s.size, s.createdAt + i * 40_000 + 1000, node, claimLabels);
    const created = s.podsCreatedAt + i * 40_000;
    b.pod({
      namespace: s.ns,
      name,
      generateName: `${s.name}-`,
      template: { ...s.template, hostname: name, subdomain: s.serviceName, volumes: [...(s.template.volumes ?? []), { name: "data", persistentVolumeClaim: { claimName: `data-${name}` } }] },
      labels: { "apps.kubernetes.io/pod-index": String(i), "controller-revision-hash": revision, "statefulset.kubernetes.io/pod-name": name },
      owner: sts,
      createdAt: created,
      node,
      runs: s.template.containers.map(() => up(created + 9000, node, 12)),
    });
  });
  b.finishStatefulSet(sts, revision);
}

// ---------------------------------------------------------------- ingress-nginx

b.serviceAccount("ingress-nginx", "ingress-nginx", at("2025-02-11T11:02:10Z"));
b.configMap("ingress-nginx", "ingress-nginx-controller", at("2025-02-11T11:02:10Z"), { "allow-snippet-annotations": "false", "use-forwarded-headers": "true" }, { labels: { "app.kubernetes.io/component": "controller", "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx" } });
b.secret("ingress-nginx", "ingress-nginx-admission", at("2025-02-11T11:02:20Z"), "Opaque", ["ca", "cert", "key"]);
b.object("IngressClass", undefined, "nginx", at("2025-02-11T11:02:10Z"), { spec: { controller: "k8s.io/ingress-nginx" } }, {
  labels: { "app.kubernetes.io/component": "controller", "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/version": "1.11.3" },
  annotations: { "ingressclass.kubernetes.io/is-default-class": "true", "meta.helm.sh/release-name": "ingress-nginx", "meta.helm.sh/release-namespace": "ingress-nginx" },
  generation: 1,
});
const ingressLabels = { "app.kubernetes.io/component": "controller", "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx" };
const INGRESS_UPGRADE = at("2026-10-20T14:05:31Z");
const ingressNginx = deploymentApp({
  namespace: "ingress-nginx",
  name: "ingress-nginx-controller",
  replicas: 2,
  createdAt: at("2025-02-11T11:02:10Z"),
  generation: 6,
  revisions: [
    { revision: 5, createdAt: at("2026-06-02T09:44:10Z"), replicas: 0, template: { labels: { ...ingressLabels, "app.kubernetes.io/version": "1.10.1" }, containers: [{ name: "controller", image: "registry.k8s.io/ingress-nginx/controller:v1.10.1" }] } },
    {
      revision: 6,
      createdAt: INGRESS_UPGRADE,
      replicas: 2,
      template: {
        labels: { ...ingressLabels, "app.kubernetes.io/version": "1.11.3" },
        containers: [
          {
            name: "controller",
            image: "registry.k8s.io/ingress-nginx/controller:v1.11.3",
            args: ["/nginx-ingress-controller", "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller", "--election-id=ingress-nginx-leader", "--controller-class=k8s.io/ingress-nginx", "--ingress-class=nginx", "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller", "--validating-webhook=:8443", "--validating-webhook-certificate=/usr/local/certificates/cert", "--validating-webhook-key=/usr/local/certificates/key"],
            env: [{ name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } }, { name: "POD_NAMESPACE", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } } }],
            ports: [{ name: "http", containerPort: 80 }, { name: "https", containerPort: 443 }, { name: "webhook", containerPort: 8443 }, { name: "metrics", containerPort: 10254 }],
            readinessProbe: httpProbe("/healthz", 10254),
            livenessProbe: httpProbe("/healthz", 10254, { initialDelaySeconds: 10, failureThreshold: 5 }),
            resources: { requests: { cpu: "100m", memory: "90Mi" } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] }, runAsNonRoot: true, runAsUser: 101, seccompProfile: { type: "RuntimeDefault" } },
            volumeMounts: [{ name: "webhook-cert", mountPath: "/usr/local/certificates/", readOnly: true }],
          },
        ],
        nodeSelector: { "kubernetes.io/os": "linux" },
        serviceAccountName: "ingress-nginx",
        terminationGracePeriodSeconds: 300,
        volumes: [{ name: "webhook-cert", secret: { defaultMode: 420, secretName: "ingress-nginx-admission" } }],
      },
      pods: [{ node: W1, createdAt: INGRESS_UPGRADE + 2000 }, { node: W4, createdAt: INGRESS_UPGRADE + 31_000 }],
    },
  ],
});
healthy(ingressNginx, INGRESS_UPGRADE + 60_000);
const helmLabels = (name: string): Record<string, string> => ({ "app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/name": name });
b.service({ namespace: "ingress-nginx", name: "ingress-nginx-controller", createdAt: at("2025-02-11T11:02:10Z"), type: "LoadBalancer", loadBalancerIP: "203.0.113.40", selector: ingressLabels, labels: { ...ingressLabels, "app.kubernetes.io/managed-by": "Helm" }, annotations: { "load-balancer.hetzner.cloud/location": "fsn1", "load-balancer.hetzner.cloud/name": "shop-prod-ingress", "load-balancer.hetzner.cloud/use-private-ip": "true" }, ports: [{ name: "http", port: 80, targetPort: "http", nodePort: 31080, appProtocol: "http" }, { name: "https", port: 443, targetPort: "https", nodePort: 31443, appProtocol: "https" }] });
b.service({ namespace: "ingress-nginx", name: "ingress-nginx-controller-admission", createdAt: at("2025-02-11T11:02:10Z"), selector: ingressLabels, labels: { ...ingressLabels, "app.kubernetes.io/managed-by": "Helm" }, ports: [{ name: "https-webhook", port: 443, targetPort: "webhook", appProtocol: "https" }] });

// ---------------------------------------------------------------- monitoring

const MON_UPGRADE = at("2026-11-03T10:20:00Z");
for (const sa of ["prometheus", "kube-state-metrics", "grafana", "node-exporter"]) b.serviceAccount("monitoring", sa, at("2025-02-12T08:41:00Z"));
b.configMap("monitoring", "prometheus-config", at("2025-02-12T08:41:00Z"), { "prometheus.yml": "global:\n  scrape_interval: 30s\nscrape_configs:\n- job_name: kubernetes-pods\n  kubernetes_sd_configs:\n  - role: pod\n- job_name: node-exporter\n  kubernetes_sd_configs:\n  - role: endpoints\n" });
b.configMap("monitoring", "grafana", at("2025-02-12T08:41:00Z"), { "grafana.ini": "[server]\nroot_url = https://grafana.shop.example.com\n[auth.anonymous]\nenabled = false\n" });
b.secret("monitoring", "grafana-admin", at("2025-02-12T08:41:00Z"), "Opaque", ["admin-user", "admin-password"]);
b.secret("monitoring", "grafana-shop-example-com-tls", at("2025-02-12T08:41:00Z"), "kubernetes.io/tls", ["tls.crt", "tls.key"]);

daemon("monitoring", "node-exporter", at("2025-02-12T08:41:10Z"), {
  labels: { "app.kubernetes.io/name": "node-exporter", "app.kubernetes.io/part-of": "monitoring" },
  containers: [{ name: "node-exporter", image: "quay.io/prometheus/node-exporter:v1.8.2", args: ["--path.rootfs=/host/root", "--web.listen-address=:9100"], ports: [{ name: "metrics", containerPort: 9100, hostPort: 9100 }], resources: { limits: { memory: "64Mi" }, requests: { cpu: "50m", memory: "30Mi" } }, readinessProbe: httpProbe("/", 9100), volumeMounts: [{ name: "root", mountPath: "/host/root", readOnly: true }] }],
  hostNetwork: true,
  serviceAccountName: "node-exporter",
  tolerations: [{ operator: "Exists" }],
  volumes: [{ name: "root", hostPath: { path: "/", type: "" } }],
});
b.service({ namespace: "monitoring", name: "node-exporter", createdAt: at("2025-02-12T08:41:10Z"), headless: true, selector: { "app.kubernetes.io/name": "node-exporter" }, labels: { "app.kubernetes.io/name": "node-exporter" }, ports: [{ name: "metrics", port: 9100, targetPort: "metrics" }] });

statefulApp({
  ns: "monitoring",
  name: "prometheus",
  serviceName: "prometheus",
  replicas: 1,
  createdAt: at("2025-02-12T08:41:20Z"),
  size: "50Gi",
  nodes: [W1],
  podsCreatedAt: MON_UPGRADE,
  template: {
    labels: { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/part-of": "monitoring" },
    containers: [{ name: "prometheus", image: "quay.io/prometheus/prometheus:v2.55.1", args: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--storage.tsdb.retention.time=15d"], ports: [{ name: "web", containerPort: 9090 }], readinessProbe: httpProbe("/-/ready", "web"), livenessProbe: httpProbe("/-/healthy", "web", { initialDelaySeconds: 30 }), resources: { limits: { memory: "3Gi" }, requests: { cpu: "500m", memory: "2Gi" } }, volumeMounts: [{ name: "config", mountPath: "/etc/prometheus" }, { name: "data", mountPath: "/prometheus" }] }],
    securityContext: { fsGroup: 65534, runAsNonRoot: true, runAsUser: 65534 },
    serviceAccountName: "prometheus",
    volumes: [{ name: "config", configMap: { defaultMode: 420, name: "prometheus-config" } }],
  },
});
b.service({ namespace: "monitoring", name: "prometheus", createdAt: at("2025-02-12T08:41:20Z"), selector: { "app.kubernetes.io/name": "prometheus" }, labels: { "app.kubernetes.io/name": "prometheus" }, ports: [{ name: "web", port: 9090, targetPort: "web" }] });

const grafana = deploymentApp({
  namespace: "monitoring",
  name: "grafana",
  replicas: 1,
  createdAt: at("2025-02-12T08:41:30Z"),
  generation: 7,
  revisions: [
    {
      revision: 7,
      createdAt: MON_UPGRADE + 30_000,
      replicas: 1,
      template: {
        labels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/part-of": "monitoring" },
        containers: [{ name: "grafana", image: "docker.io/grafana/grafana:11.3.0", env: [{ name: "GF_SECURITY_ADMIN_USER", valueFrom: { secretKeyRef: { key: "admin-user", name: "grafana-admin" } } }, { name: "GF_SECURITY_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { key: "admin-password", name: "grafana-admin" } } }], ports: [{ name: "http", containerPort: 3000 }], readinessProbe: httpProbe("/api/health", "http"), livenessProbe: httpProbe("/api/health", "http", { initialDelaySeconds: 60, timeoutSeconds: 30 }), resources: { limits: { memory: "512Mi" }, requests: { cpu: "100m", memory: "256Mi" } }, volumeMounts: [{ name: "config", mountPath: "/etc/grafana/grafana.ini", subPath: "grafana.ini" }, { name: "storage", mountPath: "/var/lib/grafana" }] }],
        securityContext: { fsGroup: 472, runAsGroup: 472, runAsNonRoot: true, runAsUser: 472 },
        serviceAccountName: "grafana",
        volumes: [{ name: "config", configMap: { defaultMode: 420, name: "grafana" } }, { name: "storage", emptyDir: {} }],
      },
      pods: [{ node: W2, createdAt: MON_UPGRADE + 31_000 }],
    },
  ],
});
healthy(grafana, MON_UPGRADE + 60_000);
b.service({ namespace: "monitoring", name: "grafana", createdAt: at("2025-02-12T08:41:30Z"), selector: { "app.kubernetes.io/name": "grafana" }, labels: helmLabels("grafana"), ports: [{ name: "http", port: 80, targetPort: "http" }] });

const ksm = deploymentApp({
  namespace: "monitoring",
  name: "kube-state-metrics",
  replicas: 1,
  createdAt: at("2025-02-12T08:41:40Z"),
  generation: 4,
  revisions: [{ revision: 4, createdAt: MON_UPGRADE + 40_000, replicas: 1, template: { labels: { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/part-of": "monitoring" }, containers: [{ name: "kube-state-metrics", image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0", args: ["--port=8080", "--telemetry-port=8081"], ports: [{ name: "http-metrics", containerPort: 8080 }, { name: "telemetry", containerPort: 8081 }], readinessProbe: httpProbe("/", 8081), livenessProbe: httpProbe("/livez", "http-metrics", { initialDelaySeconds: 5, timeoutSeconds: 5 }), resources: { limits: { memory: "256Mi" }, requests: { cpu: "50m", memory: "128Mi" } }, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true } }], securityContext: { runAsNonRoot: true, runAsUser: 65534 }, serviceAccountName: "kube-state-metrics" }, pods: [{ node: W3, createdAt: MON_UPGRADE + 41_000 }] }],
});
healthy(ksm, MON_UPGRADE + 70_000);
b.service({ namespace: "monitoring", name: "kube-state-metrics", createdAt: at("2025-02-12T08:41:40Z"), selector: { "app.kubernetes.io/name": "kube-state-metrics" }, labels: helmLabels("kube-state-metrics"), ports: [{ name: "http-metrics", port: 8080, targetPort: "http-metrics" }, { name: "telemetry", port: 8081, targetPort: "telemetry" }] });

b.object("Ingress", "monitoring", "grafana", at("2025-02-12T08:45:00Z"), {
  spec: { ingressClassName: "nginx", rules: [{ host: "grafana.shop.example.com", http: { paths: [{ backend: { service: { name: "grafana", port: { name: "http" } } }, path: "/", pathType: "Prefix" }] } }], tls: [{ hosts: ["grafana.shop.example.com"], secretName: "grafana-shop-example-com-tls" }] },
  status: { loadBalancer: { ingress: [{ ip: "203.0.113.40" }] } },
}, { generation: 1, annotations: { "nginx.ingress.kubernetes.io/whitelist-source-range": "198.51.100.0/24" } });

// ---------------------------------------------------------------- shop

b.secret("shop", "ghcr-pull", at("2025-02-13T09:13:00Z"), "kubernetes.io/dockerconfigjson", [".dockerconfigjson"]);
b.secret("shop", "shop-example-com-tls", at("2026-09-01T03:00:12Z"), "kubernetes.io/tls", ["tls.crt", "tls.key"]);
b.secret("shop", "checkout-secrets", at("2025-02-13T09:13:05Z"), "Opaque", ["STRIPE_API_KEY", "SESSION_SECRET"]);
b.configMap("shop", "storefront-config", at("2025-02-13T09:13:05Z"), { "API_BASE_URL": "https://shop.example.com/api", "FEATURE_FLAGS": "wishlist,reviews" });
b.configMap("shop", "checkout-config", at("2025-02-13T09:13:05Z"), { "PAYMENTS_URL": "http://payments-api.payments.svc.cluster.local", "CART_URL": "http://cart.shop.svc.cluster.local", "GOMEMLIMIT": "120MiB" });
b.configMap("shop", "catalog-config", at("2025-02-13T09:13:05Z"), { "CACHE_DIR": "/var/cache/catalog", "IMAGE_CACHE_MAX_ITEMS": "0" });
b.configMap("shop", "recommender-config", at("2026-11-20T08:52:08Z"), { "MODEL_URI": "s3://acme-shop-models/recommender/v5/model.bin", "MODEL_PRELOAD": "true" });

// storefront: (b) revision 8 points at tag 4.13.0, which was never pushed (CI pushed v4.13.0).
const STOREFRONT_ROLLOUT = at("2026-11-20T09:05:30Z");
const storefrontImage = (tag: string): TemplateDef =>
  appTemplate("storefront", tag, {
    image: `ghcr.io/acme-shop/storefront:${tag}`,
    envFrom: [{ configMapRef: { name: "storefront-config" } }],
    resources: { limits: { memory: "512Mi" }, requests: { cpu: "200m", memory: "256Mi" } },
  });
const storefront = deploymentApp({
  namespace: "shop",
  name: "storefront",
  replicas: 3,
  createdAt: at("2025-02-13T09:20:00Z"),
  generation: 11,
  revisions: [
    { revision: 6, createdAt: ago("13d2h"), replicas: 0, template: storefrontImage("4.12.2") },
    { revision: 7, createdAt: ago("6d1h"), replicas: 3, template: storefrontImage("4.12.3"), pods: [W1, W2, W3].map((node, i) => ({ node, createdAt: ago("6d1h") + 2000 + i * 21_000 })) },
    { revision: 8, createdAt: STOREFRONT_ROLLOUT, replicas: 1, template: storefrontImage("4.13.0") },
  ],
});
// The new ReplicaSet's one pod (maxSurge 1, maxUnavailable 0 for 3 replicas) cannot pull its image.
// Image pull back-off: attempts after 0, 10, 30, 70, 150, 310, 610, 910, 1210 s (the delay doubles up to 300 s).
const STOREFRONT_POD_AT = STOREFRONT_ROLLOUT + 150;
const pullAttempts = [0, 10, 30, 70, 150, 310, 610, 910, 1210].map((s) => STOREFRONT_POD_AT + 2500 + s * 1000);
const missingImage = "ghcr.io/acme-shop/storefront:4.13.0";
const pullError = `rpc error: code = NotFound desc = failed to pull and unpack image "${missingImage}": failed to resolve reference "${missingImage}": ${missingImage}: not found`;
const storefrontRs8 = storefront.rs[2]!;
const storefrontNewPod = b.pod({
  namespace: "shop",
  name: `${meta(storefrontRs8).name}-${b.rng.suffix()}`,
  generateName: `${meta(storefrontRs8).name}-`,
  template: { ...storefrontImage("4.13.0"), labels: { ...storefrontImage("4.13.0").labels, "pod-template-hash": storefront.hashes[2]! } },
  owner: storefrontRs8,
  createdAt: STOREFRONT_POD_AT,
  node: W4,
  runs: [{ state: "waiting", reason: "ImagePullBackOff", message: `Back-off pulling image "${missingImage}"` }],
});
b.finishDeployment(storefront.deploy, {
  available: condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", ago("6d1h") + 90_000, ago("6d1h") + 90_000),
  progressing: condition("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${meta(storefrontRs8).name}" has timed out progressing.`, STOREFRONT_ROLLOUT + 601_000, STOREFRONT_ROLLOUT + 601_000),
});
b.service({ namespace: "shop", name: "storefront", createdAt: at("2025-02-13T09:20:00Z"), selector: { "app.kubernetes.io/name": "storefront" }, labels: { "app.kubernetes.io/name": "storefront" }, ports: [{ name: "http", port: 80, targetPort: "http" }] });
pdb("shop", "storefront", at("2025-02-13T09:20:00Z"), 2, 3, 3, ago("6d1h") + 90_000);

b.event({ object: storefront.deploy, reason: "ScalingReplicaSet", message: `Scaled up replica set ${meta(storefrontRs8).name} from 0 to 1`, first: STOREFRONT_ROLLOUT, component: "deployment-controller" });
b.event({ object: storefrontRs8, reason: "SuccessfulCreate", message: `Created pod: ${meta(storefrontNewPod).name}`, first: STOREFRONT_POD_AT, component: "replicaset-controller" });
b.schedulerEvent({ pod: storefrontNewPod, reason: "Scheduled", action: "Binding", message: `Successfully assigned shop/${meta(storefrontNewPod).name} to ${W4}`, at: STOREFRONT_POD_AT + 40 });
{
  const common = { object: storefrontNewPod, fieldPath: "spec.containers{storefront}", component: "kubelet", host: W4 };
  const first = pullAttempts[0]!;
  const last = pullAttempts[pullAttempts.length - 1]!;
  b.event({ ...common, reason: "Pulling", message: `Pulling image "${missingImage}"`, first, last, count: pullAttempts.length });
  b.event({ ...common, type: "Warning", reason: "Failed", message: `Failed to pull image "${missingImage}": ${pullError}`, first: first + 900, last: last + 900, count: pullAttempts.length });
  b.event({ ...common, type: "Warning", reason: "Failed", message: "Error: ErrImagePull", first: first + 900, last: last + 900, count: pullAttempts.length });
  b.event({ ...common, reason: "BackOff", message: `Back-off pulling image "${missingImage}"`, first: first + 14_000, last: ago("38s"), count: 97 });
  b.event({ ...common, type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff", first: first + 14_000, last: ago("38s"), count: 97 });
}

// checkout: (a) OOMKilled at its 128Mi limit since 08:41 (a promotion made carts larger), both replicas.
const checkoutTemplate = appTemplate("checkout", "2.8.1", {
  image: "ghcr.io/acme-shop/checkout:2.8.1",
  envFrom: [{ configMapRef: { name: "checkout-config" } }],
  env: [{ name: "STRIPE_API_KEY", valueFrom: { secretKeyRef: { key: "STRIPE_API_KEY", name: "checkout-secrets" } } }, { name: "SESSION_SECRET", valueFrom: { secretKeyRef: { key: "SESSION_SECRET", name: "checkout-secrets" } } }],
  resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
});
const CHECKOUT_ROLLOUT = ago("3d2h");
const checkout = deploymentApp({
  namespace: "shop",
  name: "checkout",
  replicas: 2,
  createdAt: at("2025-02-13T09:20:10Z"),
  generation: 12,
  revisions: [
    { revision: 11, createdAt: ago("9d5h"), replicas: 0, template: { ...checkoutTemplate, labels: { ...checkoutTemplate.labels, "app.kubernetes.io/version": "2.8.0" } } },
    { revision: 12, createdAt: CHECKOUT_ROLLOUT, replicas: 2, template: checkoutTemplate },
  ],
});

/**
 * Replays a crash loop: the container OOMs after running `runSeconds`, and the kubelet restarts it
 * after a back-off that starts at 10 s and doubles up to 5 min. Returns the state at capture time.
 */
function crashLoop(firstCrash: number, originalStart: number, runSeconds: number): { run: ContainerRun; restarts: number; restartTimes: number[]; backoffSeconds: number; firstBackoff: number } {
  let crash = firstCrash;
  let start = originalStart;
  let restarts = 0;
  let backoff = 10;
  const restartTimes: number[] = [];
  for (;;) {
    const restartAt = crash + backoff * 1000;
    const last = { exitCode: 137, reason: "OOMKilled", startedAt: start, finishedAt: crash };
    if (restartAt > T) {
      const text = backoff >= 60 ? `${Math.floor(backoff / 60)}m${backoff % 60}s` : `${backoff}s`;
      return { run: { state: "waiting", reason: "CrashLoopBackOff", message: `back-off ${text} restarting failed container=checkout pod=%POD%`, restarts, last }, restarts, restartTimes, backoffSeconds: backoff, firstBackoff: firstCrash };
    }
    restarts++;
    restartTimes.push(restartAt);
    start = restartAt;
    crash = start + runSeconds * 1000;
    if (crash > T) throw new Error("checkout container would be running at capture; pick other timings");
    backoff = Math.min(backoff * 2, 300);
  }
}
const checkoutRs = checkout.rs[1]!;
const checkoutPods: Json[] = [];
for (const [node, firstCrash, runSeconds] of [
  [W1, at("2026-11-20T08:41:07Z"), 41],
  [W2, at("2026-11-20T08:42:31Z"), 52],
] as const) {
  const created = CHECKOUT_ROLLOUT + 3000 + checkoutPods.length * 24_000;
  const loop = crashLoop(firstCrash, created + 4000, runSeconds);
  const name = `${meta(checkoutRs).name}-${b.rng.suffix()}`;
  const pod = b.pod({
    namespace: "shop",
    name,
    generateName: `${meta(checkoutRs).name}-`,
    template: { ...checkoutTemplate, labels: { ...checkoutTemplate.labels, "pod-template-hash": checkout.hashes[1]! } },
    owner: checkoutRs,
    createdAt: created,
    node,
    runs: [loop.run],
  });
  // The back-off message names the pod as kubelet's format.Pod does: name_namespace(uid).
  const cs = ((pod.status as Json).containerStatuses as Json[])[0]!;
  const waiting = (cs.state as { waiting: { message: string } }).waiting;
  waiting.message = waiting.message.replace("%POD%", `${name}_shop(${meta(pod).uid})`);
  checkoutPods.push(pod);
  const common = { object: pod, fieldPath: "spec.containers{checkout}", component: "kubelet", host: node };
  const firstRestart = loop.restartTimes[0]!;
  const lastRestart = loop.restartTimes[loop.restartTimes.length - 1]!;
  b.event({ ...common, reason: "Pulled", message: `Container image "ghcr.io/acme-shop/checkout:2.8.1" already present on machine`, first: firstRestart, last: lastRestart, count: loop.restarts });
  b.event({ ...common, reason: "Created", message: "Created container checkout", first: firstRestart + 60, last: lastRestart + 60, count: loop.restarts });
  b.event({ ...common, reason: "Started", message: "Started container checkout", first: firstRestart + 210, last: lastRestart + 210, count: loop.restarts });
  b.event({ ...common, type: "Warning", reason: "BackOff", message: `Back-off restarting failed container checkout in pod ${name}_shop(${meta(pod).uid})`, first: firstCrash + 1500, last: ago("12s") - checkoutPods.length * 3000, count: 40 + loop.restarts * 9 });
}
b.finishDeployment(checkout.deploy, {
  order: "progressing-first",
  progressing: condition("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${meta(checkoutRs).name}" has successfully progressed.`, CHECKOUT_ROLLOUT + 52_000, at("2025-02-13T09:20:12Z")),
  // Available turned False when the second replica stopped being ready.
  available: condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", at("2026-11-20T08:42:31Z"), at("2026-11-20T08:42:31Z")),
});
b.service({ namespace: "shop", name: "checkout", createdAt: at("2025-02-13T09:20:10Z"), selector: { "app.kubernetes.io/name": "checkout" }, labels: { "app.kubernetes.io/name": "checkout" }, ports: [{ name: "http", port: 80, targetPort: "http" }] });

// cart and redis: healthy.
const cart = deploymentApp({
  namespace: "shop",
  name: "cart",
  replicas: 2,
  createdAt: at("2025-02-13T09:20:20Z"),
  generation: 5,
  revisions: [{ revision: 5, createdAt: ago("12d4h"), replicas: 2, template: appTemplate("cart", "1.19.0", { image: "ghcr.io/acme-shop/cart:1.19.0", env: [{ name: "REDIS_ADDR", value: "redis-0.redis.shop.svc.cluster.local:6379" }], resources: { limits: { memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } } }), pods: [{ node: W1, createdAt: ago("12d4h") + 3000 }, { node: W3, createdAt: ago("12d4h") + 26_000 }] }],
});
healthy(cart, ago("12d4h") + 60_000);
b.service({ namespace: "shop", name: "cart", createdAt: at("2025-02-13T09:20:20Z"), selector: { "app.kubernetes.io/name": "cart" }, labels: { "app.kubernetes.io/name": "cart" }, ports: [{ name: "http", port: 80, targetPort: "http" }] });

b.serviceAccount("shop", "redis", at("2025-02-13T09:15:00Z"));
statefulApp({
  ns: "shop",
  name: "redis",
  serviceName: "redis",
  replicas: 1,
  createdAt: at("2025-02-13T09:15:00Z"),
  size: "10Gi",
  nodes: [W4],
  podsCreatedAt: ago("19d6h"),
  template: {
    labels: { "app.kubernetes.io/name": "redis", "app.kubernetes.io/part-of": "shop" },
    containers: [{ name: "redis", image: "docker.io/library/redis:7.4.1-alpine", args: ["--appendonly", "yes"], ports: [{ name: "redis", containerPort: 6379 }], readinessProbe: { exec: { command: ["redis-cli", "ping"] }, periodSeconds: 5 }, resources: { limits: { memory: "1Gi" }, requests: { cpu: "100m", memory: "1Gi" } }, volumeMounts: [{ name: "data", mountPath: "/data" }] }],
    securityContext: { fsGroup: 999, runAsUser: 999 },
    serviceAccountName: "redis",
  },
});
b.service({ namespace: "shop", name: "redis", createdAt: at("2025-02-13T09:15:00Z"), headless: true, selector: { "app.kubernetes.io/name": "redis" }, labels: { "app.kubernetes.io/name": "redis" }, ports: [{ name: "redis", port: 6379, targetPort: "redis" }] });

// catalog: (f) its pod on worker-3 filled the node's disk with an image cache in the container's
// writable layer; the kubelet evicted it at 09:26:50 and the ReplicaSet replaced it on worker-2.
const catalogTemplate = appTemplate("catalog", "3.4.2", { image: "ghcr.io/acme-shop/catalog:3.4.2", envFrom: [{ configMapRef: { name: "catalog-config" } }], resources: { limits: { memory: "1Gi" }, requests: { cpu: "250m", memory: "512Mi" } } });
const CATALOG_ROLLOUT = ago("2d5h");
const catalog = deploymentApp({
  namespace: "shop",
  name: "catalog",
  replicas: 2,
  createdAt: at("2025-02-13T09:20:30Z"),
  generation: 9,
  revisions: [{ revision: 9, createdAt: CATALOG_ROLLOUT, replicas: 2, template: catalogTemplate, pods: [{ node: W1, createdAt: CATALOG_ROLLOUT + 2500 }] }],
});
const catalogRs = catalog.rs[0]!;
const catalogPodTemplate = { ...catalogTemplate, labels: { ...catalogTemplate.labels, "pod-template-hash": catalog.hashes[0]! } };
const evictionMessage =
  "The node was low on resource: ephemeral-storage. Threshold quantity: 16097017036, available: 15306268Ki. Container catalog was using 108003328Ki, request is 0, has larger consumption of ephemeral-storage. ";
const evictedPod = b.pod({
  namespace: "shop",
  name: `${meta(catalogRs).name}-${b.rng.suffix()}`,
  generateName: `${meta(catalogRs).name}-`,
  template: catalogPodTemplate,
  owner: catalogRs,
  createdAt: CATALOG_ROLLOUT + 27_000,
  node: W3,
  runs: [{ state: "terminated", exitCode: 137, reason: "Error", startedAt: CATALOG_ROLLOUT + 31_000, finishedAt: EVICTED_AT + 1000 }],
  terminal: { phase: "Failed", reason: "Evicted", message: evictionMessage, at: EVICTED_AT, disruption: { reason: "TerminationByKubelet", message: evictionMessage } },
});
const REPLACEMENT_AT = EVICTED_AT + 210;
const replacement = b.pod({
  namespace: "shop",
  name: `${meta(catalogRs).name}-${b.rng.suffix()}`,
  generateName: `${meta(catalogRs).name}-`,
  template: catalogPodTemplate,
  owner: catalogRs,
  createdAt: REPLACEMENT_AT,
  node: W2,
  scheduledAt: REPLACEMENT_AT + 60,
  runs: [{ state: "running", startedAt: REPLACEMENT_AT + 6400, readyAt: REPLACEMENT_AT + 17_000 }],
});
healthy(catalog, CATALOG_ROLLOUT + 60_000);
b.service({ namespace: "shop", name: "catalog", createdAt: at("2025-02-13T09:20:30Z"), selector: { "app.kubernetes.io/name": "catalog" }, labels: { "app.kubernetes.io/name": "catalog" }, ports: [{ name: "http", port: 80, targetPort: "http" }] });
b.event({ object: evictedPod, type: "Warning", reason: "Evicted", message: evictionMessage, first: EVICTED_AT, component: "kubelet", host: W3, annotations: { offending_containers: "catalog", offending_containers_usage: "108003328Ki", starved_resource: "ephemeral-storage" } });
b.event({ object: evictedPod, fieldPath: "spec.containers{catalog}", reason: "Killing", message: "Stopping container catalog", first: EVICTED_AT + 40, component: "kubelet", host: W3 });
b.event({ object: catalogRs, reason: "SuccessfulCreate", message: `Created pod: ${meta(replacement).name}`, first: REPLACEMENT_AT, component: "replicaset-controller" });
b.startupEvents(replacement, { scheduled: REPLACEMENT_AT + 60, started: REPLACEMENT_AT + 6400 }, { pulled: 3.912 });
const worker3 = b.nodeObject(W3);
b.event({ object: worker3, type: "Warning", reason: "FreeDiskSpaceFailed", message: "Failed to garbage collect required amount of images. Attempted to free 12941393100 bytes, but only found 1187209216 bytes eligible to free.", first: at("2026-11-20T09:16:52Z"), last: at("2026-11-20T09:26:52Z"), count: 3, component: "kubelet", host: W3 });
b.event({ object: worker3, reason: "NodeHasDiskPressure", message: `Node ${W3} status is now: NodeHasDiskPressure`, first: DISK_PRESSURE_AT, component: "kubelet", host: W3 });
b.event({ object: worker3, type: "Warning", reason: "EvictionThresholdMet", message: "Attempting to reclaim ephemeral-storage", first: DISK_PRESSURE_AT, last: EVICTED_AT, count: 2, component: "kubelet", host: W3 });

// api-gateway: healthy; (g) the Ingress below asks for a port name it does not have.
const apiGateway = deploymentApp({
  namespace: "shop",
  name: "api-gateway",
  replicas: 2,
  createdAt: at("2025-02-13T09:20:40Z"),
  generation: 7,
  revisions: [{ revision: 7, createdAt: ago("20d3h"), replicas: 2, template: appTemplate("api-gateway", "1.7.0", { image: "ghcr.io/acme-shop/api-gateway:1.7.0", env: [{ name: "UPSTREAM_CHECKOUT", value: "http://checkout" }, { name: "UPSTREAM_CART", value: "http://cart" }, { name: "UPSTREAM_CATALOG", value: "http://catalog" }], resources: { limits: { memory: "512Mi" }, requests: { cpu: "200m", memory: "256Mi" } } }), pods: [{ node: W2, createdAt: ago("20d3h") + 2000 }, { node: W3, createdAt: ago("20d3h") + 19_000 }] }],
});
healthy(apiGateway, ago("20d3h") + 60_000);
b.service({ namespace: "shop", name: "api-gateway", createdAt: at("2025-02-13T09:20:40Z"), selector: { "app.kubernetes.io/name": "api-gateway" }, labels: { "app.kubernetes.io/name": "api-gateway" }, ports: [{ name: "http", port: 80, targetPort: "http" }] });

const INGRESS_EDIT = at("2026-11-20T09:05:10Z");
const shopIngress = b.object("Ingress", "shop", "storefront", at("2025-02-13T09:25:00Z"), {
  spec: {
    ingressClassName: "nginx",
    rules: [
      {
        host: "shop.example.com",
        http: {
          paths: [
            { backend: { service: { name: "storefront", port: { name: "http" } } }, path: "/", pathType: "Prefix" },
            // (g) api-gateway's only port is named "http"; "https" was copied from an older chart.
            { backend: { service: { name: "api-gateway", port: { name: "https" } } }, path: "/api", pathType: "Prefix" },
          ],
        },
      },
    ],
    tls: [{ hosts: ["shop.example.com"], secretName: "shop-example-com-tls" }],
  },
  status: { loadBalancer: { ingress: [{ ip: "203.0.113.40" }] } },
}, { generation: 4, annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "8m", "kubernetes.io/change-cause": "split /api to api-gateway (2026-11-20)" } });
// Each controller replica records its own "Sync" event for the edited Ingress.
for (const i of [0, 1]) b.event({ object: shopIngress, reason: "Sync", message: "Scheduled for sync", first: INGRESS_EDIT + 600 + i * 1300, component: "nginx-ingress-controller" });

// media: (d) its claim asks for StorageClass "fast-ssd", which this cluster does not have.
const MEDIA_CREATED = ago("2d3h12m");
b.serviceAccount("shop", "media", MEDIA_CREATED - 2000);
const mediaClaim = b.object(
  "PersistentVolumeClaim",
  "shop",
  "media-uploads",
  MEDIA_CREATED - 1000,
  { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Gi" } }, storageClassName: "fast-ssd", volumeMode: "Filesystem" }, status: { phase: "Pending" } },
  { labels: { "app.kubernetes.io/name": "media" }, finalizers: ["kubernetes.io/pvc-protection"] },
);
// The PV controller retries every resync; the recorder's spam filter lets ~1 event per 5 minutes through after the first burst.
b.event({ object: mediaClaim, type: "Warning", reason: "ProvisioningFailed", message: 'storageclass.storage.k8s.io "fast-ssd" not found', first: MEDIA_CREATED - 990, last: ago("1m51s"), count: 633, component: "persistentvolume-controller" });
const mediaTemplate = appTemplate(
  "media",
  "0.9.1",
  { image: "ghcr.io/acme-shop/media:0.9.1", resources: { limits: { memory: "512Mi" }, requests: { cpu: "100m", memory: "256Mi" } }, volumeMounts: [{ name: "uploads", mountPath: "/srv/uploads" }] },
  { serviceAccountName: "media", volumes: [{ name: "uploads", persistentVolumeClaim: { claimName: "media-uploads" } }] },
);
const media = deploymentApp({ namespace: "shop", name: "media", replicas: 1, createdAt: MEDIA_CREATED, generation: 1, revisions: [{ revision: 1, createdAt: MEDIA_CREATED + 40, replicas: 1, template: mediaTemplate }] });
const mediaRs = media.rs[0]!;
const pvcMessage = "0/5 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.";
const mediaPod = b.pod({
  namespace: "shop",
  name: `${meta(mediaRs).name}-${b.rng.suffix()}`,
  generateName: `${meta(mediaRs).name}-`,
  template: { ...mediaTemplate, labels: { ...mediaTemplate.labels, "pod-template-hash": media.hashes[0]! } },
  owner: mediaRs,
  createdAt: MEDIA_CREATED + 90,
  unschedulable: { since: MEDIA_CREATED + 130, message: pvcMessage },
});
b.finishDeployment(media.deploy, {
  available: condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", MEDIA_CREATED + 50, MEDIA_CREATED + 50),
  progressing: condition("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${meta(mediaRs).name}" has timed out progressing.`, MEDIA_CREATED + 601_000, MEDIA_CREATED + 601_000),
});
b.schedulerEvent({ pod: mediaPod, type: "Warning", reason: "FailedScheduling", action: "Scheduling", message: pvcMessage, at: MEDIA_CREATED + 130, series: { count: 628, lastObserved: at("2026-11-20T09:14:03Z") } });
b.service({ namespace: "shop", name: "media", createdAt: MEDIA_CREATED, selector: { "app.kubernetes.io/name": "media" }, labels: { "app.kubernetes.io/name": "media" }, ports: [{ name: "http", port: 80, targetPort: "http" }] });

// recommender: (e) requests 14Gi of memory; the workers have about 15.5Gi allocatable and more than 1.5Gi already requested.
const RECOMMENDER_CREATED = at("2026-11-20T08:52:10Z");
const recommenderTemplate = appTemplate("recommender", "5.0.0", { image: "ghcr.io/acme-shop/recommender:5.0.0", envFrom: [{ configMapRef: { name: "recommender-config" } }], resources: { limits: { memory: "15Gi" }, requests: { cpu: "1", memory: "14Gi" } } });
const recommender = deploymentApp({ namespace: "shop", name: "recommender", replicas: 1, createdAt: RECOMMENDER_CREATED, generation: 1, revisions: [{ revision: 1, createdAt: RECOMMENDER_CREATED + 30, replicas: 1, template: recommenderTemplate }] });
const recommenderRs = recommender.rs[0]!;
// Before worker-3 was tainted for disk pressure the scheduler saw 4 workers short of memory; since
// 09:26:40 worker-3 fails on the taint first (TaintToleration runs before NodeResourcesFit).
const memoryMessageBefore =
  "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 4 Insufficient memory. preemption: 0/5 nodes are available: 1 Preemption is not helpful for scheduling, 4 No preemption victims found for incoming pod.";
const memoryMessageNow =
  "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, 3 Insufficient memory. preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.";
const recommenderPod = b.pod({
  namespace: "shop",
  name: `${meta(recommenderRs).name}-${b.rng.suffix()}`,
  generateName: `${meta(recommenderRs).name}-`,
  template: { ...recommenderTemplate, labels: { ...recommenderTemplate.labels, "pod-template-hash": recommender.hashes[0]! } },
  owner: recommenderRs,
  createdAt: RECOMMENDER_CREATED + 70,
  unschedulable: { since: RECOMMENDER_CREATED + 110, message: memoryMessageNow },
});
b.finishDeployment(recommender.deploy, {
  available: condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", RECOMMENDER_CREATED + 40, RECOMMENDER_CREATED + 40),
  progressing: condition("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${meta(recommenderRs).name}" has timed out progressing.`, RECOMMENDER_CREATED + 601_000, RECOMMENDER_CREATED + 601_000),
});
b.event({ object: recommender.deploy, reason: "ScalingReplicaSet", message: `Scaled up replica set ${meta(recommenderRs).name} from 0 to 1`, first: RECOMMENDER_CREATED + 30, component: "deployment-controller" });
b.event({ object: recommenderRs, reason: "SuccessfulCreate", message: `Created pod: ${meta(recommenderPod).name}`, first: RECOMMENDER_CREATED + 70, component: "replicaset-controller" });
b.schedulerEvent({ pod: recommenderPod, type: "Warning", reason: "FailedScheduling", action: "Scheduling", message: memoryMessageBefore, at: RECOMMENDER_CREATED + 110, series: { count: 8, lastObserved: at("2026-11-20T09:22:10Z") } });
b.schedulerEvent({ pod: recommenderPod, type: "Warning", reason: "FailedScheduling", action: "Scheduling", message: memoryMessageNow, at: DISK_PRESSURE_AT + 1200, series: { count: 2, lastObserved: EVICTED_AT + 400 } });
b.service({ namespace: "shop", name: "recommender", createdAt: RECOMMENDER_CREATED, selector: { "app.kubernetes.io/name": "recommender" }, labels: { "app.kubernetes.io/name": "recommender" }, ports: [{ name: "http", port: 80, targetPort: "http" }] });

// ---------------------------------------------------------------- payments

b.secret("payments", "ghcr-pull", at("2025-02-13T09:13:00Z"), "kubernetes.io/dockerconfigjson", [".dockerconfigjson"]);
b.secret("payments", "payments-db-credentials", at("2025-02-13T09:13:10Z"), "Opaque", ["username", "password"]);
b.secret("payments", "payments-psp-keys", at("2025-02-13T09:13:10Z"), "Opaque", ["ADYEN_API_KEY", "ADYEN_HMAC_KEY"]);
b.configMap("payments", "payments-api", at("2025-02-13T09:13:10Z"), { "DB_HOST": "postgres-0.postgres.payments.svc.cluster.local", "DB_NAME": "payments", "LISTEN_ADDR": ":8443" });
b.configMap("payments", "postgres-init", at("2025-02-13T09:13:10Z"), { "init.sql": "CREATE DATABASE payments;\n" });
b.serviceAccount("payments", "payments-api", at("2025-02-13T09:13:10Z"));
b.serviceAccount("payments", "postgres", at("2025-02-13T09:13:10Z"));

const restrictedContainer = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
const paymentsTemplate: TemplateDef = {
  labels: { "app.kubernetes.io/name": "payments-api", "app.kubernetes.io/part-of": "payments", "app.kubernetes.io/version": "6.2.4" },
  containers: [
    {
      name: "payments-api",
      image: "ghcr.io/acme-shop/payments-api:6.2.4",
      envFrom: [{ configMapRef: { name: "payments-api" } }, { secretRef: { name: "payments-psp-keys" } }],
      env: [{ name: "DB_USER", valueFrom: { secretKeyRef: { key: "username", name: "payments-db-credentials" } } }, { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { key: "password", name: "payments-db-credentials" } } }],
      ports: [{ name: "https", containerPort: 8443 }, { name: "metrics", containerPort: 9090 }],
      readinessProbe: { httpGet: { path: "/ready", port: "https", scheme: "HTTPS" }, periodSeconds: 5 },
      livenessProbe: { httpGet: { path: "/live", port: "https", scheme: "HTTPS" }, initialDelaySeconds: 15 },
      resources: { limits: { memory: "512Mi" }, requests: { cpu: "200m", memory: "256Mi" } },
      securityContext: restrictedContainer,
    },
  ],
  imagePullSecrets: [{ name: "ghcr-pull" }],
  securityContext: { runAsNonRoot: true, runAsUser: 10002, seccompProfile: { type: "RuntimeDefault" } },
  serviceAccountName: "payments-api",
};
const payments = deploymentApp({
  namespace: "payments",
  name: "payments-api",
  replicas: 2,
  createdAt: at("2025-02-13T09:21:00Z"),
  generation: 14,
  revisions: [
    { revision: 13, createdAt: ago("16d"), replicas: 0, template: { ...paymentsTemplate, labels: { ...paymentsTemplate.labels, "app.kubernetes.io/version": "6.2.3" } } },
    { revision: 14, createdAt: ago("5d7h"), replicas: 2, template: paymentsTemplate, pods: [{ node: W1, createdAt: ago("5d7h") + 2000 }, { node: W4, createdAt: ago("5d7h") + 33_000 }] },
  ],
});
healthy(payments, ago("5d7h") + 70_000);
// (c) The selector says "payment-api"; the pods are labelled "payments-api". The chart refactor that
// introduced it was applied at 08:55:03, when the endpoints controller emptied the Endpoints.
const SELECTOR_TYPO_AT = at("2026-11-20T08:55:03Z");
b.service({
  namespace: "payments",
  name: "payments-api",
  createdAt: at("2025-02-13T09:21:00Z"),
  selector: { "app.kubernetes.io/name": "payment-api", "app.kubernetes.io/part-of": "payments" },
  labels: { "app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/name": "payments-api", "helm.sh/chart": "payments-api-3.0.0" },
  annotations: { "meta.helm.sh/release-name": "payments-api", "meta.helm.sh/release-namespace": "payments" },
  ports: [{ name: "https", port: 443, targetPort: "https" }, { name: "metrics", port: 9090, targetPort: "metrics" }],
});
pdb("payments", "payments-api", at("2025-02-13T09:21:00Z"), 1, 2, 2, ago("5d7h") + 70_000);

statefulApp({
  ns: "payments",
  name: "postgres",
  serviceName: "postgres",
  replicas: 2,
  createdAt: at("2025-02-13T09:14:00Z"),
  size: "20Gi",
  nodes: [W2, W3],
  podsCreatedAt: ago("23d4h"),
  template: {
    labels: { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/part-of": "payments" },
    containers: [
      {
        name: "postgres",
        image: "docker.io/library/postgres:16.4",
        env: [{ name: "POSTGRES_USER", valueFrom: { secretKeyRef: { key: "username", name: "payments-db-credentials" } } }, { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { key: "password", name: "payments-db-credentials" } } }, { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" }],
        ports: [{ name: "postgres", containerPort: 5432 }],
        readinessProbe: { exec: { command: ["pg_isready", "-U", "postgres"] }, periodSeconds: 5 },
        livenessProbe: { exec: { command: ["pg_isready", "-U", "postgres"] }, initialDelaySeconds: 30 },
        resources: { limits: { memory: "3Gi" }, requests: { cpu: "500m", memory: "2Gi" } },
        securityContext: restrictedContainer,
        volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }, { name: "init", mountPath: "/docker-entrypoint-initdb.d" }],
      },
    ],
    securityContext: { fsGroup: 999, runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } },
    serviceAccountName: "postgres",
    volumes: [{ name: "init", configMap: { defaultMode: 420, name: "postgres-init" } }],
  },
});
b.service({ namespace: "payments", name: "postgres", createdAt: at("2025-02-13T09:14:00Z"), headless: true, publishNotReadyAddresses: false, selector: { "app.kubernetes.io/name": "postgres" }, labels: { "app.kubernetes.io/name": "postgres" }, ports: [{ name: "postgres", port: 5432, targetPort: "postgres" }] });

const np = (ns: string, name: string, spec: Json, created: number): void => void b.object("NetworkPolicy", ns, name, created, { spec }, { generation: 1 });
np("payments", "default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] }, at("2025-02-13T09:13:20Z"));
np("payments", "payments-api-from-shop", { ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }, { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ port: "https", protocol: "TCP" }] }], podSelector: { matchLabels: { "app.kubernetes.io/name": "payments-api" } }, policyTypes: ["Ingress"] }, at("2025-02-13T09:13:20Z"));
np("payments", "postgres-from-payments-api", { ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "payments-api" } } }], ports: [{ port: 5432, protocol: "TCP" }] }], podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } }, policyTypes: ["Ingress"] }, at("2025-02-13T09:13:20Z"));
np("payments", "allow-monitoring-scrape", { ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }], ports: [{ port: "metrics", protocol: "TCP" }] }], podSelector: {}, policyTypes: ["Ingress"] }, at("2025-02-13T09:13:20Z"));

// ---------------------------------------------------------------- default namespace

b.service({ namespace: "default", name: "kubernetes", createdAt: BIRTH, clusterIP: "10.96.0.1", labels: { component: "apiserver", provider: "kubernetes" }, ports: [{ name: "https", port: 443, targetPort: 6443 }] });
b.object("Endpoints", "default", "kubernetes", BIRTH, { subsets: [{ addresses: [{ ip: "10.0.1.10" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }] }, { labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } });
b.object("EndpointSlice", "default", "kubernetes", BIRTH, { addressType: "IPv4", endpoints: [{ addresses: ["10.0.1.10"], conditions: { ready: true } }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }, { generation: 1, labels: { "kubernetes.io/service-name": "kubernetes" } });

// ---------------------------------------------------------------- derived objects and checks

b.deriveAllEndpoints({ "payments/payments-api": SELECTOR_TYPO_AT });
b.finishNodeImages();
checkScheduling();
checkEventTTL();

/** The planted scheduling story must hold: every bound pod fits its node; the recommender fits none. */
function checkScheduling(): void {
  const requested = new Map<string, { cpu: number; memory: number }>();
  for (const p of b.all("Pod")) {
    const node = (p.spec as Json).nodeName as string | undefined;
    if (!node || isTerminal(p)) continue;
    const r = requested.get(node) ?? { cpu: 0, memory: 0 };
    for (const c of (p.spec as { containers: { resources: { requests?: Record<string, string> } }[] }).containers) {
      r.cpu += cpuMillis(c.resources.requests?.cpu);
      r.memory += quantity(c.resources.requests?.memory);
    }
    requested.set(node, r);
  }
  const recommenderRequest = { cpu: 1000, memory: quantity("14Gi") };
  for (const n of b.all("Node")) {
    const name = meta(n).name;
    const alloc = (n.status as { allocatable: Record<string, string> }).allocatable;
    const r = requested.get(name) ?? { cpu: 0, memory: 0 };
    const freeMemory = quantity(alloc.memory) - r.memory;
    const freeCpu = cpuMillis(alloc.cpu) - r.cpu;
    if (freeMemory < 0 || freeCpu < 0) throw new Error(`${name} is overcommitted`);
    if (name === CP) continue;
    if (recommenderRequest.memory <= freeMemory) throw new Error(`recommender would fit on ${name} (memory)`);
    if (recommenderRequest.cpu > freeCpu) throw new Error(`${name} would also be short of cpu; the message would differ`);
    // Before the eviction worker-3 also ran the catalog pod; it did not fit then either.
  }
}

/** Events expire an hour after their last update; the snapshot may only hold ones seen since 08:30. */
function checkEventTTL(): void {
  for (const e of b.all("Event")) {
    const last = (e.series as { lastObservedTime?: string } | undefined)?.lastObservedTime ?? (e.lastTimestamp as string | null) ?? (e.eventTime as string);
    if (Date.parse(last) < T - 3_600_000) throw new Error(`event ${meta(e).name} would have expired`);
  }
  for (const p of b.all("Pod")) if (!isTerminal(p) && (p.spec as Json).nodeName && !isPodReady(p)) {
    const name = meta(p).name;
    if (!/^(checkout|storefront)-/.test(name)) throw new Error(`unplanned unready pod ${name}`);
  }
}

const files = b.write(OUT);
console.log(`wrote ${files.length} files to ${OUT}: ${files.join(", ")}`);
