// Chooses and loads the source for a command: snapshot paths, else the live cluster.
import type { Snapshot } from "../model/snapshot.js";
import { loadSnapshot } from "../sources/snapshot/load-snapshot.js";
import { readEtcdTlsFiles } from "../sources/live/etcd.js";
import { HEALTH_COMPONENTS } from "../sources/live/component-health.js";
import { loadLive } from "../sources/live/load-live.js";
import { restrictSnapshot } from "../sources/restrict.js";
import { snapshotReferenceTime } from "../run/reference-time.js";
import { compileSelector } from "../semantics/selector-string.js";
import type { CliIo } from "./io.js";
import { UsageError } from "./errors.js";

export interface SourceFlags {
  snapshot?: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  now?: string;
  /** --request-timeout: kubectl's duration syntax (5s, 1m30s, 500ms; a bare number is seconds). */
  requestTimeout?: string;
  progress?: boolean;
  /** --etcd-endpoint (repeatable) and the TLS files for it (live, with control-plane data only). */
  etcdEndpoint?: string[];
  etcdCacert?: string;
  etcdCert?: string;
  etcdKey?: string;
  /** --component-endpoint NAME=URL (repeatable; live, with control-plane data only). */
  componentEndpoint?: string[];
}

export interface LoadedSource {
  snapshot: Snapshot;
  /** Reference time in ms. */
  now: number;
  live: boolean;
}

/** A progress reporter on stderr: a rewritten line on a terminal, nothing otherwise unless --progress. */
export function progressReporter(io: CliIo, forced: boolean | undefined): ((message: string) => void) | undefined {
  if (!io.stderrIsTTY && !forced) return undefined;
  return (message) => {
    if (io.stderrIsTTY) {
      io.stderr(`\r\u001b[2K${message}`);
    } else {
      io.stderr(`${message}\n`);
    }
  };
}

export function endProgress(io: CliIo, report: ((m: string) => void) | undefined): void {
  if (report && io.stderrIsTTY) io.stderr("\r\u001b[2K");
}

function parseNow(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--now "${value}" is not an RFC 3339 time`, "e.g. --now 2026-11-20T09:30:00Z");
  return ms;
}

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * --request-timeout in ms. kubectl's syntax: a Go duration (5s, 1m30s, 1.5s, 500ms) or a bare integer of
 * seconds. Unlike kubectl, 0 ("no timeout") is refused: kubesleuth always bounds its requests.
 */
export function parseRequestTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number | undefined;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else if (/^(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$/.test(text)) {
    ms = 0;
    for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) ms += Number(n) * DURATION_UNITS_MS[unit!]!;
  }
  if (ms === undefined) throw new UsageError(`--request-timeout "${value}" is not a duration`, "e.g. --request-timeout 5s, 1m or 500ms (a bare number is seconds)");
  if (!(ms >= 1)) throw new UsageError(`--request-timeout "${value}" must be at least 1ms`, "kubesleuth always bounds its requests; the default is 30s");
  return Math.round(ms);
}

async function etcdOptions(flags: SourceFlags, endpoints: string[]): Promise<{ endpoints: string[]; tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } }> {
  for (const url of endpoints) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) throw new UsageError(`--etcd-endpoint "${url}" is not an http(s) URL`, "e.g. https://10.0.0.5:2379 (an etcd client URL, as in the API server's --etcd-servers)");
  }
  if (Boolean(flags.etcdCert) !== Boolean(flags.etcdKey)) throw new UsageError("--etcd-cert and --etcd-key go together");
  try {
    return { endpoints, tls: await readEtcdTlsFiles({ cacert: flags.etcdCacert, cert: flags.etcdCert, key: flags.etcdKey }) };
  } catch (error) {
    throw new UsageError(`cannot read an etcd TLS file: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Parses --component-endpoint NAME=URL values. */
export function componentEndpoints(values: readonly string[]): { name: string; url: string }[] {
  return values.map((value) => {
    const at = value.indexOf("=");
    const name = at > 0 ? value.slice(0, at) : "";
    const url = value.slice(at + 1);
    const example = "e.g. kube-scheduler=https://10.0.0.10:10259 or kube-controller-manager=https://10.0.0.10:10257";
    if (!HEALTH_COMPONENTS.includes(name)) throw new UsageError(`--component-endpoint "${value}": NAME must be ${HEALTH_COMPONENTS.join(" or ")}`, example);
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) throw new UsageError(`--component-endpoint "${value}": "${url}" is not an http(s) URL`, example);
    return { name, url };
  });
}

export async function loadSource(
  io: CliIo,
  paths: readonly string[],
  flags: SourceFlags,
  needs: { kinds: readonly string[]; logs: boolean; controlPlane?: boolean; volumeStats?: boolean },
): Promise<LoadedSource> {
  let podMatches: ((labels: Readonly<Record<string, string>> | undefined) => boolean) | undefined;
  if (flags.selector) {
    const compiled = compileSelector(flags.selector);
    if (!compiled.ok) throw new UsageError(`-l ${JSON.stringify(flags.selector)}: ${compiled.error}`, "selector syntax as kubectl: app=web,tier!=db,env in (prod,staging)");
    podMatches = compiled.matches;
  }
  if (flags.allNamespaces && flags.namespace) throw new UsageError("-n and -A cannot be used together");
  const namespace = flags.allNamespaces ? undefined : flags.namespace;
  const nowOverride = parseNow(flags.now);
  const timeoutMs = parseRequestTimeout(flags.requestTimeout);
  const onProgress = progressReporter(io, flags.progress);
  const all = [...paths, ...(flags.snapshot ?? [])];
  try {
    if (all.length) {
      const loaded = await loadSnapshot(all, { onProgress });
      const snapshot = restrictSnapshot(loaded, { namespace, podMatches, selectorText: flags.selector });
      return { snapshot, now: nowOverride ?? snapshotReferenceTime(loaded) ?? io.now(), live: false };
    }
    const snapshot = await loadLive({
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      env: io.env,
      namespace,
      labelSelector: flags.selector,
      kinds: [...needs.kinds],
      logs: needs.logs,
      ...(needs.controlPlane ? { controlPlane: true } : {}),
      ...(needs.volumeStats ? { volumeStats: true } : {}),
      ...(needs.controlPlane && flags.etcdEndpoint?.length ? { etcd: await etcdOptions(flags, flags.etcdEndpoint) } : {}),
      ...(needs.controlPlane && flags.componentEndpoint?.length ? { components: componentEndpoints(flags.componentEndpoint) } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      onProgress,
    });
    return { snapshot: namespace ? { ...snapshot, namespace } : snapshot, now: nowOverride ?? io.now(), live: true };
  } finally {
    endProgress(io, onProgress);
  }
}
