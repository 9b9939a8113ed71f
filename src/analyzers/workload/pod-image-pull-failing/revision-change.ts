// What changed between a workload's failing revision (Deployment ReplicaSet, StatefulSet/DaemonSet
// ControllerRevision) and an older one whose pods pulled their images:
// the pod-template fields that decide a pull (container images, imagePullSecrets, serviceAccountName).
import type { Evidence } from "../../../model/finding.js";
import type { KubeObject, Pod, PodSpec, ReplicaSet } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";

/** One revision of a workload's pod template: a Deployment's ReplicaSet, or a StatefulSet's / DaemonSet's ControllerRevision. */
interface Revision {
  object: KubeObject;
  /** The field path of the pod spec inside `object`. */
  specPath: string;
  spec?: PodSpec;
  revision?: string;
  pods: Pod[];
}

export interface RevisionChange {
  failing: KubeObject;
  working: KubeObject;
  failingRevision?: string;
  workingRevision?: string;
  /** Ready pods of the working revision. */
  workingReady: number;
  /** Human-readable differences, e.g. `dropped imagePullSecrets [ghcr-pull]`. */
  changes: string[];
  evidence: Evidence[];
}

const REVISION = "deployment.kubernetes.io/revision";
/** The label the StatefulSet and DaemonSet controllers put on pods and ControllerRevisions. */
const REVISION_HASH = "controller-revision-hash";

const secretsOf = (spec: PodSpec | undefined): string[] => (spec?.imagePullSecrets ?? []).map((s) => s.name);
const listText = (names: readonly string[]): string => (names.length ? `[${names.join(", ")}]` : "none");

function isReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/**
 * The revisions of a workload with their pods. ReplicaSets own their pods; a StatefulSet's pods carry
 * controller-revision-hash = the ControllerRevision's name, a DaemonSet's the revision's own
 * controller-revision-hash label. ControllerRevision.data holds `{"spec":{"template":...}}`.
 */
function revisionsOf(index: ClusterIndex, workload: KubeObject): Revision[] {
  const children = index.controlledBy(workload);
  if (workload.kind === "Deployment") {
    return children
      .filter((o): o is ReplicaSet => o.kind === "ReplicaSet")
      .map((rs) => {
        const revision = rs.metadata.annotations?.[REVISION];
        return { object: rs, specPath: "spec.template.spec", ...(rs.spec?.template?.spec ? { spec: rs.spec.template.spec } : {}), ...(revision ? { revision } : {}), pods: [...index.podsOfWorkload(rs)] };
      });
  }
  const pods = index.podsOfWorkload(workload);
  return children
    .filter((o) => o.kind === "ControllerRevision")
    .map((cr) => {
      const hash = cr.metadata.labels?.[REVISION_HASH];
      const spec = (cr.data as { spec?: { template?: { spec?: PodSpec } } } | undefined)?.spec?.template?.spec;
      const revision = typeof cr.revision === "number" ? String(cr.revision) : undefined;
      return {
        object: cr,
        specPath: "data.spec.template.spec",
        ...(spec ? { spec } : {}),
        ...(revision ? { revision } : {}),
        pods: pods.filter((p) => {
          const label = p.metadata.labels?.[REVISION_HASH];
          return label !== undefined && (label === cr.metadata.name || label === hash);
        }),
      };
    });
}

/**
 * For pods of a Deployment, StatefulSet or DaemonSet failing to pull: their revision, and the newest
 * other revision with ready pods (so its images were pulled). Undefined when there is none, or when
 * the pull-relevant template fields are identical (then the change is elsewhere: registry, Secret contents).
 */
export function revisionChange(index: ClusterIndex, failingPods: readonly Pod[]): RevisionChange | undefined {
  const workload = index.rootController(failingPods[0]!);
  if (!["Deployment", "StatefulSet", "DaemonSet"].includes(workload.kind)) return undefined;
  const revisions = revisionsOf(index, workload);
  const failingUids = new Set(failingPods.map((p) => p.metadata.uid));
  const failingRev = revisions.find((r) => r.pods.some((p) => failingUids.has(p.metadata.uid)));
  if (!failingRev) return undefined;
  const candidates = revisions
    .filter((r) => r !== failingRev)
    .map((r) => ({ r, ready: r.pods.filter((p) => !failingUids.has(p.metadata.uid) && isReady(p)).length }))
    .filter((c) => c.ready > 0)
    .sort((a, b) => Number(b.r.revision ?? 0) - Number(a.r.revision ?? 0));
  const best = candidates[0];
  if (!best) return undefined;
  const failing = failingRev.object;
  const working = best.r.object;
  const before = best.r.spec;
  const after = failingRev.spec;
  if (!before || !after) return undefined;

  const changes: string[] = [];
  const evidence: Evidence[] = [];
  const note = (path: string, from: unknown, to: unknown, text: string): void => {
    changes.push(text);
    evidence.push({ ref: refOf(failing), path: `${failingRev.specPath}${path}`, value: to as Evidence["value"], note: `${working.kind} ${working.metadata.name} (pods pulled fine) has ${JSON.stringify(from ?? null)}` });
  };
  const oldSecrets = secretsOf(before);
  const newSecrets = secretsOf(after);
  if (oldSecrets.join("\u0000") !== newSecrets.join("\u0000")) {
    const dropped = oldSecrets.filter((s) => !newSecrets.includes(s));
    const text = newSecrets.length === 0 ? `dropped imagePullSecrets ${listText(oldSecrets)}` : `changed imagePullSecrets ${listText(oldSecrets)} -> ${listText(newSecrets)}${dropped.length ? ` (dropped ${dropped.join(", ")})` : ""}`;
    note(".imagePullSecrets", before.imagePullSecrets, after.imagePullSecrets ?? null, text);
  }
  const oldSa = before.serviceAccountName ?? before.serviceAccount ?? "default";
  const newSa = after.serviceAccountName ?? after.serviceAccount ?? "default";
  if (oldSa !== newSa) note(".serviceAccountName", oldSa, newSa, `changed serviceAccountName ${oldSa} -> ${newSa} (pull secrets come also from the ServiceAccount)`);
  for (const list of ["initContainers", "containers"] as const) {
    (after[list] ?? []).forEach((c, i) => {
      const old = (before[list] ?? []).find((o) => o.name === c.name);
      if (old && old.image !== c.image) note(`.${list}[${i}].image`, old.image, c.image, `changed the image of container ${c.name} ${old.image} -> ${c.image}`);
      else if (!old) note(`.${list}[${i}].image`, undefined, c.image, `added container ${c.name} with image ${c.image}`);
    });
  }
  if (changes.length === 0) return undefined;
  const failingRevision = failingRev.revision;
  const workingRevision = best.r.revision;
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
