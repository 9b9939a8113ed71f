// Collects objects from one or more inputs into a Snapshot: files each object by kind,
// drops duplicates (the same object seen in two files), decodes Helm release storage into sanitized
// HelmRelease objects, redacts Secrets (and Helm release ConfigMaps), records coverage.
import type { ControlPlaneData } from "../model/control-plane.js";
import type { VolumeStatsData } from "../model/volume-stats.js";
import type { KubeObject } from "../model/kube.js";
import type { CoverageEntry, PodLog, SkippedInput, Snapshot, SnapshotSource } from "../model/snapshot.js";
import { HELM_RELEASE_KIND } from "../model/helm-release.js";
import { createHelmReleaseCollector } from "./helm/collect-releases.js";
import { isHelmReleaseConfigMap, redactObject } from "./redact.js";
import type { NodeDiagnostics } from "../model/node-diagnostics.js";

export interface SnapshotBuilder {
  /** Adds an object; returns false when it is not a Kubernetes object (no kind or metadata.name). */
  add(object: unknown): boolean;
  /**
   * Decodes a Helm release Secret or ConfigMap into the snapshot's HelmRelease objects without keeping the
   * object itself (the live source's targeted list of release storage). Returns false when it is not one.
   */
  addHelmStorage(object: unknown): boolean;
  addLog(log: PodLog): void;
  /** Adds a node-diagnostics document; of two for the same node, the later collection wins. */
  addNodeDiagnostics(diagnostics: NodeDiagnostics): void;
  skip(location: string, reason: string): void;
  /** Marks a kind's coverage explicitly (live: forbidden/absent; readers: partial). */
  setCoverage(kind: string, status: CoverageEntry["status"], note?: string): void;
  /** Declares kinds the input was expected to hold (so an empty list still counts as "ok", not absent). */
  markListed(kind: string): void;
  setCapturedAt(time: string): void;
  setServerVersion(version: string): void;
  setControlPlane(data: ControlPlaneData): void;
  /** Pod volume stats; a second call merges (volumes and nodes added, a node read later wins). */
  setVolumeStats(data: VolumeStatsData): void;
  build(): Snapshot;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== "object" || value === null) return false;
  const o = value as { kind?: unknown; metadata?: { name?: unknown } };
  return typeof o.kind === "string" && typeof o.metadata === "object" && o.metadata !== null && typeof o.metadata.name === "string";
}

function compareObjects(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.namespace ?? "";
  const bn = b.metadata.namespace ?? "";
  if (an !== bn) return an < bn ? -1 : 1;
  const a2 = a.metadata.name;
  const b2 = b.metadata.name;
  return a2 < b2 ? -1 : a2 > b2 ? 1 : 0;
}

/** Newer resourceVersion wins when the same object appears twice (resourceVersions are opaque but numeric in etcd). */
function isNewer(candidate: KubeObject, existing: KubeObject): boolean {
  const c = Number(candidate.metadata.resourceVersion);
  const e = Number(existing.metadata.resourceVersion);
  return Number.isFinite(c) && Number.isFinite(e) && c > e;
}

export function createSnapshotBuilder(source: SnapshotSource): SnapshotBuilder {
  const objects = new Map<string, Map<string, KubeObject>>();
  const logs = new Map<string, PodLog>();
  const skipped: SkippedInput[] = [];
  const nodeDiagnostics = new Map<string, NodeDiagnostics>();
  const coverage: Record<string, CoverageEntry> = {};
  const listed = new Set<string>();
  let capturedAt: string | undefined;
  let serverVersion: string | undefined;
  const helm = createHelmReleaseCollector();
  let controlPlane: ControlPlaneData | undefined;
  let volumeStats: VolumeStatsData | undefined;

  return {
    add(value) {
      if (!isKubeObject(value)) return false;
      if (value.kind === HELM_RELEASE_KIND) {
        helm.addRecord(value);
        return true;
      }
      const object = value.kind === "Secret" || isHelmReleaseConfigMap(value) ? (helm.addStorage(value), redactObject(value)) : value;
      // Typed lists from kubectl omit apiVersion/kind on items; readers set kind before adding.
      let byKey = objects.get(object.kind);
      if (!byKey) objects.set(object.kind, (byKey = new Map()));
      const k = `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
      const existing = byKey.get(k);
      if (!existing || isNewer(object, existing)) byKey.set(k, object);
      return true;
    },
    addHelmStorage(value) {
      if (!isKubeObject(value) || (value.kind !== "Secret" && value.kind !== "ConfigMap")) return false;
      return helm.addStorage(value);
    },
    addLog(log) {
      const k = `${log.namespace}/${log.pod}/${log.container}/${log.previous}`;
      if (!logs.has(k)) logs.set(k, log);
    },
    addNodeDiagnostics(diagnostics) {
      const existing = nodeDiagnostics.get(diagnostics.node);
      if (!existing || Date.parse(diagnostics.collectedAt) > Date.parse(existing.collectedAt)) nodeDiagnostics.set(diagnostics.node, diagnostics);
    },
    skip(location, reason) {
      skipped.push({ location, reason });
    },
    setCoverage(kind, status, note) {
      coverage[kind] = { count: 0, status, ...(note ? { note } : {}) };
    },
    markListed(kind) {
      listed.add(kind);
    },
    setCapturedAt(time) {
      capturedAt = time;
    },
    setServerVersion(version) {
      serverVersion = version;
    },
    setControlPlane(data) {
      controlPlane = data;
    },
    setVolumeStats(data) {
      volumeStats = mergeVolumeStats(volumeStats, data);
    },
    build() {
      const releases = helm.build();
      if (releases.objects.length > 0) objects.set(HELM_RELEASE_KIND, new Map(releases.objects.map((o) => [`${o.metadata.namespace ?? ""}/${o.metadata.name}`, o])));
      const sorted = new Map<string, KubeObject[]>();
      for (const kind of [...objects.keys()].sort()) {
        sorted.set(kind, [...objects.get(kind)!.values()].sort(compareObjects));
      }
      skipped.push(...releases.skipped);
      // Unless a source declared it (the live source's release lists, an archive's manifest), HelmRelease
      // coverage exists once releases were found, and is partial when the Secrets they came from are.
      if (!coverage[HELM_RELEASE_KIND] && !listed.has(HELM_RELEASE_KIND) && releases.objects.length > 0) {
        const secrets = coverage.Secret;
        if (secrets && secrets.status !== "ok") coverage[HELM_RELEASE_KIND] = { count: 0, status: "partial", note: `release Secrets: ${secrets.note ?? secrets.status}` };
        else listed.add(HELM_RELEASE_KIND);
      }
      if (releases.undecoded > 0) {
        const declared = coverage[HELM_RELEASE_KIND];
        const note = `${releases.undecoded} Helm release Secret(s)/ConfigMap(s) could not be decoded (payload redacted by the collector, or damaged)`;
        coverage[HELM_RELEASE_KIND] = { count: 0, status: declared?.status === "forbidden" ? "forbidden" : "partial", note: declared?.note ? `${declared.note}; ${note}` : note };
      }
      const finalCoverage: Record<string, CoverageEntry> = {};
      const kinds = new Set([...sorted.keys(), ...listed, ...Object.keys(coverage)]);
      for (const kind of [...kinds].sort()) {
        const count = sorted.get(kind)?.length ?? 0;
        const declared = coverage[kind];
        finalCoverage[kind] = declared ? { ...declared, count } : { count, status: "ok" };
      }
      return {
        source,
        ...(capturedAt ? { capturedAt } : {}),
        ...(serverVersion ? { serverVersion } : {}),
        objects: sorted,
        logs: [...logs.values()].sort((a, b) =>
          `${a.namespace}/${a.pod}/${a.container}/${a.previous}`.localeCompare(`${b.namespace}/${b.pod}/${b.container}/${b.previous}`),
        ),
        coverage: finalCoverage,
        skipped,
        ...(controlPlane ? { controlPlane } : {}),
        ...(volumeStats ? { volumeStats } : {}),
        ...(nodeDiagnostics.size ? { nodeDiagnostics: [...nodeDiagnostics.values()].sort((a, b) => a.node.localeCompare(b.node)) } : {}),
      };
    },
  };
}

/** Two volume-stats documents as one: a node's entries come from the later document that read it. */
function mergeVolumeStats(earlier: VolumeStatsData | undefined, later: VolumeStatsData): VolumeStatsData {
  if (!earlier) return later;
  const readLater = new Set(later.nodesRead);
  const nodesRead = [...new Set([...earlier.nodesRead, ...later.nodesRead])].sort();
  const read = new Set(nodesRead);
  const skipped = [...(earlier.nodesSkipped ?? []), ...(later.nodesSkipped ?? [])].filter((s) => !read.has(s.node));
  return {
    volumes: [...earlier.volumes.filter((v) => !readLater.has(v.node)), ...later.volumes],
    nodesRead,
    ...(skipped.length ? { nodesSkipped: skipped } : {}),
  };
}
