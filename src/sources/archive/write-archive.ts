// Writes a snapshot as a kubesleuth archive (.tar.gz, format "kubesleuth-snapshot" version 1), atomically.
import { chmod, mkdir, mkdtemp, rename, rm, utimes, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { create as createTar } from "tar";
import type { KubeObject } from "../../model/kube.js";
import type { CoverageEntry, Snapshot } from "../../model/snapshot.js";
import { TOOL_VERSION } from "../../version.js";
import { isHelmReleaseConfigMap, REDACTED } from "../redact.js";
import { safeUrl } from "../live/kubeconfig.js";

/** The top directory of every entry. */
export const ARCHIVE_ROOT = "kubesleuth-snapshot";
export const ARCHIVE_FORMAT = "kubesleuth-snapshot";
export const ARCHIVE_FORMAT_VERSION = 1;
/** The API server's health, version and metrics (ControlPlaneData), inside ARCHIVE_ROOT. */
export const CONTROL_PLANE_FILE = "control-plane.json";
/** Pod volume usage from the kubelets' summary API (VolumeStatsData), inside ARCHIVE_ROOT. */
export const VOLUME_STATS_FILE = "volume-stats.json";

/** manifest.json of an archive. */
export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  formatVersion: typeof ARCHIVE_FORMAT_VERSION;
  /** RFC 3339. */
  capturedAt: string;
  /** The API server URL without userinfo; version is its gitVersion, "" when unknown. */
  server: { url: string; version: string };
  tool: { name: "kubesleuth"; version: string };
  coverage: Record<string, CoverageEntry>;
  /** Number of log files under logs/. */
  logs: number;
  /** The namespaces the capture was limited to; null = all namespaces. */
  namespaces: string[] | null;
}

export interface ArchiveMeta {
  serverUrl: string;
  /** The namespaces the capture was limited to (the live `namespace` option); default null = all. */
  namespaces?: string[] | null;
}

/**
 * Writes `snapshot` to `path` as a kubesleuth archive:
 * `kubesleuth-snapshot/manifest.json`, `objects/<Kind>.json` (a v1 List per kind, also an empty one for
 * a kind listed completely or partly with no object), `logs/<namespace>/<pod>/<container>[.previous].log`,
 * and `control-plane.json` (the API server's health checks, /version and its filtered /metrics text, see
 * model/control-plane.ts) when they were read, and
 * `node-diagnostics/<node>.json` (the node-diagnostics files the snapshot was loaded with).
 * The archive is written to a temporary file beside `path` and renamed at the end, so a failure leaves
 * nothing behind. Throws, before writing anything, if a Secret value is not redacted.
 */
export async function writeArchive(snapshot: Snapshot, path: string, meta: ArchiveMeta): Promise<void> {
  assertRedacted(snapshot);
  const capturedAt = snapshot.capturedAt ?? new Date().toISOString();
  const mtime = new Date(Number.isNaN(Date.parse(capturedAt)) ? Date.now() : Date.parse(capturedAt));
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    capturedAt,
    server: { url: safeUrl(meta.serverUrl), version: snapshot.serverVersion ?? "" },
    tool: { name: "kubesleuth", version: TOOL_VERSION },
    coverage: { ...snapshot.coverage },
    logs: snapshot.logs.length,
    namespaces: meta.namespaces ? [...meta.namespaces] : null,
  };

  const entries: { path: string; data: Buffer }[] = [{ path: "manifest.json", data: json(manifest) }];
  const kinds = new Set<string>(snapshot.objects.keys());
  // Coverage keys starting with "/" are API paths (/metrics), not kinds: no objects file.
  for (const [kind, entry] of Object.entries(snapshot.coverage)) if ((entry.status === "ok" || entry.status === "partial") && !kind.startsWith("/")) kinds.add(kind);
  for (const kind of [...kinds].sort()) {
    entries.push({ path: `objects/${safeSegment(kind)}.json`, data: json({ apiVersion: "v1", kind: "List", items: snapshot.objects.get(kind) ?? [] }) });
  }
  if (snapshot.controlPlane) entries.push({ path: CONTROL_PLANE_FILE, data: json(snapshot.controlPlane) });
  if (snapshot.volumeStats) entries.push({ path: VOLUME_STATS_FILE, data: json(snapshot.volumeStats) });
  for (const log of snapshot.logs) {
    const file = `${safeSegment(log.container)}${log.previous ? ".previous" : ""}.log`;
    entries.push({ path: `logs/${safeSegment(log.namespace)}/${safeSegment(log.pod)}/${file}`, data: Buffer.from(log.text, "utf8") });
  }

  for (const diagnostics of snapshot.nodeDiagnostics ?? []) {
    entries.push({ path: `node-diagnostics/${safeSegment(diagnostics.node)}.json`, data: json(diagnostics) });
  }

  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeTarGz(temporary, entries, mtime);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Lays the entries out in a private staging directory beside the target and lets node-tar pack it.
 * (Feeding hand-made ReadEntry objects to tar's Pack left the returned promise pending forever on a
 * real cluster's snapshot, with the event loop empty; files on disk are the path the library is built
 * and tested for. The e2e suite's snapshot step covers it.)
 */
async function writeTarGz(file: string, entries: { path: string; data: Buffer }[], mtime: Date): Promise<void> {
  const staging = await mkdtemp(join(dirname(file), `.${basename(file)}.staging-`));
  try {
    for (const entry of entries) {
      const target = join(staging, ARCHIVE_ROOT, entry.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, entry.data, { mode: 0o600 });
      await utimes(target, mtime, mtime);
    }
    // Files only, in entry order: no directory entries, manifest first.
    await createTar({ gzip: true, portable: true, cwd: staging, file, mtime }, entries.map((e) => `${ARCHIVE_ROOT}/${e.path}`));
    await chmod(file, 0o600);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Defensive: the builder redacts Secrets; refuse to write one whose values got past it. */
function assertRedacted(snapshot: Snapshot): void {
  for (const [kind, objects] of snapshot.objects) {
    for (const object of objects) {
      if (isHelmReleaseConfigMap(object) && (object.data as Record<string, unknown>).release !== REDACTED) {
        throw new Error(`refusing to write the archive: Helm release ConfigMap ${object.metadata.namespace ?? ""}/${object.metadata.name} is not redacted`);
      }
      if (object.kind !== "Secret" && kind !== "Secret") continue;
      if (!isRedacted(object)) {
        throw new Error(`refusing to write the archive: Secret ${object.metadata.namespace ?? ""}/${object.metadata.name} is not redacted`);
      }
    }
  }
}

function isRedacted(secret: KubeObject): boolean {
  for (const field of ["data", "stringData"] as const) {
    const values = secret[field];
    if (values === undefined || values === null) continue;
    if (typeof values !== "object") return false;
    if (Object.values(values as Record<string, unknown>).some((v) => v !== REDACTED)) return false;
  }
  const applied = secret.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"];
  return applied === undefined || applied === REDACTED;
}

/** Object and container names are DNS names; anything that could leave its directory is encoded. */
function safeSegment(name: string): string {
  const encoded = encodeURIComponent(name);
  return encoded === "" ? "%00" : /^\.+$/.test(encoded) ? encoded.replace(/\./g, "%2E") : encoded;
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, "utf8");
}
