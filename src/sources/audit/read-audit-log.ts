// Reads Kubernetes audit logs (audit.k8s.io/v1 or v1beta1 Event JSON lines, as the log backend writes
// them) line by line from plain or gzipped files (rotated logs: audit.log, audit-2026-...log.gz), never
// holding a whole file in memory. Malformed lines are counted with their places and skipped; a file
// that is not an audit log at all is reported in one line and left.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import type { AuditEvent } from "../../model/audit.js";

export type { AuditEvent };

/** Where an event came from: the file and its 1-based line. */
export interface AuditLocation {
  file: string;
  line: number;
}

/** A malformed line: not JSON, or JSON that is not an audit Event. */
export interface MalformedLine extends AuditLocation {
  reason: string;
}

export interface AuditFileSummary {
  file: string;
  gzip: boolean;
  /** Non-empty lines read. */
  lines: number;
  events: number;
  malformed: number;
  /** Set when the file is not an audit log at all (nothing in its first lines is an audit Event), or unreadable. */
  notAuditLog?: string;
  /** Bytes read from disk, and bytes of text (after gunzip). */
  bytes: number;
  textBytes: number;
}

export interface ReadAuditOptions {
  /** Called for every audit Event, in file order. */
  onEvent(event: AuditEvent, location: AuditLocation): void;
  /** Called for every malformed line (the caller keeps the first few places and the count). */
  onMalformed?(line: MalformedLine): void;
  /** Lines to look at before calling a file with no audit Event "not an audit log" (default 20). */
  sniffLines?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const AUDIT_API_VERSIONS = new Set(["audit.k8s.io/v1", "audit.k8s.io/v1beta1", "audit.k8s.io/v1alpha1"]);

/** Why a parsed JSON value is not an audit Event, or undefined when it is one. */
export function notAnEvent(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const v = value as Record<string, unknown>;
  if (v.kind !== "Event") return `kind is ${JSON.stringify(v.kind)}, not "Event"`;
  // Events written without apiVersion (some webhook and test captures) are accepted by their shape.
  if (v.apiVersion !== undefined && !AUDIT_API_VERSIONS.has(String(v.apiVersion))) return `apiVersion ${JSON.stringify(v.apiVersion)} is not audit.k8s.io`;
  if (typeof v.verb !== "string" && typeof v.requestURI !== "string") return "no verb and no requestURI";
  if (v.stage !== undefined && typeof v.stage !== "string") return "stage is not a string";
  return undefined;
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buffer, 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/**
 * Streams one audit log file (gzip detected by its magic bytes, not its name). Resolves to the file's
 * summary; never throws for bad content (unreadable files come back with `notAuditLog` set).
 */
export async function readAuditFile(path: string, options: ReadAuditOptions): Promise<AuditFileSummary> {
  const summary: AuditFileSummary = { file: path, gzip: false, lines: 0, events: 0, malformed: 0, bytes: 0, textBytes: 0 };
  const sniff = options.sniffLines ?? 20;
  let raw: Readable;
  try {
    summary.gzip = await isGzip(path);
    raw = createReadStream(path, { highWaterMark: 1 << 20 });
  } catch (error) {
    summary.notAuditLog = describeIoError(error);
    return summary;
  }
  raw.on("data", (chunk: Buffer | string) => {
    summary.bytes += chunk.length;
  });
  const stream = summary.gzip ? raw.pipe(createGunzip()) : raw;
  if (summary.gzip) {
    stream.on("data", (chunk: Buffer | string) => {
      summary.textBytes += chunk.length;
    });
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const firstProblems: string[] = [];
  let lineNo = 0;
  let streamError: unknown;
  stream.on("error", (error) => {
    streamError = error;
    lines.close();
  });
  raw.on("error", (error) => {
    streamError = error;
    lines.close();
  });
  try {
    for await (const text of lines) {
      lineNo++;
      if (text.length === 0 || /^\s*$/.test(text)) continue;
      summary.lines++;
      let value: unknown;
      let problem: string | undefined;
      try {
        value = JSON.parse(text);
        problem = notAnEvent(value);
      } catch (error) {
        problem = `invalid JSON: ${(error as Error).message.split("\n")[0]}`;
      }
      if (problem === undefined) {
        summary.events++;
        options.onEvent(value as AuditEvent, { file: path, line: lineNo });
        continue;
      }
      summary.malformed++;
      options.onMalformed?.({ file: path, line: lineNo, reason: problem });
      if (summary.events === 0 && firstProblems.length < 3) firstProblems.push(`line ${lineNo}: ${problem}`);
      if (summary.events === 0 && summary.lines >= sniff) {
        // Nothing in the first lines is an audit Event: this is some other file; stop reading it.
        summary.notAuditLog = `not an audit log (no audit.k8s.io Event in its first ${sniff} lines; ${firstProblems[0]})`;
        lines.close();
        raw.destroy();
        return summary;
      }
    }
  } catch (error) {
    streamError = error;
  }
  if (streamError !== undefined) {
    const what = summary.gzip ? `gzip stream broken after ${lineNo} lines (truncated or corrupt .gz?)` : describeIoError(streamError);
    if (summary.events === 0) summary.notAuditLog = what;
    else {
      summary.malformed++;
      options.onMalformed?.({ file: path, line: lineNo + 1, reason: what });
    }
  } else if (summary.events === 0 && summary.lines > 0) {
    summary.notAuditLog = `not an audit log (${firstProblems[0]})`;
  }
  if (!summary.gzip) summary.textBytes = summary.bytes;
  return summary;
}

function describeIoError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === "ENOENT") return "no such file";
  if (e?.code === "EISDIR") return "is a directory";
  if (e?.code === "EACCES") return "permission denied";
  if (e?.code === "Z_DATA_ERROR" || e?.code === "Z_BUF_ERROR") return "not valid gzip data";
  return String(e?.message ?? error).split("\n")[0]!;
}
