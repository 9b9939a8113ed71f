// Generates a synthetic cluster for the `reach --matrix` benchmark: namespaces, Deployments with their
// ReplicaSets and pods (owner references, pod IPs, named container ports) and NetworkPolicies of the
// kinds real clusters carry, written as `kubectl get -A -o json` List files.
//
//   npx tsx bench/generate-netpol-cluster.ts --pods 10000 --policies 1000 --out bench/out/netpol-10000x1000
//
// Deterministic for a given --seed. Per namespace (policies / 20 namespaces... see below):
// default deny (ingress + egress), DNS egress to kube-dns, same-namespace ingress, monitoring ingress
// on the named port `metrics`, internet egress (ipBlock 0.0.0.0/0 except the pod range, port 443),
// and per-app policies: ingress from chosen tiers on the named port `http`, ingress from another
// team's namespace (namespaceSelector AND podSelector) on an endPort range, egress to the databases
// on the named port `postgres`, ingress from an ipBlock with an except (the namespace's own /16).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Rng, type Json } from "../fixtures/clusters/_generator/kube-factory.js";

export interface NetpolClusterOptions {
  pods: number;
  policies: number;
  seed?: number;
  /** Pods per Deployment (default 10): 10,000 pods are 1,000 workloads. */
  replicas?: number;
}

const TIERS = ["web", "api", "worker", "db", "cache"] as const;
const ENVS = ["prod", "staging", "dev"] as const;
const CREATED = "2026-11-01T08:00:00Z";

function meta(name: string, namespace: string | undefined, extra: Json = {}): Json {
  return { name, ...(namespace ? { namespace } : {}), uid: `uid-${namespace ?? ""}-${name}`, creationTimestamp: CREATED, ...extra };
}

function portsFor(tier: string): Json[] {
  const ports: Json[] = [
    { containerPort: 8080, name: "http", protocol: "TCP" },
    { containerPort: 9090, name: "metrics", protocol: "TCP" },
  ];
  if (tier === "db") ports.push({ containerPort: 5432, name: "postgres", protocol: "TCP" });
  if (tier === "cache") ports.push({ containerPort: 6379, name: "redis", protocol: "TCP" });
  return ports;
}

/** The objects by List file name. */
export function generateNetpolCluster(options: NetpolClusterOptions): Record<string, Json[]> {
  const rng = new Rng(options.seed ?? 7);
  const replicas = options.replicas ?? 10;
  const deploymentCount = Math.ceil(options.pods / replicas);
  const namespaceCount = Math.max(1, Math.round(options.policies / 20));
  const namespaces: Json[] = [];
  const deployments: Json[] = [];
  const replicasets: Json[] = [];
  const pods: Json[] = [];
  const policies: Json[] = [];
  const nsName = (i: number): string => `team-${String(i).padStart(3, "0")}`;

  // kube-system with CoreDNS, the target of every DNS egress rule.
  namespaces.push({ apiVersion: "v1", kind: "Namespace", metadata: meta("kube-system", undefined, { labels: { "kubernetes.io/metadata.name": "kube-system" } }), status: { phase: "Active" } });
  namespaces.push({ apiVersion: "v1", kind: "Namespace", metadata: meta("monitoring", undefined, { labels: { "kubernetes.io/metadata.name": "monitoring", purpose: "monitoring" } }), status: { phase: "Active" } });
  for (let i = 0; i < namespaceCount; i++) {
    const name = nsName(i);
    namespaces.push({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: meta(name, undefined, { labels: { "kubernetes.io/metadata.name": name, team: `t${i % 10}`, env: ENVS[i % 3]! } }),
      status: { phase: "Active" },
    });
  }

  const addDeployment = (namespace: string, name: string, labels: Record<string, string>, count: number, ports: Json[], ipOf: (k: number) => string): void => {
    const hash = rng.hex(10);
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: meta(name, namespace, { labels }), spec: { replicas: count, selector: { matchLabels: { app: labels.app } } }, status: { replicas: count, readyReplicas: count } };
    const rsName = `${name}-${hash}`;
    const rs = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: meta(rsName, namespace, { labels: { ...labels, "pod-template-hash": hash }, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name, uid: `uid-${namespace}-${name}`, controller: true }] }),
      spec: { replicas: count },
      status: { replicas: count, readyReplicas: count },
    };
    deployments.push(deployment);
    replicasets.push(rs);
    for (let k = 0; k < count; k++) {
      const podName = `${rsName}-${rng.hex(5)}`;
      const ip = ipOf(k);
      pods.push({
        apiVersion: "v1",
        kind: "Pod",
        metadata: meta(podName, namespace, { labels: { ...labels, "pod-template-hash": hash }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: rsName, uid: `uid-${namespace}-${rsName}`, controller: true }] }),
        spec: { containers: [{ name: "main", image: `registry.example.com/${name}:1.0`, ports }], nodeName: `node-${k % 50}`, dnsPolicy: "ClusterFirst" },
        status: { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: "True" }] },
      });
    }
  };

  addDeployment("kube-system", "coredns", { app: "coredns", "k8s-app": "kube-dns" }, 2, [{ containerPort: 53, name: "dns", protocol: "UDP" }, { containerPort: 53, name: "dns-tcp", protocol: "TCP" }], (k) => `10.255.0.${k + 2}`);
  addDeployment("monitoring", "prometheus", { app: "prometheus", tier: "monitoring" }, 1, [{ containerPort: 9090, name: "web", protocol: "TCP" }], () => "10.254.0.2");

  let podNumber = 0;
  const appsByNamespace: { app: string; tier: string }[][] = Array.from({ length: namespaceCount }, () => []);
  for (let d = 0; d < deploymentCount; d++) {
    const nsIndex = d % namespaceCount;
    const namespace = nsName(nsIndex);
    // Every namespace gets every tier (deployment d is the (d / namespaces)-th app of its namespace).
    const tier = TIERS[Math.floor(d / namespaceCount) % TIERS.length]!;
    const app = `app-${String(d).padStart(4, "0")}`;
    const count = Math.min(replicas, options.pods - podNumber);
    if (count <= 0) break;
    appsByNamespace[nsIndex]!.push({ app, tier });
    addDeployment(namespace, app, { app, tier, version: d % 7 === 0 ? "v2" : "v1" }, count, portsFor(tier), (k) => {
      const n = podNumber + k;
      return `10.${nsIndex % 200}.${(n >> 8) & 255}.${n & 255}`;
    });
    podNumber += count;
  }

  const policy = (namespace: string, name: string, spec: Json): void => {
    if (policies.length < options.policies) policies.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta(name, namespace), spec });
  };
  // Five namespace-wide policies per namespace, then per-app ones round-robin until the budget is spent.
  for (let i = 0; i < namespaceCount; i++) {
    const namespace = nsName(i);
    policy(namespace, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    policy(namespace, "allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] }],
    });
    policy(namespace, "allow-same-namespace", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
    policy(namespace, "allow-monitoring", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: "monitoring" } } }], ports: [{ port: "metrics" }] }] });
    policy(namespace, "allow-internet-https", { podSelector: { matchLabels: { tier: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 443 }] }] });
  }
  for (let round = 0; policies.length < options.policies; round++) {
    const before = policies.length;
    for (let i = 0; i < namespaceCount && policies.length < options.policies; i++) {
      const apps = appsByNamespace[i]!;
      if (apps.length === 0) continue;
      const target = apps[round % apps.length]!;
      const namespace = nsName(i);
      const other = nsName((i + 1 + (round % Math.max(1, namespaceCount - 1))) % namespaceCount);
      switch (round % 4) {
        case 0:
          policy(namespace, `${target.app}-from-tiers-${round}`, { podSelector: { matchLabels: { app: target.app } }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }] } }], ports: [{ port: "http" }] }] });
          break;
        case 1:
          policy(namespace, `${target.app}-from-${other}-${round}`, {
            podSelector: { matchLabels: { app: target.app } },
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": other } }, podSelector: { matchLabels: { tier: "api" } } }], ports: [{ port: 8080, endPort: 8090, protocol: "TCP" }] }],
          });
          break;
        case 2:
          policy(namespace, `${target.app}-to-db-${round}`, { podSelector: { matchLabels: { app: target.app } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { tier: "db" } } }], ports: [{ port: "postgres" }] }, { to: [{ namespaceSelector: { matchLabels: { team: `t${(i + round) % 10}` } } }], ports: [{ port: 8080 }] }] });
          break;
        default:
          policy(namespace, `${target.app}-from-vpc-${round}`, { podSelector: { matchLabels: { app: target.app } }, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: [`10.${i % 200}.0.0/16`] } }], ports: [{ port: 9090 }, { port: "http", protocol: "TCP" }] }] });
      }
    }
    if (policies.length === before) break;
  }
  return { "namespaces.json": namespaces, "deployments.json": deployments, "replicasets.json": replicasets, "pods.json": pods, "networkpolicies.json": policies };
}

export function writeNetpolCluster(dir: string, objects: Record<string, Json[]>): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, items] of Object.entries(objects)) {
    writeFileSync(join(dir, file), JSON.stringify({ apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } }));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { pods: { type: "string", default: "10000" }, policies: { type: "string", default: "1000" }, seed: { type: "string", default: "7" }, out: { type: "string" } } });
  const pods = Number(values.pods);
  const count = Number(values.policies);
  const out = values.out ?? `bench/out/netpol-${pods}x${count}`;
  const objects = generateNetpolCluster({ pods, policies: count, seed: Number(values.seed) });
  writeNetpolCluster(out, objects);
  process.stdout.write(`${out}: ${Object.entries(objects).map(([f, items]) => `${f} ${items.length}`).join(", ")}\n`);
}
