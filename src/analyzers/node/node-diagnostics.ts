// Shared by the analyzers that read node-diagnostics files (`kubesleuth node`): lookup and evidence paths.
import type { NodeDiagnostics, ServiceState } from "../../model/node-diagnostics.js";
import type { Node } from "../../model/kube.js";
import type { ObjectRef } from "../../model/ref.js";
import type { ClusterIndex } from "../../indexes/types.js";

/** Evidence paths into a node-diagnostics file start with this, so they are not taken for Node fields. */
export const DIAGNOSTICS_PATH = "nodeDiagnostics";

/** The Node a diagnostics file is about (it may be absent from the snapshot: the ref stands anyway). */
export function nodeRefOf(diagnostics: NodeDiagnostics): ObjectRef {
  return { kind: "Node", name: diagnostics.node };
}

/** The Node object of a diagnostics file, if the snapshot has it. */
export function nodeObjectOf(index: ClusterIndex, diagnostics: NodeDiagnostics): Node | undefined {
  return index.get<Node>("Node", undefined, diagnostics.node);
}

/** "collected <time> from <root>": the note every node-diagnostics evidence carries. */
export function collectedNote(diagnostics: NodeDiagnostics): string {
  return `kubesleuth node on ${diagnostics.node}, ${diagnostics.collectedAt}`;
}

/** The node's debug-pod command prefix, for investigation steps. */
export function debugCommand(node: string, command: string): string {
  return `kubectl debug node/${node} --profile=sysadmin -it --image=busybox -- chroot /host ${command}`;
}

/** States in which a service is serving: systemd ActiveState active/reloading, or a process seen in /proc. */
const UP = new Set(["active", "reloading", "running"]);
const RUNTIMES = ["containerd", "crio", "docker"];
/** status.nodeInfo.containerRuntimeVersion schemes (containerd://1.7.2, cri-o://1.30.1, docker://24.0.7) to service names. */
const RUNTIME_OF_SCHEME: Record<string, string> = { containerd: "containerd", "cri-o": "crio", docker: "docker" };

/** The runtime service the Node reports in status.nodeInfo.containerRuntimeVersion, if known. */
export function runtimeOf(node: Node | undefined): string | undefined {
  const scheme = /^([\w-]+):\/\//.exec(node?.status?.nodeInfo?.containerRuntimeVersion ?? "")?.[1];
  return scheme ? RUNTIME_OF_SCHEME[scheme] : undefined;
}

/**
 * The kubelet, when installed and not up; the node's runtime (from the Node) when not up, or, without
 * that, every installed runtime when none of them is up.
 */
export function downServices(d: NodeDiagnostics, node: Node | undefined): ServiceState[] {
  if (!d.services.available) return [];
  const units = d.services.units;
  const down: ServiceState[] = [];
  const kubelet = units.find((u) => u.name === "kubelet");
  if (kubelet && kubelet.installed && !UP.has(kubelet.state)) down.push(kubelet);
  const configured = runtimeOf(node);
  if (configured) {
    const unit = units.find((u) => u.name === configured);
    if (unit && !UP.has(unit.state)) down.push(unit);
  } else {
    const runtimes = units.filter((u) => RUNTIMES.includes(u.name) && u.installed);
    if (runtimes.length && !runtimes.some((u) => UP.has(u.state))) down.push(...runtimes);
  }
  return down;
}

/** Used share (of space or inodes) from which a kubelet or runtime filesystem counts as nearly full. */
export const NEARLY_FULL_PERCENT = 85;

/**
 * The kubelet's default hard eviction thresholds on Linux (kubelet configuration defaults, evictionHard):
 * nodefs (the kubelet's root dir) available < 10%, inodesFree < 5%; imagefs (the runtime's storage) available < 15%, inodesFree < 5%.
 */
export const DEFAULT_EVICTION = {
  nodefs: { available: 10, inodesFree: 5 },
  imagefs: { available: 15, inodesFree: 5 },
} as const;

export interface FullDirectory {
  index: number;
  path: string;
  signal: "nodefs" | "imagefs";
  /** Which resource crossed: space, inodes or both. */
  resources: ("space" | "inodes")[];
  availablePercent: number;
  inodesFreePercent: number | null;
  /** Below the kubelet's default hard eviction threshold (DiskPressure, evictions), not only nearly full. */
  belowThreshold: boolean;
}

/** Kubelet, runtime and log directories whose filesystem is nearly full or below the default eviction threshold. */
export function fullDirectories(d: NodeDiagnostics): FullDirectory[] {
  const out: FullDirectory[] = [];
  d.directories.forEach((dir, index) => {
    const fs = dir.filesystem;
    if (!dir.exists || !fs || fs.totalBytes <= 0) return;
    const signal = dir.role === "runtime" ? "imagefs" : "nodefs";
    const threshold = DEFAULT_EVICTION[signal];
    const availablePercent = (fs.availableBytes / fs.totalBytes) * 100;
    const inodesFreePercent = fs.totalInodes > 0 ? (fs.freeInodes / fs.totalInodes) * 100 : null;
    const spaceLow = availablePercent < threshold.available;
    const inodesLow = inodesFreePercent !== null && inodesFreePercent < threshold.inodesFree;
    const spaceNearly = fs.usedPercent >= NEARLY_FULL_PERCENT;
    const inodesNearly = fs.inodesUsedPercent !== null && fs.inodesUsedPercent >= NEARLY_FULL_PERCENT;
    const resources: FullDirectory["resources"] = [];
    if (spaceLow || spaceNearly) resources.push("space");
    if (inodesLow || inodesNearly) resources.push("inodes");
    if (resources.length === 0) return;
    out.push({ index, path: dir.path, signal, resources, availablePercent, inodesFreePercent, belowThreshold: spaceLow || inodesLow });
  });
  return out;
}

/** Whether the file is from a Kubernetes node: the Node is in the snapshot, or a kubelet is installed there. */
export function isKubernetesNode(d: NodeDiagnostics, node: Node | undefined): boolean {
  return node !== undefined || (d.services.available && d.services.units.some((u) => u.name === "kubelet" && u.installed));
}
