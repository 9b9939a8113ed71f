// Compares two revisions of a Helm release: resources added, removed and changed (changed fields as paths
// with old and new values), user-supplied values, chart and app version. Pure; works on sanitized
// revisions, so secret values only ever appear as redaction markers (equal markers = unchanged value).
import type { HelmRelease, HelmRevision } from "../../model/helm-release.js";
import type { KubeObject } from "../../model/kube.js";

export interface FieldChange {
  /** Dot path; list items that carry a `name` are addressed by it (`spec.template.spec.containers[name=web].image`). */
  path: string;
  change: "added" | "removed" | "changed";
  old?: unknown;
  new?: unknown;
}

export interface ResourceKey {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ResourceChange {
  resource: ResourceKey;
  change: "added" | "removed" | "changed";
  /** The template it is rendered from (new revision's, else old). */
  source?: string;
  /** For "changed": the field changes. */
  fields: FieldChange[];
}

export interface RevisionDiff {
  release: string;
  namespace: string;
  from: number;
  to: number;
  chart?: { from: string; to: string };
  appVersion?: { from?: string; to?: string };
  resources: ResourceChange[];
  values: FieldChange[];
}

/** Kinds whose objects are cluster-scoped, so no namespace is implied for them. */
const CLUSTER_SCOPED = new Set([
  "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
  "PriorityClass", "IngressClass", "CSIDriver", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
  "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "RuntimeClass",
]);

/** The identity of a rendered resource; objects without a namespace get the release's (as Helm applies them). */
export function resourceKeyOf(object: KubeObject, releaseNamespace: string): ResourceKey {
  const namespace = CLUSTER_SCOPED.has(object.kind) ? undefined : (object.metadata?.namespace ?? releaseNamespace);
  return { ...(object.apiVersion ? { apiVersion: object.apiVersion } : {}), kind: object.kind, ...(namespace ? { namespace } : {}), name: String(object.metadata?.name ?? "") };
}

function keyString(k: ResourceKey): string {
  return `${k.kind}/${k.namespace ?? ""}/${k.name}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function namedItems(list: unknown[]): Map<string, unknown> | undefined {
  const out = new Map<string, unknown>();
  for (const item of list) {
    if (!isPlainObject(item) || typeof item.name !== "string" || out.has(item.name)) return undefined;
    out.set(item.name, item);
  }
  return out;
}

function join(base: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (base ? `${base}.${key}` : key) : `${base}[${JSON.stringify(key)}]`;
}

/** A structural diff of two JSON values; lists of named items are matched by name, others by position. */
export function diffValues(a: unknown, b: unknown, path = ""): FieldChange[] {
  if (a === undefined && b === undefined) return [];
  // An object added or removed whole is listed leaf by leaf (`service.targetPort: (unset) → web`).
  if (a === undefined) return isPlainObject(b) && Object.keys(b).length > 0 ? diffValues({}, b, path) : [{ path, change: "added", new: b }];
  if (b === undefined) return isPlainObject(a) && Object.keys(a).length > 0 ? diffValues(a, {}, path) : [{ path, change: "removed", old: a }];
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(a[k], b[k], join(path, k)));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const na = namedItems(a);
    const nb = namedItems(b);
    if (na && nb && (na.size > 0 || nb.size > 0)) {
      const names = [...new Set([...na.keys(), ...nb.keys()])];
      return names.flatMap((n) => diffValues(na.get(n), nb.get(n), `${path}[name=${n}]`));
    }
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...diffValues(a[i], b[i], `${path}[${i}]`));
    return out;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, change: "changed", old: a, new: b }];
}

/** Metadata Helm and the chart's helpers change on every upgrade (chart label, version labels) are still changes; none is hidden. */
function resourcesByKey(revision: HelmRevision, namespace: string): Map<string, { key: ResourceKey; object: KubeObject; source?: string }> {
  const out = new Map<string, { key: ResourceKey; object: KubeObject; source?: string }>();
  for (const r of revision.resources) {
    const key = resourceKeyOf(r.object, namespace);
    out.set(keyString(key), { key, object: r.object, ...(r.source ? { source: r.source } : {}) });
  }
  return out;
}

/** Diffs revision `from` to revision `to` of a release. */
export function diffRevisions(release: HelmRelease, from: HelmRevision, to: HelmRevision): RevisionDiff {
  const namespace = release.metadata.namespace ?? release.releaseNamespace;
  const before = resourcesByKey(from, namespace);
  const after = resourcesByKey(to, namespace);
  const resources: ResourceChange[] = [];
  for (const k of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(k);
    const b = after.get(k);
    if (!a && b) resources.push({ resource: b.key, change: "added", ...(b.source ? { source: b.source } : {}), fields: [] });
    else if (a && !b) resources.push({ resource: a.key, change: "removed", ...(a.source ? { source: a.source } : {}), fields: [] });
    else if (a && b) {
      const fields = diffValues(a.object, b.object);
      if (fields.length > 0) resources.push({ resource: b.key, change: "changed", ...((b.source ?? a.source) ? { source: b.source ?? a.source } : {}), fields });
    }
  }
  const chartFrom = `${from.chart.name}-${from.chart.version}`;
  const chartTo = `${to.chart.name}-${to.chart.version}`;
  return {
    release: release.metadata.name,
    namespace,
    from: from.revision,
    to: to.revision,
    ...(chartFrom !== chartTo ? { chart: { from: chartFrom, to: chartTo } } : {}),
    ...(from.chart.appVersion !== to.chart.appVersion ? { appVersion: { from: from.chart.appVersion, to: to.chart.appVersion } } : {}),
    resources,
    values: diffValues(from.values, to.values),
  };
}

/** What kind of change a field path is, for "which change plausibly broke it". */
export type ChangeCategory = "image" | "ports" | "selector" | "labels" | "env" | "resources" | "probes" | "command" | "volumes" | "replicas" | "service-account" | "other";

/** Classifies a changed field of a rendered resource. */
export function categorize(path: string): ChangeCategory {
  if (/(^|\.)image$|imagePullSecrets|imagePullPolicy/.test(path)) return "image";
  if (/\b(ports|targetPort|containerPort|nodePort)\b/.test(path)) return "ports";
  if (/(^|\.)selector\b|matchLabels|matchExpressions/.test(path)) return "selector";
  if (/template\.metadata\.labels/.test(path)) return "labels";
  if (/\.(env|envFrom)\b/.test(path)) return "env";
  if (/\.resources\b/.test(path)) return "resources";
  if (/(readiness|liveness|startup)Probe/.test(path)) return "probes";
  if (/\.(command|args|workingDir)\b/.test(path)) return "command";
  if (/\.(volumes|volumeMounts)\b/.test(path)) return "volumes";
  if (/^spec\.replicas$/.test(path)) return "replicas";
  if (/serviceAccount(Name)?$/.test(path)) return "service-account";
  return "other";
}

/** Sorts revisions of a release, oldest first (they are stored so; this is for callers holding copies). */
export function revisionsOf(release: HelmRelease): HelmRevision[] {
  return [...release.revisions].sort((a, b) => a.revision - b.revision);
}

/** The newest revision. */
export function latestRevision(release: HelmRelease): HelmRevision | undefined {
  const revisions = revisionsOf(release);
  return revisions[revisions.length - 1];
}

/**
 * The revision `helm rollback` should target: the newest revision before `before` that was deployed
 * (status superseded or deployed). Failed and pending revisions never were a working state.
 */
export function lastDeployedBefore(release: HelmRelease, before: number): HelmRevision | undefined {
  return revisionsOf(release)
    .filter((r) => r.revision < before && (r.status === "superseded" || r.status === "deployed"))
    .pop();
}
