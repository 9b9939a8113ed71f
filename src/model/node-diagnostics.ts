// A node-diagnostics file: what `kubesleuth node` read on one node (format "kubesleuth-node-diagnostics", version 1).
// Documented in src/sources/node/README.md. Facts only; analyzers decide what is wrong.

export const NODE_DIAGNOSTICS_FORMAT = "kubesleuth-node-diagnostics";
export const NODE_DIAGNOSTICS_VERSION = 1;

/** A part that could not be read, and why ("not available (why)"). */
export interface NotAvailable {
  available: false;
  reason: string;
}

export type Section<T> = ({ available: true } & T) | NotAvailable;

export interface ServiceState {
  /** kubelet, containerd, crio, docker. */
  name: string;
  /** systemd ActiveState (active, inactive, failed, activating...), or "running"/"not running" from /proc. */
  state: string;
  /** systemd SubState, when read from systemd. */
  subState?: string;
  /** Whether the unit file / binary is present at all (systemd LoadState loaded, or a process was seen). */
  installed: boolean;
  /** systemd NRestarts. */
  restarts?: number;
  /** When it entered its current state (systemd StateChangeTimestamp), as printed. */
  since?: string;
  /** Process IDs seen in /proc for this service. */
  pids?: number[];
}

export interface LogLine {
  /** kubelet, containerd, ... or the file's name. */
  unit: string;
  text: string;
}

export interface FilesystemUsage {
  totalBytes: number;
  /** Free for unprivileged users (statfs f_bavail). */
  availableBytes: number;
  usedPercent: number;
  totalInodes: number;
  freeInodes: number;
  /** null when the filesystem does not report inodes (btrfs, some overlay setups: f_files 0). */
  inodesUsedPercent: number | null;
}

export interface DirectoryUsage {
  /** The path on the node (without --root). */
  path: string;
  role: "kubelet" | "runtime" | "logs";
  exists: boolean;
  filesystem?: FilesystemUsage;
  /** Largest sub-directories, biggest first (apparent file sizes). */
  largest?: { path: string; bytes: number }[];
  /** Whether the size walk finished inside its time and entry budget. */
  walkComplete?: boolean;
  note?: string;
}

export type KernelEventKind = "oom-kill" | "link-down" | "link-up" | "conntrack-full";

export interface KernelEvent {
  kind: KernelEventKind;
  /** The kernel's line as read. */
  text: string;
  /** Seconds since boot ([12345.678] or /dev/kmsg's timestamp), when given. */
  uptimeSeconds?: number;
  /** oom-kill: the killed process's name and pid; link: the interface. */
  process?: string;
  pid?: number;
  device?: string;
}

export interface CertificateInfo {
  /** The path on the node. */
  path: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Subject alternative names as the certificate lists them (DNS:..., IP Address:...). */
  subjectAltNames: string[];
  /** The private key: beside it (x.key), or in the same PEM file (kubelet-client-current.pem). Never its contents. */
  key: "matches" | "does not match" | "absent" | "unreadable";
}

export interface StaticPodManifest {
  /** File name under /etc/kubernetes/manifests. */
  file: string;
  /** metadata.name, and the component (the first container's command[0] basename or container name). */
  pod: string;
  component: string;
  /** The first container's image (its tag tells the component's version). */
  image?: string;
  /** --flag=value of the first container's command and args; values of secret-looking flags are redacted. */
  flags: Record<string, string>;
  /** Files the flags reference (absolute paths), and whether they exist on the node. */
  files: { flag: string; path: string; exists: boolean }[];
  /** Why the file could not be parsed, if it could not. */
  error?: string;
}

export interface NodeDiagnostics {
  format: typeof NODE_DIAGNOSTICS_FORMAT;
  formatVersion: typeof NODE_DIAGNOSTICS_VERSION;
  /** The Kubernetes node name: --node-name, else the host name lowercased (as the kubelet does). */
  node: string;
  /** RFC 3339. */
  collectedAt: string;
  /** The host filesystem root the collector read (/ or /host). */
  root: string;
  tool: { name: "kubesleuth"; version: string };
  services: Section<{ method: "systemd" | "proc"; units: ServiceState[] }>;
  journal: Section<{ source: string; since: string; errors: LogLine[] }>;
  memory: Section<{ totalBytes: number; availableBytes: number }>;
  directories: DirectoryUsage[];
  kernel: Section<{ source: string; events: KernelEvent[] }>;
  conntrack: Section<{ count: number; max: number }>;
  sysctls: Section<{ values: Record<string, string | null>; brNetfilterLoaded: boolean; notes: string[] }>;
  staticPods: Section<{ directory: string; manifests: StaticPodManifest[] }>;
  certificates: Section<{ certificates: CertificateInfo[] }>;
}
