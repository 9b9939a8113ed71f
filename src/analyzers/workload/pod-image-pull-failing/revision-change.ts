// What changed between a Deployment's failing ReplicaSet and an older one whose pods pulled their images:
// the pod-template fields that decide a pull (container images, imagePullSecrets, serviceAccountName).
import type { Evidence } from "../../../model/finding.js";
import type { Pod, PodSpec, ReplicaSet } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";

export interface RevisionChange {
  failing: ReplicaSet;
  working: ReplicaSet;
  failingRevision?: string;
  workingRevision?: string;
  /** Ready pods of the working ReplicaSet. */
  workingReady: number;
  /** Human-readable differences, e.g. `imagePullSecrets: [ghcr-pull] -> none`. */
  changes: string[];
  evidence: Evidence[];
}

const REVISION = "deployment.kubernetes.io/revision";

const secretsOf = (spec: PodSpec | undefined): string[] => (spec?.imagePullSecrets ?? []).map((s) => s.name);
const listText = (names: readonly string[]): string => (names.length ? `[${names.join(", ")}]` : "none");

function isReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/**
 * For pods of a Deployment failing to pull: their ReplicaSet, and the newest other ReplicaSet of the
 * same Deployment with ready pods (so its images were pulled). Undefined when there is none, or when
 * the pull-relevant template fields are identical (then the change is elsewhere: registry, Secret contents).
 */
export function revisionChange(index: ClusterIndex, failingPods: readonly Pod[]): RevisionChange | undefined {
  const owner = index.controllerOf(failingPods[0]!);
  if (owner?.kind !== "ReplicaSet") return undefined;
  const failing = owner as ReplicaSet;
  const deployment = index.controllerOf(failing);
  if (deployment?.kind !== "Deployment") return undefined;
  const failingUids = new Set(failingPods.map((p) => p.metadata.uid));
  const candidates = index
    .controlledBy(deployment)
    .filter((o): o is ReplicaSet => o.kind === "ReplicaSet" && o.metadata.uid !== failing.metadata.uid)
    .map((rs) => ({ rs, ready: index.podsOfWorkload(rs).filter((p) => !failingUids.has(p.metadata.uid) && isReady(p)).length }))
    .filter((c) => c.ready > 0)
    .sort((a, b) => Number(b.rs.metadata.annotations?.[REVISION] ?? 0) - Number(a.rs.metadata.annotations?.[REVISION] ?? 0));
  const best = candidates[0];
  if (!best) return undefined;
  const working = best.rs;
  const before = working.spec?.template?.spec;
  const after = failing.spec?.template?.spec;
  if (!before || !after) return undefined;

  const changes: string[] = [];
  const evidence: Evidence[] = [];
  const note = (path: string, from: unknown, to: unknown, text: string): void => {
    changes.push(text);
    evidence.push({ ref: refOf(failing), path, value: to as Evidence["value"], note: `${working.metadata.name} (pods pulled fine) has ${JSON.stringify(from ?? null)}` });
  };
  const oldSecrets = secretsOf(before);
  const newSecrets = secretsOf(after);
  if (oldSecrets.join("\u0000") !== newSecrets.join("\u0000")) {
    const dropped = oldSecrets.filter((s) => !newSecrets.includes(s));
    const text = newSecrets.length === 0 ? `dropped imagePullSecrets ${listText(oldSecrets)}` : `changed imagePullSecrets ${listText(oldSecrets)} -> ${listText(newSecrets)}${dropped.length ? ` (dropped ${dropped.join(", ")})` : ""}`;
    note("spec.template.spec.imagePullSecrets", before.imagePullSecrets, after.imagePullSecrets ?? null, text);
  }
  const oldSa = before.serviceAccountName ?? before.serviceAccount ?? "default";
  const newSa = after.serviceAccountName ?? after.serviceAccount ?? "default";
  if (oldSa !== newSa) note("spec.template.spec.serviceAccountName", oldSa, newSa, `changed serviceAccountName ${oldSa} -> ${newSa} (pull secrets come also from the ServiceAccount)`);
  for (const list of ["initContainers", "containers"] as const) {
    (after[list] ?? []).forEach((c, i) => {
      const old = (before[list] ?? []).find((o) => o.name === c.name);
      if (old && old.image !== c.image) note(`spec.template.spec.${list}[${i}].image`, old.image, c.image, `changed the image of container ${c.name} ${old.image} -> ${c.image}`);
      else if (!old) note(`spec.template.spec.${list}[${i}].image`, undefined, c.image, `added container ${c.name} with image ${c.image}`);
    });
  }
  if (changes.length === 0) return undefined;
  const failingRevision = failing.metadata.annotations?.[REVISION];
  const workingRevision = working.metadata.annotations?.[REVISION];
  return {
    failing,
    working,
    ...(failingRevision ? { failingRevision } : {}),
    ...(workingRevision ? { workingRevision } : {}),
    workingReady: best.ready,
    changes,
    evidence,
  };
}
