// Pod volume usage from the kubelet's summary API (GET /api/v1/nodes/<node>/proxy/stats/summary, stats/v1alpha1):
// only the per-pod volume entries are kept (no CPU, memory or network figures).

/** One volume of one pod, as the kubelet's `pods[].volume[]` reports it (FsStats fields; absent when the kubelet has none). */
export interface PodVolumeStats {
  node: string;
  namespace: string;
  pod: string;
  /** The volume's name in the pod spec. */
  volume: string;
  /** The PersistentVolumeClaim behind the volume, when it is one (kubelet `pvcRef`). */
  pvc?: { namespace: string; name: string };
  capacityBytes?: number;
  usedBytes?: number;
  availableBytes?: number;
  inodes?: number;
  inodesUsed?: number;
  inodesFree?: number;
  /** When the kubelet took the figures (RFC 3339). */
  time?: string;
}

/** The volume stats of a capture: per node read, and the nodes not read with why. */
export interface VolumeStatsData {
  volumes: PodVolumeStats[];
  /** Nodes whose summary was read. */
  nodesRead: string[];
  /** Nodes that were wanted but not read (timeout, HTTP error, cap), with the reason. */
  nodesSkipped?: { node: string; reason: string }[];
}
