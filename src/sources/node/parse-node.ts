// Pure parsers for what the node agent reads: kernel log lines, service logs, static pod flags,
// /proc/meminfo, systemctl show output. No I/O; collect-node.ts feeds them.
import type { KernelEvent, LogLine } from "../../model/node-diagnostics.js";

/** "[12345.678901] text", optionally after a syslog prefix "Nov 28 10:41:11 host kernel: ". */
const KERNEL_PREFIX = /^(?:\w{3}\s+\d+\s+[\d:]+\s+\S+\s+kernel:\s*|\S+T\S+\s+\S+\s+kernel:\s*)?(?:\[\s*(\d+\.\d+)\]\s*)?(.*)$/;

/**
 * One kernel message as a KernelEvent, when it is one the node agent looks for:
 * the OOM killer ("Out of memory: Killed process 1234 (java)", "Memory cgroup out of memory: Killed process ..."),
 * a NIC link change ("eth0: Link is Down", "igb 0000:01:00.0 eth0: NIC Link is Up 1000 Mbps"),
 * conntrack exhaustion ("nf_conntrack: table full, dropping packet").
 */
export function parseKernelLine(line: string, uptimeSeconds?: number): KernelEvent | undefined {
  const m = KERNEL_PREFIX.exec(line.trimEnd());
  if (!m) return undefined;
  const text = m[2]!;
  const uptime = m[1] !== undefined ? Number(m[1]) : uptimeSeconds;
  const at = uptime !== undefined ? { uptimeSeconds: uptime } : {};
  const oom = /Killed process (\d+) \(([^)]*)\)/.exec(text);
  if (oom) return { kind: "oom-kill", text, ...at, pid: Number(oom[1]), process: oom[2]! };
  if (/nf_conntrack: table full/.test(text)) return { kind: "conntrack-full", text, ...at };
  const link = /(?:^|\s)([\w.@-]+): (?:NIC )?Link is (Up|Down)\b/.exec(text);
  if (link) return { kind: link[2] === "Up" ? "link-up" : "link-down", text, ...at, device: link[1]! };
  return undefined;
}

/** /dev/kmsg record "pri,seq,usec,flags;message" (continuation lines start with a space). */
export function parseKmsgRecord(record: string): { uptimeSeconds?: number; message: string } | undefined {
  const semi = record.indexOf(";");
  if (semi < 0) return undefined;
  const fields = record.slice(0, semi).split(",");
  const usec = Number(fields[2]);
  const message = record.slice(semi + 1).split("\n")[0]!;
  return Number.isFinite(usec) ? { uptimeSeconds: usec / 1e6, message } : { message };
}

/**
 * Whether a kubelet/runtime log line is an error: klog's E/F severity ("E1128 10:41:11.123456 ..."),
 * logrus/containerd level=error|fatal, or systemd reporting the unit failed.
 */
export function isErrorLogLine(line: string): boolean {
  return (
    /(?:^|\s)[EF]\d{4} \d{2}:\d{2}:\d{2}/.test(line) ||
    /\blevel=(?:error|fatal)\b/.test(line) ||
    /\b(?:Failed with result|Main process exited, code=exited, status=[1-9]|Failed to start)\b/.test(line)
  );
}

/** Bearer tokens and password/token/secret assignments in a log line, replaced (a log may echo a credential). */
export function redactLogLine(line: string): string {
  return line
    .replace(/(\bBearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1<redacted>")
    .replace(/(\b[\w-]*(?:password|passwd|token|secret)[\w-]*["']?\s*[=:]\s*["']?)(?!<redacted>)[^\s"',;&]+/gi, "$1<redacted>");
}

/** The error lines of a log (credentials redacted), the newest `limit` kept. */
export function errorLines(text: string, unit: string, limit: number, mentions?: RegExp): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || !isErrorLogLine(line)) continue;
    if (mentions && !mentions.test(line)) continue;
    const text = redactLogLine(line);
    out.push({ unit, text: text.length > 2000 ? `${text.slice(0, 2000)}...` : text });
  }
  return out.slice(-limit);
}

const SECRET_FLAG = /(password|secret|token)/i;

/**
 * --flag=value and --flag value pairs of a command line. A bare --flag is "true". Values of flags
 * whose name suggests a secret (password, secret, token) are replaced unless they are file paths.
 */
export function parseFlags(argv: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    let name: string;
    let value: string;
    if (eq >= 0) {
      name = arg.slice(2, eq);
      value = arg.slice(eq + 1);
    } else {
      name = arg.slice(2);
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("--")) {
        value = next;
        i++;
      } else value = "true";
    }
    flags[name] = SECRET_FLAG.test(name) && !value.startsWith("/") ? "<redacted>" : value;
  }
  return flags;
}

/** Values (absolute paths) of flags that name files or directories. Comma lists and URLs are not paths. */
export function referencedPaths(flags: Readonly<Record<string, string>>): { flag: string; path: string }[] {
  return Object.entries(flags)
    .filter(([, v]) => v.startsWith("/") && !v.includes(","))
    .map(([flag, path]) => ({ flag, path }));
}

/** MemTotal and MemAvailable of /proc/meminfo, in bytes. */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } | undefined {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb("MemTotal");
  const available = kb("MemAvailable");
  return total !== undefined && available !== undefined ? { totalBytes: total, availableBytes: available } : undefined;
}

/** `systemctl show A B --property=...`: one block per unit, separated by blank lines, in the order asked. */
export function parseSystemctlShow(text: string): Record<string, string>[] {
  return text
    .split(/\n\s*\n/)
    .filter((b) => b.trim())
    .map((block) => {
      const props: Record<string, string> = {};
      for (const line of block.split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1);
      }
      return props;
    });
}

/** df's Use%: used / (used + available), rounded up (coreutils df.c). */
export function dfPercent(used: number, available: number): number {
  const denominator = used + available;
  return denominator === 0 ? 0 : Math.ceil((used * 100) / denominator);
}

/**
 * The service a `journalctl -o short-iso` line belongs to: systemd's own lines about a unit
 * ("systemd[1]: kubelet.service: Failed with result ...") belong to that unit, others to their
 * process ("host kubelet[812]: ..."); dockerd is the docker service.
 */
export function journalLineUnit(line: string): string {
  const unit = /\b(kubelet|containerd|crio|docker)\.service:/.exec(line)?.[1] ?? /^\S+\s+\S+\s+([\w.-]+?)(?:\[\d+\])?:/.exec(line)?.[1] ?? "journal";
  return unit === "dockerd" ? "docker" : unit;
}
