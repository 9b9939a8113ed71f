// Narrows a snapshot the way kubectl's -n and -l narrow a listing: namespaced objects outside the
// namespace are dropped (cluster-scoped ones stay, analyzers need nodes and volumes), and a label
// selector keeps only the pods it matches.
import type { KubeObject } from "../model/kube.js";
import type { Snapshot } from "../model/snapshot.js";
import { kindInfo } from "../model/kinds.js";

export interface Restriction {
  namespace?: string;
  /** A compiled `-l` selector. */
  podMatches?: (labels: Readonly<Record<string, string>> | undefined) => boolean;
  /** The selector as the user wrote it, for the coverage note. */
  selectorText?: string;
}

export function restrictSnapshot(snapshot: Snapshot, restriction: Restriction): Snapshot {
  const { namespace, podMatches } = restriction;
  if (!namespace && !podMatches) return snapshot;
  const objects = new Map<string, readonly KubeObject[]>();
  for (const [kind, list] of snapshot.objects) {
    const namespaced = kindInfo(kind)?.namespaced ?? list.some((o) => o.metadata.namespace !== undefined);
    let kept = list;
    if (namespace && namespaced) kept = kept.filter((o) => o.metadata.namespace === namespace);
    if (podMatches && kind === "Pod") kept = kept.filter((o) => podMatches(o.metadata.labels));
    objects.set(kind, kept);
  }
  const podNames = podMatches ? new Set((objects.get("Pod") ?? []).map((p) => `${p.metadata.namespace}/${p.metadata.name}`)) : undefined;
  const logs = snapshot.logs.filter(
    (l) => (!namespace || l.namespace === namespace) && (!podNames || podNames.has(`${l.namespace}/${l.pod}`)),
  );
  const coverage = Object.fromEntries(
    Object.entries(snapshot.coverage).map(([kind, c]) => [kind, { ...c, count: objects.get(kind)?.length ?? c.count }]),
  );
  // Pods outside a -l selector are left out, not absent: analyzers must not take their absence for a fact.
  if (podMatches && coverage.Pod && coverage.Pod.status === "ok") {
    coverage.Pod = { ...coverage.Pod, status: "partial", note: restriction.selectorText ? `only pods matching -l ${restriction.selectorText}` : "only pods matching -l" };
  }
  const history = snapshot.history?.map((h) => restrictSnapshot(h, restriction));
  return { ...snapshot, objects, logs, coverage, ...(history ? { history } : {}), ...(namespace ? { namespace } : {}) };
}
