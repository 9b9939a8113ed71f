// Decides which PVC-backed volumes are nearly full (bytes or inodes) from the kubelets' volume stats (snapshot.volumeStats).
import { defineAnalyzer } from "../../define.js";
import type { Evidence, Remediation } from "../../../model/finding.js";
import type { PersistentVolumeClaim } from "../../../model/kube.js";
import type { PodVolumeStats } from "../../../model/volume-stats.js";
import { refOf, type ObjectRef } from "../../../model/ref.js";
import { parseQuantity, quantityToBytes } from "../../../semantics/quantity.js";

/** At or above: warning. */
export const WARN_FRACTION = 0.9;
/** At or above (or no byte available): error. */
export const ERROR_FRACTION = 0.97;
const GIB = 1024 ** 3;

/**
 * The used fraction as `df` computes Use%: used / (used + available), so blocks reserved for root (ext4's 5 %)
 * count neither way; without usedBytes, 1 - available / capacity. Inodes as `df -i`: inodesUsed / inodes.
 */
export function bytesFraction(v: PodVolumeStats): number | undefined {
  if (v.usedBytes !== undefined && v.availableBytes !== undefined && v.usedBytes + v.availableBytes > 0) return v.usedBytes / (v.usedBytes + v.availableBytes);
  if (v.availableBytes !== undefined && v.capacityBytes) return 1 - v.availableBytes / v.capacityBytes;
  return undefined;
}

export function inodesFraction(v: PodVolumeStats): number | undefined {
  if (v.inodesUsed !== undefined && v.inodes) return v.inodesUsed / v.inodes;
  return undefined;
}

const percent = (f: number): string => `${(Math.floor(f * 1000) / 10).toFixed(1)} %`;
const gib = (bytes: number): string => `${(bytes / GIB).toFixed(2)} GiB`;

/** The size to ask for: twice the larger of the claim's request and the filesystem's capacity, in whole GiB (a PVC may only grow). */
export function expandedSize(claim: PersistentVolumeClaim, capacityBytes: number | undefined): string {
  const requested = claim.spec?.resources?.requests?.storage;
  const parsed = requested ? parseQuantity(requested) : undefined;
  const requestBytes = parsed?.ok ? Number(quantityToBytes(parsed.quantity)) : 0;
  const base = Math.max(requestBytes, capacityBytes ?? 0);
  return `${Math.max(1, Math.ceil((2 * base) / GIB))}Gi`;
}

export const volumeNearlyFull = defineAnalyzer({
  id: "volume-nearly-full",
  title: "Volume nearly full",
  area: "storage",
  severity: "warning",
  needs: ["PersistentVolumeClaim", "Pod", "StorageClass"],
  needsVolumeStats: true,
  messages: {
    nearlyFull: {
      summary: "PVC {{claim}} is {{fraction}} full ({{what}}) on volume {{volume}} of pod {{pod}}",
      rootCause:
        "The kubelet reports volume {{volume}} (claim {{claim}}, StorageClass {{storageClass}}) at {{figures}}. When no byte or inode is left, writes fail with ENOSPC (\"no space left on device\"): databases stop or crash, logs are lost. {{expansion}}",
      remediation: "Expand the PVC when its StorageClass allows volume expansion; otherwise delete data or migrate to a larger volume.",
    },
  },
  run({ snapshot, index, report }) {
    const stats = snapshot.volumeStats;
    if (!stats || !index.has("PersistentVolumeClaim")) return;
    // One entry per claim: a claim mounted by several pods (ReadWriteMany, or on one node) is the same filesystem; the fullest report wins.
    const byClaim = new Map<string, { worst: PodVolumeStats; fraction: number; pods: Set<string> }>();
    for (const v of stats.volumes) {
      if (!v.pvc) continue;
      const fraction = Math.max(bytesFraction(v) ?? 0, inodesFraction(v) ?? 0);
      const key = `${v.pvc.namespace}/${v.pvc.name}`;
      const entry = byClaim.get(key);
      if (!entry) byClaim.set(key, { worst: v, fraction, pods: new Set([`${v.namespace}/${v.pod}`]) });
      else {
        entry.pods.add(`${v.namespace}/${v.pod}`);
        if (fraction > entry.fraction) Object.assign(entry, { worst: v, fraction });
      }
    }
    for (const [key, { worst: v, pods: statPods }] of [...byClaim].sort((a, b) => a[0].localeCompare(b[0]))) {
      const claim = index.get<PersistentVolumeClaim>("PersistentVolumeClaim", v.pvc!.namespace, v.pvc!.name);
      if (!claim) continue; // outside the scan's namespace, or deleted since
      const bytes = bytesFraction(v);
      const inodes = inodesFraction(v);
      const bytesHit = (bytes !== undefined && bytes >= WARN_FRACTION) || v.availableBytes === 0;
      const inodesHit = (inodes !== undefined && inodes >= WARN_FRACTION) || v.inodesFree === 0;
      if (!bytesHit && !inodesHit) continue;
      const error = v.availableBytes === 0 || v.inodesFree === 0 || (bytes ?? 0) >= ERROR_FRACTION || (inodes ?? 0) >= ERROR_FRACTION;
      const claimRef = refOf(claim);
      const ns = claim.metadata.namespace!;
      const podRefs: ObjectRef[] = [];
      const podNames = new Set(statPods);
      for (const pod of index.podsUsingClaim(claim)) podNames.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
      for (const name of [...podNames].sort()) {
        const [podNs, podName] = name.split("/") as [string, string];
        const pod = index.get("Pod", podNs, podName);
        if (pod) podRefs.push(refOf(pod));
      }
      const storageClass = index.storageClassOfClaim(claim);
      const className = storageClass?.metadata.name ?? claim.spec?.storageClassName ?? "(none)";
      const expandable = storageClass?.allowVolumeExpansion === true;
      const source = `kubelet stats/summary of node ${v.node}: pod ${v.namespace}/${v.pod} volume ${v.volume}`;
      const evidence: Evidence[] = [];
      if (bytes !== undefined) {
        evidence.push({ ref: claimRef, path: "volumeStats.usedBytes", value: v.usedBytes ?? null, note: `${source}; ${percent(bytes)} used (df Use%: used / (used + available))` });
        evidence.push({ ref: claimRef, path: "volumeStats.availableBytes", value: v.availableBytes ?? null, note: `of capacityBytes ${v.capacityBytes ?? "unknown"}` });
      }
      if (inodes !== undefined) evidence.push({ ref: claimRef, path: "volumeStats.inodesUsed", value: v.inodesUsed ?? null, note: `${percent(inodes)} of ${v.inodes} inodes (inodesFree ${v.inodesFree ?? "unknown"})` });
      if (storageClass) evidence.push({ ref: refOf(storageClass), path: "allowVolumeExpansion", value: storageClass.allowVolumeExpansion ?? false });
      else evidence.push({ ref: claimRef, path: "spec.storageClassName", value: claim.spec?.storageClassName ?? null, note: "StorageClass not found in the snapshot" });
      const what = [bytesHit ? "bytes" : "", inodesHit ? "inodes" : ""].filter(Boolean).join(" and ");
      const fraction = Math.max(bytesHit ? (bytes ?? 1) : 0, inodesHit ? (inodes ?? 1) : 0);
      const figures = [
        bytes !== undefined ? `${gib(v.usedBytes ?? 0)} used, ${gib(v.availableBytes ?? 0)} available of ${gib(v.capacityBytes ?? 0)} (${percent(bytes)})` : "",
        inodes !== undefined ? `${v.inodesUsed} of ${v.inodes} inodes used (${percent(inodes)})` : "",
      ].filter(Boolean).join("; ");
      const newSize = expandedSize(claim, v.capacityBytes);
      const remediation: Remediation[] = [];
      if (expandable) {
        remediation.push({
          description: `Expand PVC ${key} to ${newSize} (StorageClass ${className} allows volume expansion; the filesystem is grown by the CSI driver, online or at the next mount)${inodesHit && !bytesHit ? ". A larger filesystem has more inodes on ext4; on XFS inodes grow with space too" : ""}`,
          command: `kubectl patch pvc ${claim.metadata.name} -n ${ns} -p '{"spec":{"resources":{"requests":{"storage":"${newSize}"}}}}'`,
          verify: `kubectl get pvc ${claim.metadata.name} -n ${ns} -o jsonpath='{.status.capacity.storage}{" "}{.status.conditions}'   # ${newSize} once resized`,
          rollback: "A PVC cannot be shrunk: the request can only grow",
        });
      } else {
        remediation.push({
          description: `StorageClass ${className} ${storageClass ? "does not allow volume expansion" : "is not in the snapshot, so whether it allows expansion is unknown"}: delete data that is no longer needed (${inodesHit && !bytesHit ? "many small files: inodes" : "old logs, dumps, WAL/binlogs"}), or migrate to a new larger PVC (copy with a Job mounting both, then switch the workload)`,
          command: `kubectl exec -n ${v.namespace} ${v.pod} -- df -h${inodesHit ? "i" : ""}`,
        });
      }
      report("nearlyFull", {
        subject: claimRef,
        severity: error ? "error" : "warning",
        data: {
          claim: key,
          pod: `${v.namespace}/${v.pod}`,
          volume: v.volume,
          fraction: percent(fraction),
          what,
          storageClass: className,
          figures,
          expansion: expandable
            ? `StorageClass ${className} has allowVolumeExpansion: true, so the claim can be expanded in place.`
            : storageClass
              ? `StorageClass ${className} does not set allowVolumeExpansion: true, so the API server rejects a larger request.`
              : "Its StorageClass is not in the snapshot: whether it can be expanded is unknown.",
        },
        evidence,
        affected: podRefs,
        investigation: [
          { step: `Read the volume's usage from the kubelet on node ${v.node}`, command: `kubectl get --raw /api/v1/nodes/${v.node}/proxy/stats/summary | jq '.pods[] | select(.podRef.name=="${v.pod}") | .volume[] | select(.name=="${v.volume}")'`, result: figures, outcome: "problem" },
          { step: `Check whether StorageClass ${className} allows expansion`, command: `kubectl get storageclass ${className} -o jsonpath='{.allowVolumeExpansion}'`, result: storageClass ? String(storageClass.allowVolumeExpansion ?? false) : "not in the snapshot", outcome: expandable ? "ok" : "problem" },
        ],
        remediation,
      });
    }
  },
});
