// Where things are in each offline format: maps a path inside an input (directory or archive) to
// what the file holds. Pure: paths in, routes out. The layouts:
//   kubesleuth archive   kubesleuth-snapshot/{manifest.json, control-plane.json, objects/<Kind>.json, logs/<ns>/<pod>/<c>[.previous].log}
//   support bundle       <root>/cluster-resources/<resource>.json | <resource>/<ns>.json | pods/logs/<ns>/<pod>/<c>[-previous].log,
//                        <root>/version.yaml, <root>/cluster-info/cluster_version.json  (troubleshoot pkg/constants)
//   must-gather          <image>/cluster-scoped-resources/<group>/<resource>/<name>.yaml,
//                        <image>/namespaces/<ns>/<group>/<resource>.yaml (Lists), .../pods/<pod>/<pod>.yaml,
//                        .../pods/<pod>/<c>/<c>/logs/{current,previous,previous.insecure}.log, timestamp
//   cluster-info dump    nodes.json, <ns>/{events,replication-controllers,services,daemonsets,deployments,replicasets,pods}.json,
//                        <ns>/<pod>/logs.txt
//   kubectl              any *.json, *.yaml, *.yml (optionally .gz)

import { findKind } from "../../model/kinds.js";

export type SnapshotFormat = "kubesleuth-archive" | "support-bundle" | "must-gather" | "cluster-info-dump" | "kubectl-json" | "kubectl-yaml" | "node-diagnostics";

/** Stronger evidence first: a support bundle may hold YAML, a must-gather JSON, and so on. */
export const FORMAT_PRIORITY: readonly SnapshotFormat[] = ["kubesleuth-archive", "support-bundle", "must-gather", "cluster-info-dump"];

export type Route =
  | { type: "objects"; syntax: "json" | "yaml" | "text"; gzip?: boolean; kind?: string; bundleResource?: boolean }
  | { type: "log"; namespace: string; pod: string; container: string; previous: boolean; layout: "archive" | "must-gather" }
  | { type: "bundle-log"; namespace: string; pod: string; file: string }
  | { type: "archive-manifest" }
  | { type: "archive-control-plane" }
  | { type: "archive-volume-stats" }
  | { type: "bundle-version" }
  | { type: "bundle-cluster-version" }
  | { type: "bundle-errors"; kind?: string }
  | { type: "must-gather-timestamp" }
  /** Not read. With a reason, it is listed as skipped (grouped by `group`, one line per directory). */
  | { type: "ignore"; reason?: string; group?: string };

export interface Classified {
  route: Route;
  /** The format this path is evidence of, if any. */
  signal?: SnapshotFormat;
}

/** Resource directory/file names in support bundles (troubleshoot pkg/constants) that are not plural resource names. */
const BUNDLE_RESOURCES: Record<string, string> = {
  pvs: "PersistentVolume",
  pvcs: "PersistentVolumeClaim",
  "network-policy": "NetworkPolicy",
  "resource-quota": "ResourceQuota",
  "resource-quotas": "ResourceQuota",
  "storage-classes": "StorageClass",
  "custom-resource-definitions": "CustomResourceDefinition",
  ingress: "Ingress",
  "ingress-classes": "IngressClass",
  "pod-disruption-budgets": "PodDisruptionBudget",
  "image-pull-secrets": "Secret",
  clusterrolebindings: "ClusterRoleBinding",
  "validating-webhook-configurations": "ValidatingWebhookConfiguration",
  "mutating-webhook-configurations": "MutatingWebhookConfiguration",
  volumeattachments: "VolumeAttachment",
  certificatesigningrequests: "CertificateSigningRequest",
};

/** Support bundle files under cluster-resources/ that describe the API or the collector's rights, not objects. */
const BUNDLE_NOT_OBJECTS = new Set(["groups.json", "resources.json", "auth-cani-list"]);

/** kubectl cluster-info dump's per-namespace file names (clusterinfo_dump.go). */
const DUMP_FILES: Record<string, string> = {
  "nodes.json": "Node",
  "events.json": "Event",
  "replication-controllers.json": "ReplicationController",
  "services.json": "Service",
  "daemonsets.json": "DaemonSet",
  "deployments.json": "Deployment",
  "replicasets.json": "ReplicaSet",
  "pods.json": "Pod",
};

/** must-gather directories beside the resources that hold neither objects nor container logs. */
const MUST_GATHER_OTHER: Record<string, string> = {
  host_service_logs: "node service journals (not container logs)",
  monitoring: "Prometheus/Alertmanager API output (not Kubernetes objects)",
  etcd_info: "etcdctl output (not Kubernetes objects)",
  ingress_controllers: "router configuration files (not Kubernetes objects)",
};

const ARCHIVE_EXTENSIONS = /\.(tar|tgz|tar\.gz|tar\.xz|txz|zip)$/i;

/** The kind a resource name stands for (`pods`, `clusterRoleBindings`, `deployments.apps`), if kubesleuth knows it. */
export function kindOfResource(resource: string, group?: string): string | undefined {
  const lower = resource.toLowerCase();
  if (BUNDLE_RESOURCES[lower]) return BUNDLE_RESOURCES[lower];
  if (group && group !== "core") return findKind(`${lower}.${group}`)?.kind;
  return findKind(lower)?.kind;
}

function syntaxOf(name: string): { syntax: "json" | "yaml"; gzip: boolean } | undefined {
  const m = /\.(json|yaml|yml)(\.gz)?$/i.exec(name);
  if (!m) return undefined;
  return { syntax: m[1]!.toLowerCase() === "json" ? "json" : "yaml", gzip: m[2] !== undefined };
}

function objects(name: string, kind?: string, extra?: { bundleResource?: boolean }): Route | undefined {
  const s = syntaxOf(name);
  if (!s) return undefined;
  return { type: "objects", syntax: s.syntax, ...(s.gzip ? { gzip: true } : {}), ...(kind ? { kind } : {}), ...extra };
}

function stripExtension(name: string): string {
  return name.replace(/\.(json|yaml|yml)(\.gz)?$/i, "");
}

/** Classifies one path inside an input ("/"-separated, relative to the input's root). */
export function classifyPath(path: string): Classified {
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  const name = segments[segments.length - 1] ?? "";
  const depth = segments.length;
  if (name.startsWith(".")) return { route: { type: "ignore" } }; // .DS_Store, ._AppleDouble, editor files

  // ---- kubesleuth archive
  const ks = segments.indexOf("kubesleuth-snapshot");
  if (ks >= 0 && ks < depth - 1) {
    const rest = segments.slice(ks + 1);
    const signal = "kubesleuth-archive" as const;
    if (rest.length === 1 && name === "manifest.json") return { route: { type: "archive-manifest" }, signal };
    if (rest.length === 1 && name === "control-plane.json") return { route: { type: "archive-control-plane" }, signal };
    if (rest.length === 1 && name === "volume-stats.json") return { route: { type: "archive-volume-stats" }, signal };
    if (rest.length === 2 && rest[0] === "objects" && name.endsWith(".json")) {
      return { route: { type: "objects", syntax: "json", kind: decodeURIComponent(name.slice(0, -5)) }, signal };
    }
    if (rest.length === 2 && rest[0] === "node-diagnostics" && name.endsWith(".json")) return { route: { type: "objects", syntax: "json" }, signal };
    if (rest.length === 4 && rest[0] === "logs" && name.endsWith(".log")) {
      const previous = name.endsWith(".previous.log");
      const container = decodeURIComponent(name.slice(0, previous ? -".previous.log".length : -".log".length));
      return {
        route: { type: "log", namespace: decodeURIComponent(rest[1]!), pod: decodeURIComponent(rest[2]!), container, previous, layout: "archive" },
        signal,
      };
    }
    return { route: { type: "ignore", reason: "not part of the kubesleuth archive layout" }, signal };
  }

  // ---- support bundle
  const cr = segments.indexOf("cluster-resources");
  if (cr >= 0 && cr < depth - 1) {
    const signal = "support-bundle" as const;
    const rest = segments.slice(cr + 1);
    if (rest[0] === "pods" && rest[1] === "logs") {
      if (rest.length === 5 && name.endsWith(".log")) return { route: { type: "bundle-log", namespace: rest[2]!, pod: rest[3]!, file: name }, signal };
      return { route: { type: "ignore" }, signal };
    }
    if (BUNDLE_NOT_OBJECTS.has(rest[0]!)) return { route: { type: "ignore" }, signal };
    if (name.endsWith("-errors.json")) {
      const resource = rest.length === 1 ? name.slice(0, -"-errors.json".length) : rest[0]!;
      const kind = kindOfResource(resource);
      return { route: { type: "bundle-errors", ...(kind ? { kind } : {}) }, signal };
    }
    if (rest[0] === "custom-resources") return { route: objects(name) ?? { type: "ignore" }, signal };
    const resource = rest.length === 1 ? stripExtension(name) : rest[0]!;
    return { route: objects(name, kindOfResource(resource), { bundleResource: true }) ?? { type: "ignore" }, signal };
  }
  if (name === "cluster_version.json" && segments[depth - 2] === "cluster-info") return { route: { type: "bundle-cluster-version" }, signal: "support-bundle" };
  // troubleshoot names the bundle's top directory support-bundle-<timestamp>
  const bundleRoot = depth === 2 && /^support-bundle/.test(segments[0]!) ? ("support-bundle" as const) : undefined;
  if (name === "version.yaml" && depth <= 2) return bundleRoot ? { route: { type: "bundle-version" }, signal: bundleRoot } : { route: { type: "bundle-version" } };
  if (name === "analysis.json" && depth <= 2) return { route: { type: "ignore" }, signal: "support-bundle" }; // troubleshoot analyzer results

  // ---- must-gather
  const csr = segments.indexOf("cluster-scoped-resources");
  if (csr >= 0 && csr < depth - 1) {
    const rest = segments.slice(csr + 1);
    const kind = rest.length === 3 ? kindOfResource(rest[1]!, rest[0]) : undefined;
    return { route: objects(name, kind) ?? { type: "ignore" }, signal: "must-gather" };
  }
  const nsIndex = segments.indexOf("namespaces");
  if (nsIndex >= 0 && depth - nsIndex >= 3) {
    const rest = segments.slice(nsIndex + 1); // <ns>/...
    const ns = rest[0]!;
    if (rest[1] === "pods") {
      const signal = "must-gather" as const;
      if (rest.length === 7 && rest[5] === "logs") {
        const container = rest[3]!;
        if (name === "current.log") return { route: { type: "log", namespace: ns, pod: rest[2]!, container, previous: false, layout: "must-gather" }, signal };
        // previous.insecure.log: the same previous log, fetched again without verifying the kubelet's certificate
        if (name === "previous.log" || name === "previous.insecure.log") {
          return { route: { type: "log", namespace: ns, pod: rest[2]!, container, previous: true, layout: "must-gather" }, signal };
        }
      }
      if (rest.length === 4 && name === `${rest[2]}.yaml`) return { route: objects(name, "Pod")!, signal };
      return { route: { type: "ignore" }, signal }; // api_priority_and_fairness dumps and the like
    }
    const signal = rest[1] === "core" ? ("must-gather" as const) : undefined;
    const kind = rest.length === 3 ? kindOfResource(stripExtension(name), rest[1]) : rest.length === 4 ? kindOfResource(rest[2]!, rest[1]) : undefined;
    const route = objects(name, kind);
    if (route) return signal ? { route, signal } : { route };
  }
  if (name === "timestamp") return { route: { type: "must-gather-timestamp" } };
  if (name === "event-filter.html") return { route: { type: "ignore" }, signal: "must-gather" };
  for (const [dir, reason] of Object.entries(MUST_GATHER_OTHER)) {
    const at = segments.indexOf(dir);
    if (at >= 0 && at < depth - 1) return { route: { type: "ignore", reason, group: segments.slice(0, at + 1).join("/") } };
  }

  // ---- kubectl cluster-info dump
  if (name === "logs.txt") return { route: { type: "objects", syntax: "text" } };
  if (DUMP_FILES[name] && depth <= 3) {
    const signal = name === "replication-controllers.json" ? ("cluster-info-dump" as const) : undefined;
    const route = objects(name, DUMP_FILES[name])!;
    return signal ? { route, signal } : { route };
  }

  // ---- anything kubectl printed
  if (ARCHIVE_EXTENSIONS.test(name)) return { route: { type: "ignore", reason: "archive inside the input is not opened; pass it as its own path" } };
  const route = objects(name);
  if (route) return { route };
  if (/\.txt$/i.test(name)) return { route: { type: "objects", syntax: "text" } };
  return { route: { type: "ignore" } };
}

/** The format an input is, from the signals its paths and contents gave. */
export function decideFormat(signals: ReadonlySet<SnapshotFormat>, sawJson: boolean): SnapshotFormat {
  for (const format of FORMAT_PRIORITY) if (signals.has(format)) return format;
  return sawJson ? "kubectl-json" : "kubectl-yaml";
}
