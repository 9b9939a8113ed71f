// The containers an input comes in: a directory tree, a tar (plain, gzip, xz) or a zip archive,
// a single gzip/xz-compressed file. Each is walked once, in order, and every regular file's bytes
// are pushed into the sink the visitor returns; nothing is extracted to disk.

import { createReadStream } from "node:fs";
import { lstat, open, readdir, readFile, realpath } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { constants as zlibConstants, createGunzip, gunzipSync } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import xzDecompress from "xz-decompress";
import yauzl from "yauzl";
import { SourceError } from "../errors.js";

/** Receives one file's bytes. May throw; the caller's visitor decides what a throw means. */
export interface EntrySink {
  write(chunk: Buffer): void;
  end(): void;
}

export interface Entry {
  /** Path inside the input, "/"-separated. */
  path: string;
  size: number;
}

/** Returns a sink for an entry's content, or undefined to skip its bytes. */
export type EntryVisitor = (entry: Entry) => EntrySink | undefined;

/** What a file holds, from its first bytes. */
export type FileKind = "tar" | "tar.gz" | "tar.xz" | "zip" | "gzip" | "xz" | "text" | "binary" | "empty";

/** A fatal problem with the container itself (truncated archive, bad compression). */
export class ContainerError extends Error {
  override name = "ContainerError";
}

const CHUNK = 1 << 20;
const SMALL_FILE = 1 << 20;

function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  // POSIX ustar ("ustar\0") or GNU ("ustar  ") magic at offset 257
  return Buffer.from(block.subarray(257, 262)).toString("latin1") === "ustar";
}

function isXz(head: Uint8Array): boolean {
  return head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00;
}

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function isZip(head: Uint8Array): boolean {
  // local file header, or the end-of-central-directory record of an empty archive
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

function looksBinary(head: Uint8Array): boolean {
  const n = Math.min(head.length, 8192);
  for (let i = 0; i < n; i++) if (head[i] === 0) return true;
  return false;
}

/** Classifies a file by its first bytes (compressed files by their decompressed first block). */
export async function sniffFile(path: string): Promise<FileKind> {
  const handle = await open(path, "r");
  let head: Buffer;
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (head.length === 0) return "empty";
  if (isGzip(head)) {
    let inner: Buffer;
    try {
      inner = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return "gzip"; // corrupt: reported when read
    }
    return isTarHeader(inner) ? "tar.gz" : "gzip";
  }
  if (isXz(head)) {
    const inner = await readXzHead(path, 512);
    return isTarHeader(inner) ? "tar.xz" : "xz";
  }
  if (isZip(head)) return "zip";
  if (isTarHeader(head)) return "tar";
  return looksBinary(head) ? "binary" : "text";
}

async function readXzHead(path: string, bytes: number): Promise<Buffer> {
  const stream = xzStream(createReadStream(path, { highWaterMark: 65536 }));
  const pieces: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      pieces.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= bytes) break;
    }
  } catch {
    // corrupt: reported when read
  } finally {
    stream.destroy();
  }
  return Buffer.concat(pieces);
}

function xzStream(compressed: Readable): Readable {
  const web = new xzDecompress.XzReadableStream(Readable.toWeb(compressed) as ReadableStream<Uint8Array>);
  return Readable.fromWeb(web as import("node:stream/web").ReadableStream<Uint8Array>);
}

/** The decompressed bytes of a file (plain, gzip or xz), as a stream. */
export function openDecompressed(path: string, kind: "plain" | "gzip" | "xz"): Readable {
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  if (kind === "plain") return raw;
  if (kind === "gzip") {
    const gunzip = createGunzip({ chunkSize: CHUNK });
    raw.on("error", (e) => gunzip.destroy(e));
    return raw.pipe(gunzip);
  }
  return xzStream(raw);
}

/**
 * Pumps a stream into a sink. Errors of the stream (compression, I/O) become ContainerError;
 * errors the sink throws pass through unchanged.
 */
export async function pumpStream(stream: Readable, sink: EntrySink, what: string): Promise<void> {
  const chunks = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await chunks.next();
      } catch (e) {
        throw new ContainerError(`${what}: ${decompressionMessage(e)}`, { cause: e });
      }
      if (next.done) break;
      sink.write(next.value as Buffer);
    }
  } finally {
    stream.destroy();
  }
  sink.end();
}

/** xz-embedded's xz_ret codes, as xz-decompress reports them. */
const XZ_ERRORS: Record<string, string> = {
  "2": "unsupported xz integrity check",
  "3": "out of memory decompressing xz",
  "4": "xz dictionary larger than the decoder allows",
  "5": "not xz data (bad header)",
  "6": "unsupported xz options",
  "7": "corrupt xz data",
  "8": "truncated compressed data (xz stream ends early)",
};

function decompressionMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/unexpected end of file/i.test(message)) return "truncated compressed data (unexpected end of file)";
  const xz = /get_next_output failed with error code (\d+)/.exec(message);
  if (xz) return XZ_ERRORS[xz[1]!] ?? `xz decompression failed (code ${xz[1]})`;
  if (/incorrect header check|invalid (block type|distance|stored block|code)/i.test(message)) return `corrupt gzip data (${message})`;
  return message;
}

// ------------------------------------------------------------------ directories

/** Walks a directory tree in sorted order. Symlinks are not followed: inside the tree they duplicate files; outside it they are reported. */
export async function walkDirectory(root: string, visit: EntryVisitor, onOutsideLink: (path: string) => void): Promise<void> {
  const realRoot = await realpath(root);
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of names) {
      const full = join(dir, d.name);
      const rel = relative(root, full).split(sep).join("/");
      if (d.isDirectory()) {
        await walk(full);
      } else if (d.isSymbolicLink()) {
        let target: string | undefined;
        try {
          target = await realpath(full);
        } catch {
          target = undefined;
        }
        if (!target || !(target === realRoot || target.startsWith(realRoot + sep))) onOutsideLink(rel);
      } else if (d.isFile()) {
        const size = (await lstat(full)).size;
        const sink = visit({ path: rel, size });
        if (!sink) continue;
        if (size <= SMALL_FILE) {
          const data = await readFile(full);
          if (data.length > 0) sink.write(data);
          sink.end();
        } else {
          await pumpStream(createReadStream(full, { highWaterMark: CHUNK }), sink, rel);
        }
      }
    }
  };
  await walk(root);
}

// ------------------------------------------------------------------ tar

/** Reads a tar stream (already decompressed). Only regular files reach the visitor; links are duplicates and are passed over. */
export async function readTar(stream: Readable, visit: EntryVisitor, what: string): Promise<void> {
  let fatal: string | undefined;
  let entries = 0;
  const parser = new Parser({
    strict: false,
    brotli: false,
    zstd: false,
    maxDecompressionRatio: Infinity,
    onwarn: (code: string, message: string | Error) => {
      const text = typeof message === "string" ? message : message.message;
      if (code === "TAR_BAD_ARCHIVE" || code === "TAR_ABORT" || code === "TAR_ENTRY_INVALID") fatal ??= text;
    },
    onReadEntry: (entry: ReadEntry) => {
      entries++;
      if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
        entry.resume();
        return;
      }
      const sink = visit({ path: entry.path.replace(/^\.\//, ""), size: entry.size ?? 0 });
      if (!sink) {
        entry.resume();
        return;
      }
      entry.on("data", (chunk: Buffer) => sink.write(chunk));
      entry.on("end", () => sink.end());
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on("end", () => resolve());
    parser.on("error", (e: unknown) => reject(e));
    parser.on("abort", (e: unknown) => reject(e));
  });
  // Entries flow synchronously into their sinks, so the parser never holds more than a block;
  // its write() return value (backpressure for paused entries) does not apply.
  let sawData = false;
  const chunks = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await chunks.next();
      } catch (e) {
        throw new ContainerError(`${what}: ${decompressionMessage(e)}`, { cause: e });
      }
      if (next.done) break;
      sawData = true;
      parser.write(next.value as Buffer);
      if (fatal) break;
    }
  } finally {
    stream.destroy();
  }
  if (!fatal) {
    parser.end();
    await done.catch((e: unknown) => {
      fatal ??= e instanceof Error ? e.message : String(e);
    });
  }
  if (fatal) throw new ContainerError(`${what}: damaged or truncated tar archive (${fatal})`);
  if (!sawData || entries === 0) throw new ContainerError(`${what}: empty tar archive`);
}

// ------------------------------------------------------------------ zip

/** Reads a zip archive entry by entry (central directory order). */
export async function readZip(path: string, visit: EntryVisitor): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false }, (err, z) =>
      err ? reject(new ContainerError(`${path}: damaged or truncated zip archive (${err.message})`)) : resolve(z),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    const fail = (e: unknown): void => {
      zip.close();
      reject(e instanceof ContainerError || e instanceof SourceError ? e : new ContainerError(`${path}: damaged zip archive (${e instanceof Error ? e.message : String(e)})`));
    };
    zip.on("error", fail);
    zip.on("end", () => resolve());
    zip.on("entry", (entry: yauzl.Entry) => {
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (entry.fileName.endsWith("/") || mode === 0o120000 || mode === 0o040000) {
        zip.readEntry();
        return;
      }
      const sink = visit({ path: entry.fileName.replace(/^\.\//, ""), size: entry.uncompressedSize });
      if (!sink) {
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return fail(err);
        pumpStream(stream, sink, `${path}!${entry.fileName}`).then(() => zip.readEntry(), fail);
      });
    });
    zip.readEntry();
  });
}
