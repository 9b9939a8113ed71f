// When the taint eviction controller deletes a pod from a node with NoExecute taints
// (pkg/controller/tainteviction: processPodOnNode, GetMatchingTolerations, getMinTolerationTime).
import type { Taint, Toleration } from "../model/kube.js";
import { toleratesTaint } from "./taints.js";

export type NoExecuteVerdict =
  /** No NoExecute taint: nothing to do. */
  | { kind: "none" }
  /** A NoExecute taint no toleration tolerates, or a matching toleration with tolerationSeconds <= 0: evicted at once. */
  | { kind: "now"; taint: Taint }
  /** Every NoExecute taint is tolerated; the smallest tolerationSeconds among the used tolerations bounds the stay. */
  | { kind: "after"; seconds: number; toleration: Toleration; taint: Taint; startedAt?: number; evictAt?: number }
  /** Every used toleration is without tolerationSeconds: the pod stays. */
  | { kind: "never" };

/**
 * The controller's decision for one pod: for each NoExecute taint, the first toleration (in pod order) that
 * tolerates it (GetMatchingTolerations); any taint without one evicts at once. Otherwise getMinTolerationTime
 * over the used tolerations: a tolerationSeconds <= 0 evicts at once, none at all means never, else the minimum.
 * The countdown starts when the controller sees the taint; the taint's timeAdded is that moment to within the
 * node monitor period, so `evictAt` is timeAdded + seconds (approximate, as the taint's time is).
 */
export function noExecuteEviction(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): NoExecuteVerdict {
  const noExecute = (taints ?? []).filter((t) => t.effect === "NoExecute");
  if (noExecute.length === 0) return { kind: "none" };
  const used: { toleration: Toleration; taint: Taint }[] = [];
  for (const taint of noExecute) {
    const toleration = (tolerations ?? []).find((t) => toleratesTaint(t, taint));
    if (!toleration) return { kind: "now", taint };
    used.push({ toleration, taint });
  }
  let min: { seconds: number; toleration: Toleration; taint: Taint } | undefined;
  for (const u of used) {
    const seconds = u.toleration.tolerationSeconds;
    if (seconds === undefined || seconds === null) continue;
    if (seconds <= 0) return { kind: "now", taint: u.taint };
    if (!min || seconds < min.seconds) min = { seconds, ...u };
  }
  if (!min) return { kind: "never" };
  const startedAt = min.taint.timeAdded ? Date.parse(min.taint.timeAdded) : Number.NaN;
  return Number.isNaN(startedAt) ? { kind: "after", ...min } : { kind: "after", ...min, startedAt, evictAt: startedAt + min.seconds * 1000 };
}
