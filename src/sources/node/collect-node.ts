// The node agent: reads, without changing anything, the state of one node from its filesystem
// (relative to `root`, so a mounted host or a fixture directory can stand in) and, when run on the
// host itself, from systemd, journald and the kernel log. Every part that cannot be read becomes
// { available: false, reason }; nothing here throws for a missing piece.
import { execFile } from "node:child_process";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { closeSync, constants, existsSync, lstatSync, openSync, readFileSync, readSync, readdirSync, statSync, statfsSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { CORE_SCHEMA, loadAll } from "js-yaml";
import {
  NODE_DIAGNOSTICS_FORMAT,
  NODE_DIAGNOSTICS_VERSION,
  type CertificateInfo,
  type DirectoryUsage,
  type KernelEvent,
  type LogLine,
  type NodeDiagnostics,
  type NotAvailable,
  type ServiceState,
  type StaticPodManifest,
} from "../../model/node-diagnostics.js";
import { TOOL_VERSION } from "../../version.js";
import { dfPercent, errorLines, journalLineUnit, parseFlags, parseKernelLine, parseKmsgRecord, parseMeminfo, parseSystemctlShow, referencedPaths } from "./parse-node.js";

export interface CollectNodeOptions {
  /** The host's filesystem root: "/" on the node, "/host" in a `kubectl debug node/...` pod. */
  root: string;
  nodeName?: string;
  /** journalctl --since value, e.g. "-1h" (default) or "2026-11-28 09:00". */
  since?: string;
  /** Time budget of the directory size walk, per directory (default 5 s). */
  walkTimeoutMs?: number;
  /** Entry budget of the directory size walk, per directory (default 300,000). */
  walkMaxEntries?: number;
  /** The capture time (the CLI passes the clock). */
  now: number;
}

const SERVICES = ["kubelet", "containerd", "crio", "docker"] as const;
/** The process name (/proc/<pid>/comm) each service runs as. */
const PROCESS_NAMES: Record<string, string> = { kubelet: "kubelet", containerd: "containerd", crio: "crio", docker: "dockerd" };
const DIRECTORIES: { path: string; role: DirectoryUsage["role"] }[] = [
  { path: "/var/lib/kubelet", role: "kubelet" },
  { path: "/var/lib/containerd", role: "runtime" },
  { path: "/var/lib/docker", role: "runtime" },
  { path: "/var/lib/containers", role: "runtime" },
  { path: "/var/log", role: "logs" },
];
const SYSCTLS = [
  "net.ipv4.ip_forward",
  "net.ipv6.conf.all.forwarding",
  "net.bridge.bridge-nf-call-iptables",
  "net.bridge.bridge-nf-call-ip6tables",
  "net.ipv4.conf.all.rp_filter",
  "net.ipv4.conf.default.rp_filter",
];
const JOURNAL_LIMIT = 200;
const KERNEL_EVENT_LIMIT = 100;
/** Bytes read from the end of a plain log file. */
const LOG_TAIL_BYTES = 8 * 1024 * 1024;
const EXEC_TIMEOUT_MS = 10_000;

const notAvailable = (reason: string): NotAvailable => ({ available: false, reason });

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ENOENT") return "no such file or directory";
  if (err?.code === "EACCES" || err?.code === "EPERM") return "permission denied";
  return err instanceof Error ? err.message.split("\n")[0]! : String(e);
}

function run(command: string, args: string[]): Promise<{ ok: true; stdout: string } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: EXEC_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        resolve({ ok: false, reason: code === "ENOENT" ? `${command} not found` : `${command} failed: ${(stderr || error.message).trim().split("\n")[0]}` });
      } else resolve({ ok: true, stdout });
    });
  });
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The last `bytes` of a file (whole lines). */
function readTail(path: string, bytes: number): string {
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  try {
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString("utf8");
    return size > length ? text.slice(text.indexOf("\n") + 1) : text;
  } finally {
    closeSync(fd);
  }
}

/** Collects the node-diagnostics document. */
export async function collectNode(options: CollectNodeOptions): Promise<NodeDiagnostics> {
  const root = options.root;
  const at = (p: string): string => join(root, p);
  const onHost = root === "/" || root === "";
  const since = options.since ?? "-1h";
  return {
    format: NODE_DIAGNOSTICS_FORMAT,
    formatVersion: NODE_DIAGNOSTICS_VERSION,
    node: nodeName(options.nodeName, at, onHost),
    collectedAt: new Date(options.now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    root: onHost ? "/" : root,
    tool: { name: "kubesleuth", version: TOOL_VERSION },
    services: await collectServices(at, onHost),
    journal: await collectJournal(at, onHost, since),
    memory: collectMemory(at),
    directories: DIRECTORIES.map((d) => collectDirectory(at, d.path, d.role, options.walkTimeoutMs ?? 5000, options.walkMaxEntries ?? 300_000)),
    kernel: await collectKernel(at, onHost),
    conntrack: collectConntrack(at),
    sysctls: collectSysctls(at),
    staticPods: collectStaticPods(at),
    certificates: collectCertificates(at),
  };
}

function nodeName(flag: string | undefined, at: (p: string) => string, onHost: boolean): string {
  if (flag) return flag;
  const fromFile = readText(at("/etc/hostname"))?.trim();
  // The kubelet registers the host name lowercased (nodeutil.GetHostname), unless --hostname-override.
  if (fromFile) return fromFile.toLowerCase();
  return onHost ? hostname().toLowerCase() : "unknown";
}

// ---------------------------------------------------------------- services

async function collectServices(at: (p: string) => string, onHost: boolean): Promise<NodeDiagnostics["services"]> {
  if (onHost && existsSync("/run/systemd/system")) {
    const result = await run("systemctl", ["show", ...SERVICES.map((s) => `${s}.service`), "--property=Id,LoadState,ActiveState,SubState,NRestarts,StateChangeTimestamp", "--no-pager"]);
    if (result.ok) {
      const blocks = parseSystemctlShow(result.stdout);
      const units: ServiceState[] = SERVICES.map((name, i) => {
        const p = blocks[i] ?? {};
        const restarts = Number(p.NRestarts);
        return {
          name,
          state: p.ActiveState ?? "unknown",
          ...(p.SubState ? { subState: p.SubState } : {}),
          installed: p.LoadState === "loaded",
          ...(Number.isFinite(restarts) && p.NRestarts !== undefined && p.NRestarts !== "" ? { restarts } : {}),
          ...(p.StateChangeTimestamp ? { since: p.StateChangeTimestamp } : {}),
        };
      });
      return { available: true, method: "systemd", units };
    }
  }
  // No systemd (or not on the host): processes in /proc, and whether the binary is installed.
  const proc = at("/proc");
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((e) => /^\d+$/.test(e));
  } catch (e) {
    return notAvailable(`no systemd${onHost ? "" : " reachable from a mounted root"}, and ${proc} is not readable: ${errorText(e)}`);
  }
  if (pids.length === 0) return notAvailable(`no systemd${onHost ? "" : " reachable from a mounted root"}, and ${proc} lists no processes`);
  const seen = new Map<string, number[]>();
  for (const pid of pids) {
    const comm = readText(join(proc, pid, "comm"))?.trim();
    if (comm) seen.set(comm, [...(seen.get(comm) ?? []), Number(pid)]);
  }
  const units = SERVICES.map((name): ServiceState => {
    const running = seen.get(PROCESS_NAMES[name]!) ?? [];
    const binary = ["/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin"].some((d) => existsSync(at(join(d, PROCESS_NAMES[name]!))));
    return { name, state: running.length ? "running" : "not running", installed: running.length > 0 || binary, ...(running.length ? { pids: running.sort((a, b) => a - b) } : {}) };
  });
  return { available: true, method: "proc", units };
}

// ---------------------------------------------------------------- journal / logs

async function collectJournal(at: (p: string) => string, onHost: boolean, since: string): Promise<NodeDiagnostics["journal"]> {
  const reasons: string[] = [];
  const journalDir = at("/var/log/journal");
  const persistent = hasJournalFiles(journalDir);
  if (persistent || (onHost && hasJournalFiles("/run/log/journal"))) {
    const args = [...(onHost ? [] : [`--directory=${journalDir}`]), ...SERVICES.flatMap((s) => ["-u", `${s}.service`]), "--since", since, "--no-pager", "-q", "-o", "short-iso"];
    const result = await run("journalctl", args);
    if (result.ok) {
      const lines: LogLine[] = [];
      for (const line of result.stdout.split("\n")) if (line) lines.push(...errorLines(line, journalLineUnit(line), 1));
      return { available: true, source: `journalctl${onHost ? "" : ` --directory=${journalDir}`}`, since, errors: lines.slice(-JOURNAL_LIMIT) };
    }
    reasons.push(result.reason);
  } else reasons.push(`journal not available (no journald files in /var/log/journal${onHost ? " or /run/log/journal" : ""})`);
  // Plain files: installs without journald write these.
  const files: { path: string; unit: string; mentions?: RegExp }[] = [
    { path: "/var/log/kubelet.log", unit: "kubelet" },
    { path: "/var/log/containerd.log", unit: "containerd" },
    { path: "/var/log/crio.log", unit: "crio" },
    { path: "/var/log/docker.log", unit: "docker" },
    { path: "/var/log/syslog", unit: "syslog", mentions: /\b(kubelet|containerd|crio|dockerd)\b/ },
    { path: "/var/log/messages", unit: "messages", mentions: /\b(kubelet|containerd|crio|dockerd)\b/ },
  ];
  const read: string[] = [];
  const lines: LogLine[] = [];
  for (const f of files) {
    const path = at(f.path);
    if (!existsSync(path)) continue;
    try {
      lines.push(...errorLines(readTail(path, LOG_TAIL_BYTES), f.unit, JOURNAL_LIMIT, f.mentions));
      read.push(f.path);
    } catch (e) {
      reasons.push(`${f.path}: ${errorText(e)}`);
    }
  }
  if (read.length === 0) return notAvailable(`${reasons.join("; ")}; no kubelet/runtime log file under /var/log`);
  return { available: true, source: `files (no time filter: the last ${LOG_TAIL_BYTES / 1024 / 1024} MB of each): ${read.join(", ")}`, since, errors: lines.slice(-JOURNAL_LIMIT) };
}

/** Whether a journald storage directory holds journal files (<dir>/<machine-id>/*.journal). */
function hasJournalFiles(dir: string): boolean {
  try {
    return readdirSync(dir).some((d) => {
      try {
        return readdirSync(join(dir, d)).some((f) => f.endsWith(".journal") || f.endsWith(".journal~"));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- memory, disk

function collectMemory(at: (p: string) => string): NodeDiagnostics["memory"] {
  const text = readText(at("/proc/meminfo"));
  if (text === undefined) return notAvailable("/proc/meminfo is not readable");
  const m = parseMeminfo(text);
  return m ? { available: true, ...m } : notAvailable("/proc/meminfo has no MemTotal/MemAvailable");
}

function collectDirectory(at: (p: string) => string, path: string, role: DirectoryUsage["role"], timeoutMs: number, maxEntries: number): DirectoryUsage {
  const full = at(path);
  let info;
  try {
    info = statSync(full);
  } catch (e) {
    return { path, role, exists: false, note: errorText(e) };
  }
  if (!info.isDirectory()) return { path, role, exists: false, note: "not a directory" };
  const out: DirectoryUsage = { path, role, exists: true };
  try {
    const s = statfsSync(full);
    const used = (s.blocks - s.bfree) * s.bsize;
    const available = s.bavail * s.bsize;
    const usedInodes = s.files - s.ffree;
    out.filesystem = {
      totalBytes: s.blocks * s.bsize,
      availableBytes: available,
      usedPercent: dfPercent(used, available),
      totalInodes: s.files,
      freeInodes: s.ffree,
      inodesUsedPercent: s.files > 0 ? dfPercent(usedInodes, s.ffree) : null,
    };
  } catch (e) {
    out.note = `statfs: ${errorText(e)}`;
  }
  const walk = largestSubdirectories(full, info.dev, Date.now() + timeoutMs, maxEntries);
  out.largest = walk.largest.map((l) => ({ path: join(path, l.name), bytes: l.bytes }));
  out.walkComplete = walk.complete;
  if (!walk.complete) out.note = [out.note, `size walk stopped after ${walk.entries} entries (time or entry budget): sizes are lower bounds`].filter(Boolean).join("; ");
  return out;
}

/** Apparent sizes of the immediate sub-directories (files in them, recursively), staying on one filesystem. */
function largestSubdirectories(dir: string, device: number, deadline: number, maxEntries: number): { largest: { name: string; bytes: number }[]; complete: boolean; entries: number } {
  let entries = 0;
  let complete = true;
  const sizeOf = (path: string): number => {
    let total = 0;
    const stack = [path];
    while (stack.length) {
      const current = stack.pop()!;
      let names: string[];
      try {
        names = readdirSync(current);
      } catch {
        continue;
      }
      for (const name of names) {
        if (++entries > maxEntries || (entries % 1000 === 0 && Date.now() > deadline)) {
          complete = false;
          return total;
        }
        const child = join(current, name);
        let s;
        try {
          s = lstatSync(child);
        } catch {
          continue;
        }
        if (s.isDirectory()) {
          if (s.dev === device) stack.push(child);
        } else if (s.isFile()) total += s.size;
      }
    }
    return total;
  };
  const sizes: { name: string; bytes: number }[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return { largest: [], complete: false, entries };
  }
  for (const name of names) {
    if (!complete) break;
    let s;
    try {
      s = lstatSync(join(dir, name));
    } catch {
      continue;
    }
    if (!s.isDirectory() || s.dev !== device) continue;
    sizes.push({ name, bytes: sizeOf(join(dir, name)) });
  }
  return { largest: sizes.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)).slice(0, 5), complete, entries };
}

// ---------------------------------------------------------------- kernel

async function collectKernel(at: (p: string) => string, onHost: boolean): Promise<NodeDiagnostics["kernel"]> {
  const reasons: string[] = [];
  const kmsg = readKmsg(at("/dev/kmsg"));
  if (kmsg.ok) return { available: true, source: "/dev/kmsg", events: keepRecent(kmsg.events) };
  reasons.push(`/dev/kmsg: ${kmsg.reason}`);
  if (onHost) {
    const result = await run("dmesg", []);
    if (result.ok) return { available: true, source: "dmesg", events: keepRecent(result.stdout.split("\n").map((l) => parseKernelLine(l)).filter((e): e is KernelEvent => e !== undefined)) };
    reasons.push(result.reason);
  }
  for (const file of ["/var/log/kern.log", "/var/log/dmesg", "/var/log/messages", "/var/log/syslog"]) {
    const path = at(file);
    if (!existsSync(path)) continue;
    try {
      const events = readTail(path, LOG_TAIL_BYTES)
        .split("\n")
        .filter((l) => file === "/var/log/kern.log" || file === "/var/log/dmesg" || /\bkernel:/.test(l))
        .map((l) => parseKernelLine(l))
        .filter((e): e is KernelEvent => e !== undefined);
      return { available: true, source: file, events: keepRecent(events) };
    } catch (e) {
      reasons.push(`${file}: ${errorText(e)}`);
    }
  }
  return notAvailable(`${reasons.join("; ")}; no kernel log file under /var/log`);
}

function keepRecent(events: KernelEvent[]): KernelEvent[] {
  const byKind = new Map<string, KernelEvent[]>();
  for (const e of events) byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e]);
  return [...byKind.values()].flatMap((list) => list.slice(-KERNEL_EVENT_LIMIT));
}

/** Reads the kernel ring buffer through /dev/kmsg without blocking: one record per read, EAGAIN at the end. */
function readKmsg(path: string): { ok: true; events: KernelEvent[] } | { ok: false; reason: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { ok: false, reason: errorText(e) };
  }
  const events: KernelEvent[] = [];
  const buffer = Buffer.alloc(16 * 1024);
  try {
    for (let i = 0; i < 1_000_000; i++) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EPIPE") continue; // records were overwritten while reading: go on with the next
        if (code === "EAGAIN") break;
        return { ok: false, reason: errorText(e) };
      }
      if (n <= 0) break;
      const record = parseKmsgRecord(buffer.toString("utf8", 0, n));
      const event = record && parseKernelLine(record.message, record.uptimeSeconds);
      if (event) events.push(event);
    }
  } finally {
    closeSync(fd);
  }
  return { ok: true, events };
}

// ---------------------------------------------------------------- networking

function collectConntrack(at: (p: string) => string): NodeDiagnostics["conntrack"] {
  const count = readText(at("/proc/sys/net/netfilter/nf_conntrack_count"));
  const max = readText(at("/proc/sys/net/netfilter/nf_conntrack_max"));
  if (count === undefined || max === undefined) return notAvailable("no /proc/sys/net/netfilter/nf_conntrack_count (nf_conntrack not loaded, or another network namespace)");
  return { available: true, count: Number(count.trim()), max: Number(max.trim()) };
}

function collectSysctls(at: (p: string) => string): NodeDiagnostics["sysctls"] {
  if (!existsSync(at("/proc/sys/net"))) return notAvailable("/proc/sys/net is not readable");
  const values: Record<string, string | null> = {};
  for (const name of SYSCTLS) values[name] = readText(at(`/proc/sys/${name.replace(/\./g, "/")}`))?.trim() ?? null;
  const modules = readText(at("/proc/modules")) ?? "";
  // br_netfilter as a module, or built in (then /proc/sys/net/bridge exists).
  const brNetfilterLoaded = /^br_netfilter\s/m.test(modules) || existsSync(at("/proc/sys/net/bridge"));
  const notes: string[] = [];
  for (const key of ["net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter"]) {
    if (values[key] === "1") notes.push(`${key}=1 (strict reverse-path filtering): packets that arrive on an interface other than the route back to their source are dropped; CNIs with asymmetric routes or several NICs need 0 or 2 (loose)`);
  }
  if (!brNetfilterLoaded) notes.push("br_netfilter is not loaded: bridged pod traffic skips iptables (kube-proxy iptables mode needs it for pods on a Linux bridge)");
  return { available: true, values, brNetfilterLoaded, notes };
}

// ---------------------------------------------------------------- static pods

function collectStaticPods(at: (p: string) => string): NodeDiagnostics["staticPods"] {
  const directory = "/etc/kubernetes/manifests";
  let names: string[];
  try {
    names = readdirSync(at(directory)).filter((n) => /\.(ya?ml|json)$/i.test(n) && !n.startsWith(".")).sort();
  } catch (e) {
    return notAvailable(`${directory}: ${errorText(e)} (not a kubeadm control-plane node, or another installer)`);
  }
  const manifests = names.map((file): StaticPodManifest => {
    try {
      const docs = loadAll(readFileSync(at(join(directory, file)), "utf8"), undefined, { schema: CORE_SCHEMA }) as { metadata?: { name?: string }; spec?: { containers?: { name?: string; image?: string; command?: string[]; args?: string[] }[] } }[];
      const pod = docs.find((d) => d && typeof d === "object");
      const container = pod?.spec?.containers?.[0];
      if (!pod || !container) return { file, pod: "", component: "", flags: {}, files: [], error: "no pod with a container" };
      const argv = [...(container.command ?? []), ...(container.args ?? [])].map(String);
      const flags = parseFlags(argv);
      const component = container.command?.[0] ? basename(String(container.command[0])) : container.name ?? "";
      return {
        file,
        pod: pod.metadata?.name ?? "",
        component,
        ...(typeof container.image === "string" ? { image: container.image } : {}),
        flags,
        files: referencedPaths(flags).map((r) => ({ ...r, exists: existsSync(at(r.path)) })),
      };
    } catch (e) {
      return { file, pod: "", component: "", flags: {}, files: [], error: errorText(e).slice(0, 300) };
    }
  });
  return { available: true, directory, manifests };
}

// ---------------------------------------------------------------- certificates

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]+?-----END \1PRIVATE KEY-----/;

function collectCertificates(at: (p: string) => string): NodeDiagnostics["certificates"] {
  const files: string[] = [];
  for (const dir of ["/etc/kubernetes/pki", "/etc/kubernetes/pki/etcd"]) {
    try {
      for (const n of readdirSync(at(dir)).sort()) if (n.endsWith(".crt")) files.push(join(dir, n));
    } catch {
      // absent: not a kubeadm node
    }
  }
  for (const f of ["/var/lib/kubelet/pki/kubelet-client-current.pem", "/var/lib/kubelet/pki/kubelet.crt"]) if (existsSync(at(f))) files.push(f);
  if (files.length === 0) return notAvailable("no certificate in /etc/kubernetes/pki, /etc/kubernetes/pki/etcd or /var/lib/kubelet/pki");
  const certificates: CertificateInfo[] = [];
  for (const path of files) {
    let pem: string;
    try {
      pem = readFileSync(at(path), "utf8");
    } catch {
      continue;
    }
    const block = CERT_BLOCK.exec(pem)?.[0];
    if (!block) continue;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      continue;
    }
    certificates.push({
      path,
      subject: cert.subject.replace(/\n/g, ", "),
      issuer: cert.issuer.replace(/\n/g, ", "),
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: new Date(cert.validTo).toISOString(),
      subjectAltNames: cert.subjectAltName ? cert.subjectAltName.split(", ") : [],
      key: keyState(cert, pem, at(path.replace(/\.crt$/, ".key")), path.endsWith(".pem")),
    });
  }
  return { available: true, certificates };
}

/** Whether the private key (beside the certificate, or in the same PEM) belongs to it. Its contents never leave this function. */
function keyState(cert: X509Certificate, pem: string, keyPath: string, sameFile: boolean): CertificateInfo["key"] {
  let keyPem: string | undefined;
  if (sameFile) keyPem = KEY_BLOCK.exec(pem)?.[0];
  else if (existsSync(keyPath)) {
    try {
      keyPem = readFileSync(keyPath, "utf8");
    } catch {
      return "unreadable";
    }
  }
  if (!keyPem) return "absent";
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem)) ? "matches" : "does not match";
  } catch {
    return "unreadable";
  }
}

/** Writes a node-diagnostics document (JSON, owner-only permissions) atomically. */
export async function writeNodeDiagnostics(diagnostics: NodeDiagnostics, path: string): Promise<void> {
  const { writeFile, rename, rm } = await import("node:fs/promises");
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(diagnostics, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The parts that were not available, as "part (why)". */
export function unavailableParts(diagnostics: NodeDiagnostics): string[] {
  const parts: string[] = [];
  for (const key of ["services", "journal", "memory", "kernel", "conntrack", "sysctls", "staticPods", "certificates"] as const) {
    const section = diagnostics[key];
    if (!section.available) parts.push(`${key} (${section.reason})`);
  }
  return parts;
}
