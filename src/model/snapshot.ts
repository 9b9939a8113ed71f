// A snapshot: every object kubesleuth loaded, from a live cluster or from files, in one shape.
import type { ControlPlaneData } from "./control-plane.js";
import type { KubeObject } from "./kube.js";
import type { NodeDiagnostics } from "./node-diagnostics.js";
import type { VolumeStatsData } from "./volume-stats.js";

export type CoverageStatus = "ok" | "forbidden" | "absent" | "partial";

/** What was loaded of one kind, and whether that is all of it. */
export interface CoverageEntry {
  count: number;
  status: CoverageStatus;
  /** Why the status is not "ok" (HTTP status, file that failed, ...). */
  note?: string;
}

/** A container's log tail, from a live cluster or a dump. */
export interface PodLog {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  text: string;
  truncated?: boolean;
  /** Where it came from: a file path, or "live". */
  origin?: string;
}

/** An input that was not loaded, and why. */
export interface SkippedInput {
  location: string;
  reason: string;
}

export interface SnapshotSource {
  kind: "live" | "snapshot";
  /** Files, directories or archives read, or the API server URL. */
  locations: string[];
  /** The format each location was detected as (kubectl-json, cluster-info-dump, support-bundle, must-gather, kubesleuth-archive, live). */
  formats?: string[];
}

export interface Snapshot {
  source: SnapshotSource;
  /** When the data was captured, if the source says so (archive manifest, bundle metadata). */
  capturedAt?: string;
  /** The API server's gitVersion, if known. */
  serverVersion?: string;
  /** Objects by canonical kind name, each list sorted by namespace then name. */
  objects: ReadonlyMap<string, readonly KubeObject[]>;
  logs: readonly PodLog[];
  /** Per kind: how many objects and whether reading them was complete. */
  coverage: Readonly<Record<string, CoverageEntry>>;
  skipped: readonly SkippedInput[];
  /**
   * Earlier captures of the same cluster, oldest first, when snapshots taken at different times were given
   * together (`scan a/ b/ c/`): this Snapshot is the latest. Absent for a single capture.
   */
  history?: readonly Snapshot[];
  /** The API server's health checks, version and metrics, when they were read (live, or an archive of a live capture). */
  controlPlane?: ControlPlaneData;
  /** Set when the scan was narrowed to one namespace (-n): namespaced kinds hold only its objects, so the absence of a pod elsewhere proves nothing. */
  namespace?: string;
  /** Node-diagnostics files (`kubesleuth node`) passed as inputs, one per node name, sorted by node. */
  nodeDiagnostics?: readonly NodeDiagnostics[];
  /** Pod volume usage read from the kubelets' summary API (live only, when an analyzer needs it), or from an archive of such a capture. */
  volumeStats?: VolumeStatsData;
}
