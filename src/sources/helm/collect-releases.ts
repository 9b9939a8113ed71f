// Gathers release revisions from Helm storage objects and from HelmRelease objects (kubesleuth archives)
// into one HelmRelease object per release, revisions merged by number.
import { HELM_RELEASE_API_VERSION, HELM_RELEASE_KIND, type HelmRelease, type HelmRevision } from "../../model/helm-release.js";
import type { KubeObject } from "../../model/kube.js";
import type { SkippedInput } from "../../model/snapshot.js";
import { decodeStorageEntry, HelmDecodeError, helmStorageOf, resanitizeRevision } from "./decode-release.js";

interface ReleaseEntry {
  namespace: string;
  name: string;
  releaseNamespace: string;
  revisions: Map<number, HelmRevision>;
}

export interface HelmReleaseCollector {
  /** Decodes a Secret or ConfigMap if it is Helm storage; returns whether it was. */
  addStorage(object: KubeObject): boolean;
  /** Merges an already decoded HelmRelease object (from an archive). */
  addRecord(object: KubeObject): void;
  build(): { objects: HelmRelease[]; skipped: SkippedInput[]; undecoded: number };
}

export function createHelmReleaseCollector(): HelmReleaseCollector {
  const releases = new Map<string, ReleaseEntry>();
  const failures: SkippedInput[] = [];
  /** Storage objects whose payload was already redacted: fine if the archive carried the decoded revision. */
  const redacted = new Map<string, string>();

  function entryFor(namespace: string, name: string, releaseNamespace: string): ReleaseEntry {
    const key = `${namespace}/${name}`;
    let entry = releases.get(key);
    if (!entry) releases.set(key, (entry = { namespace, name, releaseNamespace, revisions: new Map() }));
    return entry;
  }

  return {
    addStorage(object) {
      const storage = helmStorageOf(object);
      if (storage === undefined) return false;
      const where = `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`;
      if (storage === "redacted") {
        redacted.set(`${object.metadata.namespace ?? ""}/${object.kind}/${object.metadata.name}`, where);
        return true;
      }
      try {
        const decoded = decodeStorageEntry(storage);
        const entry = entryFor(storage.namespace, decoded.name, decoded.namespace ?? storage.namespace);
        const existing = entry.revisions.get(decoded.revision.revision);
        // The same revision in two inputs: the later status wins only if the first was pending (never happens for one capture).
        if (!existing || existing.status.startsWith("pending-")) entry.revisions.set(decoded.revision.revision, decoded.revision);
      } catch (error) {
        if (!(error instanceof HelmDecodeError)) throw error;
        failures.push({ location: where, reason: `Helm release payload not decoded: ${error.message}` });
      }
      return true;
    },
    addRecord(object) {
      const record = object as Partial<HelmRelease>;
      const namespace = object.metadata.namespace ?? "default";
      const entry = entryFor(namespace, object.metadata.name, typeof record.releaseNamespace === "string" ? record.releaseNamespace : namespace);
      for (const revision of Array.isArray(record.revisions) ? record.revisions : []) {
        if (typeof revision?.revision === "number" && !entry.revisions.has(revision.revision)) entry.revisions.set(revision.revision, resanitizeRevision(revision));
      }
    },
    build() {
      const objects: HelmRelease[] = [];
      const stored = new Set<string>();
      for (const entry of releases.values()) {
        const revisions = [...entry.revisions.values()].sort((a, b) => a.revision - b.revision);
        for (const r of revisions) stored.add(`${entry.namespace}/${r.storedIn}`);
        objects.push({
          apiVersion: HELM_RELEASE_API_VERSION,
          kind: HELM_RELEASE_KIND,
          metadata: { name: entry.name, namespace: entry.namespace },
          releaseNamespace: entry.releaseNamespace,
          revisions,
        });
      }
      const unexplained = [...redacted].filter(([key]) => !stored.has(key)).map(([, where]) => where);
      const skipped = [...failures];
      if (unexplained.length > 0) {
        skipped.push({ location: unexplained.slice(0, 3).join(", ") + (unexplained.length > 3 ? ` and ${unexplained.length - 3} more` : ""), reason: "Helm release payload already redacted; release history not available" });
      }
      return { objects, skipped, undecoded: failures.length + unexplained.length };
    },
  };
}
