// Streams JSON of any size without holding it as one string: a byte scanner finds the top-level
// values and, inside a List (`{"items": [...]}`) or a top-level array, each item; only those
// slices are handed to JSON.parse. `kubectl cluster-info dump` output (concatenated values with
// "==== START logs ... ====" blocks between them) is read by the same scanner.

import { lineColumnAt, locateJsonError } from "./json-error.js";

/** A syntax error with its 1-based line and column (columns count bytes on the scanner's own lines). */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

/** One top-level value. For an object with an `items` array, `skeleton` holds the other members and `items` the parsed elements. */
export interface TopLevelValue {
  /** The object without its items (`items: []`), or undefined for a top-level array. */
  skeleton: Record<string, unknown> | undefined;
  /** Elements of the object's `items` array, or of the top-level array; undefined when there was no items array. */
  items: unknown[] | undefined;
  line: number;
}

/** A log block of `kubectl cluster-info dump`. */
export interface DumpLogBlock {
  namespace: string;
  pod: string;
  container: string;
  text: string;
  truncated: boolean;
  line: number;
}

export interface JsonStreamOptions {
  value(value: TopLevelValue): void;
  /** When set, "==== START logs for container C of pod NS/POD ====" blocks are accepted between values. */
  logBlock?(block: DumpLogBlock): void;
  /** Longest log text kept; longer logs keep their tail. */
  maxLogBytes?: number;
}

const START_PREFIX = Buffer.from("==== START logs for container ");
const START_LINE = /^==== START logs for container (\S+) of pod ([^/\s]+)\/(\S+) ====\r?$/;

const enum Mode {
  Json,
  LogHeader,
  LogBody,
}

const enum Container {
  Object = 1,
  Array = 2,
}

function concat(pieces: Buffer[]): Buffer {
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

function countNewlines(buf: Buffer, from = 0, to = buf.length): number {
  let count = 0;
  let i = buf.indexOf(0x0a, from);
  while (i >= 0 && i < to) {
    count++;
    i = buf.indexOf(0x0a, i + 1);
  }
  return count;
}

/**
 * Incremental scanner: call `write` with each chunk and `end` once. Throws JsonSyntaxError.
 * Keeps only the item being read (plus the top-level object's small members) in memory.
 */
export class JsonStream {
  private readonly onValue: JsonStreamOptions["value"];
  private readonly onLogBlock: JsonStreamOptions["logBlock"];
  private readonly maxLogBytes: number;

  private mode = Mode.Json;
  private readonly stack: number[] = [];
  private inString = false;
  private pendingEscape = false;
  /** Depth-1 object: the next string is a member name. */
  private expectKey = false;
  private keyPieces: Buffer[] | undefined;
  private lastKey = "";
  /** Depth at which list items live (2 for `{"items": [...]}`, 1 for a top-level array), 0 when not in items. */
  private itemDepth = 0;
  private itemNeedsComma = false;
  private scalarEnd = -2;
  private itemAfterComma = false;
  private items: unknown[] = [];
  private hadItems = false;

  private capturing = false;
  private captureStart = 0;
  private capturePieces: Buffer[] = [];
  private captureLine = 1;
  private captureColumn = 1;

  private skeletonOn = false;
  private skeletonStart = 0;
  private skeletonPieces: Buffer[] = [];
  private valueLine = 1;

  private base = 0; // bytes before the current chunk
  private line = 1;
  private lineStart = 0; // absolute offset of the current line's first byte
  private sawBom = false;

  private headerPieces: Buffer[] = [];
  private logHeaderLine = 0;
  private log: { namespace: string; pod: string; container: string; marker: Buffer; pieces: Buffer[]; kept: number; dropped: boolean } | undefined;

  /** Top-level values seen, log blocks seen. */
  values = 0;
  logBlocks = 0;
  /** Kind of the first top-level value, when it had one. */
  firstKind: string | undefined;

  constructor(options: JsonStreamOptions) {
    this.onValue = options.value;
    this.onLogBlock = options.logBlock;
    this.maxLogBytes = options.maxLogBytes ?? 10 * 1024 * 1024;
  }

  private error(message: string, absolute: number): never {
    throw new JsonSyntaxError(message, this.line, absolute - this.lineStart + 1);
  }

  private unexpected(buf: Buffer, i: number): never {
    const c = buf[i]!;
    const shown = c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
    this.error(`Unexpected token '${shown}'`, this.base + i);
  }

  write(buf: Buffer): void {
    const n = buf.length;
    let i = 0;
    if (!this.sawBom && this.base === 0 && n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    this.sawBom = true;
    while (i < n) {
      if (this.mode === Mode.LogHeader) i = this.readLogHeader(buf, i);
      else if (this.mode === Mode.LogBody) i = this.readLogBody(buf, i);
      else i = this.scan(buf, i);
    }
    if (this.capturing) {
      this.capturePieces.push(buf.subarray(this.captureStart));
      this.captureStart = 0;
    }
    if (this.skeletonOn) {
      this.skeletonPieces.push(buf.subarray(this.skeletonStart));
      this.skeletonStart = 0;
    }
    this.base += n;
  }

  end(): void {
    const at = this.base;
    if (this.mode === Mode.LogHeader) this.finishLogHeader(at);
    if (this.mode === Mode.LogBody && this.log) {
      this.error(`log block for container ${this.log.container} of pod ${this.log.namespace}/${this.log.pod} has no END line`, at);
    }
    if (this.inString || this.stack.length > 0) this.error("Unexpected end of JSON input", at);
  }

  /** JSON mode: returns the index to continue from (n, or where a log block starts). */
  private scan(buf: Buffer, start: number): number {
    const n = buf.length;
    const stack = this.stack;
    let i = start;
    if (this.inString) {
      i = this.skipString(buf, i);
      if (i < 0) return n;
    }
    for (; i < n; i++) {
      const c = buf[i]!;
      switch (c) {
        case 0x20:
        case 0x09:
        case 0x0d:
          break;
        case 0x0a:
          this.line++;
          this.lineStart = this.base + i + 1;
          // pretty-printed JSON: skip the indentation of the next line in one go
          while (i + 1 < n && buf[i + 1] === 0x20) i++;
          break;
        case 0x22: {
          // "
          const depth = stack.length;
          if (depth === 0) this.unexpected(buf, i);
          if (depth === this.itemDepth) this.itemValueStarts(buf, i, false);
          if (depth === 1 && this.expectKey && stack[0] === Container.Object) {
            this.keyPieces = [];
            this.expectKey = false;
          }
          this.inString = true;
          this.pendingEscape = false;
          const end = this.skipString(buf, i + 1);
          if (end < 0) return n;
          i = end - 1;
          break;
        }
        case 0x7b: // {
        case 0x5b: {
          // [
          const depth = stack.length;
          if (depth === 0) this.topLevelStarts(buf, i, c === 0x7b);
          else if (depth === this.itemDepth) this.itemValueStarts(buf, i, true);
          else if (depth === 1 && c === 0x5b && stack[0] === Container.Object && this.lastKey === "items" && this.itemDepth === 0) {
            // `"items": [` of a top-level object: pause the skeleton, collect the elements one by one
            this.skeletonPieces.push(buf.subarray(this.skeletonStart, i + 1));
            this.skeletonOn = false;
            this.itemDepth = 2;
            this.itemNeedsComma = false;
            this.itemAfterComma = false;
            this.items = [];
            this.hadItems = true;
          }
          stack.push(c === 0x7b ? Container.Object : Container.Array);
          if (depth === 0 && c === 0x7b) this.expectKey = true;
          break;
        }
        case 0x7d: // }
        case 0x5d: {
          // ]
          const open = stack.pop();
          if (open === undefined || open !== (c === 0x7d ? Container.Object : Container.Array)) this.unexpected(buf, i);
          const depth = stack.length;
          if (this.capturing && depth === this.itemDepth) this.itemValueEnds(buf, i + 1);
          else if (depth === this.itemDepth - 1 && this.itemDepth > 0) {
            // end of the items array (or of a top-level array)
            if (this.itemAfterComma) this.error("Unexpected token ']'", this.base + i);
            this.itemDepth = 0;
            if (depth === 1) {
              this.skeletonOn = true;
              this.skeletonStart = i;
            } else this.topLevelEnds(buf, i + 1);
          } else if (depth === 0) this.topLevelEnds(buf, i + 1);
          break;
        }
        case 0x2c: {
          // ,
          const depth = stack.length;
          if (depth === 0) this.unexpected(buf, i);
          if (depth === 1 && stack[0] === Container.Object) this.expectKey = true;
          if (depth === this.itemDepth) {
            if (!this.itemNeedsComma) this.unexpected(buf, i);
            this.itemNeedsComma = false;
            this.itemAfterComma = true;
          }
          break;
        }
        case 0x3a: // :
          if (stack.length === 0) this.unexpected(buf, i);
          break;
        default: {
          const depth = stack.length;
          if (depth === 0) {
            if (c === 0x3d && this.base + i === this.lineStart && this.onLogBlock && this.looksLikeLogStart(buf, i)) {
              this.mode = Mode.LogHeader;
              this.headerPieces = [];
              this.logHeaderLine = this.line;
              return i;
            }
            this.unexpected(buf, i);
          }
          if (depth === this.itemDepth) {
            // a scalar list element (not a Kubernetes object, not kept): only check the separators around it
            const at = this.base + i;
            if (at !== this.scalarEnd + 1) {
              if (this.itemNeedsComma) this.unexpected(buf, i);
              this.itemNeedsComma = true;
              this.itemAfterComma = false;
            }
            this.scalarEnd = at;
          }
        }
      }
    }
    return n;
  }

  /** Skips string content from i; returns the index after the closing quote, or -1 when the chunk ends inside the string. */
  private skipString(buf: Buffer, from: number): number {
    let p = from;
    if (this.pendingEscape) {
      p++;
      this.pendingEscape = false;
    }
    const keyPieces = this.keyPieces;
    const keyFrom = from;
    for (;;) {
      const q = buf.indexOf(0x22, p);
      if (q < 0) {
        let k = buf.length - 1;
        let run = 0;
        while (k >= p && buf[k] === 0x5c) {
          run++;
          k--;
        }
        this.pendingEscape = run % 2 === 1;
        if (keyPieces) keyPieces.push(buf.subarray(keyFrom));
        return -1;
      }
      let k = q - 1;
      let run = 0;
      while (k >= p && buf[k] === 0x5c) {
        run++;
        k--;
      }
      if (run % 2 === 0) {
        this.inString = false;
        if (keyPieces) {
          keyPieces.push(buf.subarray(keyFrom, q));
          const raw = concat(keyPieces).toString("utf8");
          this.lastKey = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
          this.keyPieces = undefined;
        }
        return q + 1;
      }
      p = q + 1;
    }
  }

  private topLevelStarts(buf: Buffer, i: number, isObject: boolean): void {
    this.values++;
    this.valueLine = this.line;
    this.hadItems = false;
    this.items = [];
    this.lastKey = "";
    if (isObject) {
      this.skeletonOn = true;
      this.skeletonStart = i;
      this.skeletonPieces = [];
      this.skeletonLine = this.line;
      this.skeletonColumn = this.base + i - this.lineStart + 1;
    } else {
      // a top-level array: its elements are the items
      this.itemDepth = 1;
      this.itemNeedsComma = false;
      this.itemAfterComma = false;
      this.hadItems = true;
    }
  }

  private skeletonLine = 1;
  private skeletonColumn = 1;

  private topLevelEnds(buf: Buffer, end: number): void {
    let skeleton: Record<string, unknown> | undefined;
    if (this.skeletonOn) {
      this.skeletonPieces.push(buf.subarray(this.skeletonStart, end));
      this.skeletonOn = false;
      skeleton = this.parse(concat(this.skeletonPieces), this.skeletonLine, this.skeletonColumn) as Record<string, unknown>;
      this.skeletonPieces = [];
      if (this.values === 1 && typeof skeleton.kind === "string") this.firstKind = skeleton.kind;
    }
    const items = this.hadItems ? this.items : undefined;
    this.items = [];
    this.hadItems = false;
    this.onValue({ skeleton, items, line: this.valueLine });
  }

  private itemValueStarts(buf: Buffer, i: number, container: boolean): void {
    if (this.itemNeedsComma) this.unexpected(buf, i);
    this.itemNeedsComma = true;
    this.itemAfterComma = false;
    if (!container) return; // a string element: not a Kubernetes object, not kept
    this.capturing = true;
    this.captureStart = i;
    this.capturePieces = [];
    this.captureLine = this.line;
    this.captureColumn = this.base + i - this.lineStart + 1;
  }

  private itemValueEnds(buf: Buffer, end: number): void {
    this.capturePieces.push(buf.subarray(this.captureStart, end));
    this.capturing = false;
    this.items.push(this.parse(concat(this.capturePieces), this.captureLine, this.captureColumn));
    this.capturePieces = [];
  }

  private parse(bytes: Buffer, line: number, column: number): unknown {
    const text = bytes.toString("utf8");
    try {
      return JSON.parse(text);
    } catch (e) {
      const at = locateJsonError(text);
      if (!at) throw e;
      const pos = lineColumnAt(text, at.index, line, column);
      throw new JsonSyntaxError(at.message, pos.line, pos.column);
    }
  }

  // ------------------------------------------------------------ cluster-info dump log blocks

  private looksLikeLogStart(buf: Buffer, i: number): boolean {
    // The prefix may be cut by the chunk end; the header line is checked in full later.
    const len = Math.min(START_PREFIX.length, buf.length - i);
    return buf.compare(START_PREFIX, 0, len, i, i + len) === 0;
  }

  private readLogHeader(buf: Buffer, i: number): number {
    const nl = buf.indexOf(0x0a, i);
    if (nl < 0) {
      this.headerPieces.push(buf.subarray(i));
      return buf.length;
    }
    this.headerPieces.push(buf.subarray(i, nl));
    this.finishLogHeader(this.base + i);
    this.line++;
    this.lineStart = this.base + nl + 1;
    return nl + 1;
  }

  private finishLogHeader(at: number): void {
    const header = concat(this.headerPieces).toString("utf8");
    this.headerPieces = [];
    const m = START_LINE.exec(header);
    if (!m) this.error(`Unexpected token '=' (not a "==== START logs for container C of pod NS/POD ====" line)`, at);
    const [, container, namespace, pod] = m;
    this.log = {
      container: container!,
      namespace: namespace!,
      pod: pod!,
      marker: Buffer.from(`==== END logs for container ${container} of pod ${namespace}/${pod} ====`),
      pieces: [],
      kept: 0,
      dropped: false,
    };
    this.mode = Mode.LogBody;
  }

  /** Collects log text up to the END line; kubectl writes END right after the log bytes, so it may follow text on the same line. */
  private readLogBody(buf: Buffer, i: number): number {
    const log = this.log!;
    const marker = log.marker;
    const part = buf.subarray(i);
    const overlap = Math.min(marker.length - 1, log.kept);
    const window = overlap > 0 ? Buffer.concat([tailBytes(log.pieces, overlap), part]) : part;
    const found = window.indexOf(marker);
    if (found < 0) {
      this.line += countNewlines(part);
      const nl = part.lastIndexOf(0x0a);
      if (nl >= 0) this.lineStart = this.base + i + nl + 1;
      this.appendLog(part);
      return buf.length;
    }
    // marker starts `found - overlap` bytes into part (negative: inside text already kept)
    const markerInPart = found - overlap;
    const markerEnd = markerInPart + marker.length; // index in part just after the marker
    if (markerInPart > 0) this.appendLog(part.subarray(0, markerInPart));
    else if (markerInPart < 0) this.trimLog(-markerInPart);
    this.line += countNewlines(part, 0, markerEnd);
    const nlBefore = part.subarray(0, markerEnd).lastIndexOf(0x0a);
    if (nlBefore >= 0) this.lineStart = this.base + i + nlBefore + 1;
    const text = concat(log.pieces).toString("utf8");
    this.logBlocks++;
    this.onLogBlock!({ namespace: log.namespace, pod: log.pod, container: log.container, text, truncated: log.dropped, line: this.logHeaderLine });
    this.log = undefined;
    this.mode = Mode.Json;
    return i + markerEnd;
  }

  private appendLog(part: Buffer): void {
    const log = this.log!;
    if (part.length === 0) return;
    log.pieces.push(part);
    log.kept += part.length;
    // keep the tail: drop whole pieces from the front while what remains is still over the limit
    while (log.kept - log.pieces[0]!.length >= this.maxLogBytes + log.marker.length) {
      log.kept -= log.pieces.shift()!.length;
      log.dropped = true;
    }
  }

  /** Removes the last `count` bytes of kept log text (the start of the END marker). */
  private trimLog(count: number): void {
    const log = this.log!;
    let left = count;
    while (left > 0 && log.pieces.length > 0) {
      const last = log.pieces[log.pieces.length - 1]!;
      if (last.length <= left) {
        log.pieces.pop();
        left -= last.length;
      } else {
        log.pieces[log.pieces.length - 1] = last.subarray(0, last.length - left);
        left = 0;
      }
    }
    log.kept -= count;
  }
}

function tailBytes(pieces: Buffer[], count: number): Buffer {
  const out: Buffer[] = [];
  let left = count;
  for (let p = pieces.length - 1; p >= 0 && left > 0; p--) {
    const piece = pieces[p]!;
    if (piece.length <= left) {
      out.unshift(piece);
      left -= piece.length;
    } else {
      out.unshift(piece.subarray(piece.length - left));
      left = 0;
    }
  }
  return Buffer.concat(out);
}
