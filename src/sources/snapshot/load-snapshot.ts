// Offline source: loads kubectl output, cluster-info dumps, support bundles, must-gathers and
// kubesleuth archives (files, directories or archives, detected by content) into one Snapshot.

import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Snapshot } from "../../model/snapshot.js";
import { SourceError } from "../errors.js";
import { createSnapshotBuilder } from "../snapshot-builder.js";
import {
  ContainerError,
  openDecompressed,
  pumpStream,
  readTar,
  readZip,
  sniffFile,
  walkDirectory,
  type EntrySink,
  type FileKind,
} from "./containers.js";
import { InputReader } from "./input-reader.js";
import { classifyPath, decideFormat, type SnapshotFormat } from "./layout.js";

export type { SnapshotFormat } from "./layout.js";

export interface LoadSnapshotOptions {
  /** Called with short human-readable progress lines (which input, how far into a large file). */
  onProgress?: (message: string) => void;
}

/** How an input is packaged. */
export type InputContainer = "directory" | "file" | "gzip" | "xz" | "tar" | "tar.gz" | "tar.xz" | "zip";

const PROGRESS_STEP = 256 * 1024 * 1024;

/**
 * Inputs whose capture times lie within this window of each other are parts of one capture (a support bundle and an
 * archive taken together); further apart they are captures of the cluster at different times (docs/architecture.md).
 * Small, because two runs of `kubesleuth snapshot` are two captures even when taken in quick succession.
 */
export const SAME_CAPTURE_WINDOW_MS = 10_000;

interface LoadedPart {
  path: string;
  format: SnapshotFormat;
  capturedAt: number | undefined;
  snapshot: Snapshot;
}

/**
 * Loads every path (file, directory or archive). Paths of one capture (several kubectl files, a dump and its
 * logs) merge into one Snapshot. When the inputs say they were captured at different times (archive manifest,
 * bundle or must-gather timestamps more than SAME_CAPTURE_WINDOW_MS apart), they are a time series: the latest
 * capture is the returned Snapshot and the earlier ones are its `history`, oldest first. An input without a
 * capture time belongs to the latest capture.
 * Throws SourceError for a missing path, an unknown or damaged format, a malformed single file, or an
 * input with nothing Kubernetes in it. Inside a directory or archive a broken file is skipped and
 * listed in `snapshot.skipped`.
 */
export async function loadSnapshot(paths: string[], options: LoadSnapshotOptions = {}): Promise<Snapshot> {
  if (paths.length === 0) throw new SourceError("snapshot", "no input path given");
  const parts: LoadedPart[] = [];
  for (const path of paths) {
    const formats: string[] = [];
    const builder = createSnapshotBuilder({ kind: "snapshot", locations: [path], formats });
    const { format, capturedAt } = await loadInput(path, builder, options.onProgress);
    formats.push(format);
    if (capturedAt) builder.setCapturedAt(capturedAt);
    parts.push({ path, format, capturedAt: capturedAt ? Date.parse(capturedAt) : undefined, snapshot: builder.build() });
  }
  const captures = groupCaptures(parts).map(mergeParts);
  const latest = captures.at(-1)!;
  const source = { kind: "snapshot" as const, locations: [...paths], formats: parts.map((p) => p.format) };
  return captures.length > 1 ? { ...latest, source, history: captures.slice(0, -1) } : { ...latest, source };
}

/** Groups the inputs into captures, oldest first: dated inputs by time (SAME_CAPTURE_WINDOW_MS), undated ones into the latest. */
export function groupCaptures<T extends { capturedAt: number | undefined }>(parts: readonly T[]): T[][] {
  const dated = parts.filter((p) => p.capturedAt !== undefined).sort((a, b) => a.capturedAt! - b.capturedAt!);
  const groups: T[][] = [];
  let start = Number.NEGATIVE_INFINITY;
  for (const part of dated) {
    if (groups.length === 0 || part.capturedAt! - start > SAME_CAPTURE_WINDOW_MS) {
      groups.push([part]);
      start = part.capturedAt!;
    } else groups.at(-1)!.push(part);
  }
  const undated = parts.filter((p) => p.capturedAt === undefined);
  if (groups.length === 0) return [undated];
  groups.at(-1)!.push(...undated);
  return groups;
}

/** Merges the parts of one capture as one builder fed with every input would (newer resourceVersion wins). */
function mergeParts(parts: readonly LoadedPart[]): Snapshot {
  if (parts.length === 1) return parts[0]!.snapshot;
  const builder = createSnapshotBuilder({ kind: "snapshot", locations: parts.map((p) => p.path), formats: parts.map((p) => p.format) });
  let capturedAt: number | undefined;
  for (const { snapshot, capturedAt: at } of parts) {
    for (const list of snapshot.objects.values()) for (const o of list) builder.add(o);
    for (const log of snapshot.logs) builder.addLog(log);
    for (const s of snapshot.skipped) builder.skip(s.location, s.reason);
    for (const [kind, c] of Object.entries(snapshot.coverage)) {
      if (c.status === "ok") builder.markListed(kind);
      else builder.setCoverage(kind, c.status, c.note);
    }
    if (snapshot.serverVersion) builder.setServerVersion(snapshot.serverVersion);
    if (snapshot.controlPlane) builder.setControlPlane(snapshot.controlPlane);
    if (snapshot.volumeStats) builder.setVolumeStats(snapshot.volumeStats);
    for (const d of snapshot.nodeDiagnostics ?? []) builder.addNodeDiagnostics(d);
    if (at !== undefined && (capturedAt === undefined || at > capturedAt)) capturedAt = at;
  }
  if (capturedAt !== undefined) builder.setCapturedAt(parts.find((p) => p.capturedAt === capturedAt)!.snapshot.capturedAt!);
  return builder.build();
}

async function statPath(path: string): Promise<import("node:fs").Stats> {
  try {
    return await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SourceError(path, code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : String(e));
  }
}

async function loadInput(
  path: string,
  builder: ReturnType<typeof createSnapshotBuilder>,
  onProgress: ((message: string) => void) | undefined,
): Promise<{ format: SnapshotFormat; capturedAt: string | undefined }> {
  const info = await statPath(path);
  if (info.isDirectory()) {
    onProgress?.(`reading directory ${path}`);
    const reader = new InputReader(builder, (p) => `${path.replace(/\/+$/, "")}/${p}`, false);
    await walkDirectory(path, countingVisitor(reader, path, onProgress), (p) => reader.skip(`${path}/${p}`, "symbolic link to outside the input, not followed"));
    return finishInput(reader, path, onProgress);
  }
  if (!info.isFile()) throw new SourceError(path, "not a regular file or directory");
  const kind = await sniffFile(path);
  onProgress?.(`reading ${path} (${describeKind(kind)}, ${formatBytes(info.size)})`);
  try {
    switch (kind) {
      case "empty":
        throw new SourceError(path, "empty file");
      case "binary":
        throw new SourceError(path, "unknown format: not JSON, YAML, a tar/zip archive or gzip/xz-compressed");
      case "tar":
      case "tar.gz":
      case "tar.xz": {
        const reader = new InputReader(builder, (p) => `${path}!${p}`, false);
        const stream = openDecompressed(path, kind === "tar" ? "plain" : kind === "tar.gz" ? "gzip" : "xz");
        await readTar(stream, countingVisitor(reader, path, onProgress), path);
        return finishInput(reader, path, onProgress);
      }
      case "zip": {
        const reader = new InputReader(builder, (p) => `${path}!${p}`, false);
        await readZip(path, countingVisitor(reader, path, onProgress));
        return finishInput(reader, path, onProgress);
      }
      case "gzip":
      case "xz":
      case "text": {
        const reader = new InputReader(builder, () => path, true);
        const name = basename(path);
        const sink = progressSink(reader.singleFileSink(path, name), path, info.size, kind !== "text", onProgress);
        await pumpStream(openDecompressed(path, kind === "text" ? "plain" : kind), sink, path);
        return finishInput(reader, path, onProgress);
      }
    }
  } catch (e) {
    if (e instanceof SourceError) throw e;
    if (e instanceof ContainerError) throw new SourceError(path, e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message, { cause: e });
    throw new SourceError(path, e instanceof Error ? e.message : String(e), { cause: e });
  }
}

function finishInput(reader: InputReader, label: string, onProgress: ((message: string) => void) | undefined): { format: SnapshotFormat; capturedAt: string | undefined } {
  const format = reader.finish(label);
  onProgress?.(`${label}: ${format}`);
  return { format, capturedAt: reader.capturedAt() };
}

/** Wraps the reader's visitor with progress lines for large inputs. */
function countingVisitor(reader: InputReader, label: string, onProgress: ((message: string) => void) | undefined): InputReader["visit"] {
  if (!onProgress) return reader.visit;
  let files = 0;
  let bytes = 0;
  let nextReport = PROGRESS_STEP;
  return (entry) => {
    files++;
    bytes += entry.size;
    if (bytes >= nextReport || files % 5000 === 0) {
      nextReport = bytes + PROGRESS_STEP;
      onProgress(`${label}: ${files} files, ${formatBytes(bytes)}`);
    }
    return reader.visit(entry);
  };
}

function progressSink(inner: EntrySink, label: string, size: number, compressed: boolean, onProgress: ((message: string) => void) | undefined): EntrySink {
  if (!onProgress) return inner;
  let read = 0;
  let nextReport = PROGRESS_STEP;
  return {
    write(chunk) {
      read += chunk.length;
      if (read >= nextReport) {
        nextReport += PROGRESS_STEP;
        onProgress(compressed ? `${label}: ${formatBytes(read)} decompressed` : `${label}: ${formatBytes(read)} of ${formatBytes(size)}`);
      }
      inner.write(chunk);
    },
    end() {
      inner.end();
    },
  };
}

function describeKind(kind: FileKind): string {
  return kind === "text" ? "text" : kind === "gzip" ? "gzip-compressed" : kind === "xz" ? "xz-compressed" : kind;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(0)} MB`;
  return `${Math.ceil(n / 1024)} KB`;
}

/**
 * The format and packaging of a path, from file names alone (no parsing): what loadSnapshot will
 * treat it as. Archives are listed (decompressed) once. Content-based evidence (a support bundle's
 * version.yaml kind, dump log blocks in a single file) is only seen by loadSnapshot.
 */
export async function detectSnapshotFormat(path: string): Promise<{ format: SnapshotFormat; container: InputContainer }> {
  const info = await statPath(path);
  const signals = new Set<SnapshotFormat>();
  let sawJson = false;
  const visit = (entry: { path: string }): undefined => {
    const { route, signal } = classifyPath(entry.path);
    if (signal) signals.add(signal);
    if (route.type === "objects" && route.syntax === "json") sawJson = true;
    return undefined;
  };
  if (info.isDirectory()) {
    await walkDirectory(path, visit, () => undefined);
    return { format: decideFormat(signals, sawJson), container: "directory" };
  }
  const kind = await sniffFile(path);
  try {
    switch (kind) {
      case "tar":
      case "tar.gz":
      case "tar.xz":
        await readTar(openDecompressed(path, kind === "tar" ? "plain" : kind === "tar.gz" ? "gzip" : "xz"), visit, path);
        return { format: decideFormat(signals, sawJson), container: kind };
      case "zip":
        await readZip(path, visit);
        return { format: decideFormat(signals, sawJson), container: "zip" };
      case "gzip":
      case "xz":
        return { format: /\.ya?ml\.(gz|xz)$/i.test(path) ? "kubectl-yaml" : "kubectl-json", container: kind };
      case "text":
        return { format: /\.ya?ml$/i.test(path) ? "kubectl-yaml" : "kubectl-json", container: "file" };
      default:
        throw new SourceError(path, kind === "empty" ? "empty file" : "unknown format: not JSON, YAML, a tar/zip archive or gzip/xz-compressed");
    }
  } catch (e) {
    if (e instanceof ContainerError) throw new SourceError(path, e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message, { cause: e });
    throw e;
  }
}
