// Streaming reader of capture containers: libpcap (both byte orders, micro- and nanosecond magic) and
// pcapng (SHB/IDB/EPB/SPB/PB, several sections and interfaces, both byte orders). Pure: bytes in, records out.
// Formats: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html and draft-ietf-opsawg-pcapng.
import type { CaptureTime } from "../../model/packet.js";

/** One packet record: the bytes are a view valid until the next chunk is pushed. */
export interface CaptureRecord {
  /** 1-based, counting packet records only. */
  frame: number;
  /** Byte offset of the record (pcap: record header; pcapng: block) in the file. */
  offset: number;
  linkType: number;
  time: CaptureTime;
  wireLength: number;
  data: Uint8Array;
}

/** The file is not a capture, or is broken where nothing after it can be trusted. */
export class CaptureFormatError extends Error {
  readonly offset: number;
  constructor(offset: number, detail: string) {
    super(`at byte ${offset}: ${detail}`);
    this.name = "CaptureFormatError";
    this.offset = offset;
  }
}

/** Damage met after some records were read: the rest of the file is skipped. */
export interface CaptureDamage {
  offset: number;
  reason: string;
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** A record larger than this is corruption, not a packet (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD is 256 KiB; pcapng blocks hold options too). */
const MAX_RECORD = 16 * 1024 * 1024;

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second, as a number when exact (10^0..10^15, 2^0..2^52) else bigint. */
  unitsPerSecond: bigint;
  offsetSeconds: number;
}

/**
 * Incremental parser: feed chunks in file order with `push`, collect records from the generator, call
 * `finish` at the end. Throws CaptureFormatError when the file does not start as a capture; damage later on
 * ends the records and is reported by `damage`.
 */
export class CaptureParser {
  format: "pcap" | "pcapng" | undefined;
  damage: CaptureDamage | undefined;
  /** Records that could not be read whole (file cut in the middle of one). */
  truncatedRecords = 0;
  private buffer: Uint8Array = new Uint8Array(0);
  private bufferOffset = 0; // file offset of buffer[0]
  private position = 0; // parse position inside buffer
  /** Packet records read so far. */
  frames = 0;
  private little = true;
  private nanos = false;
  private linkType = 0;
  private interfaces: Interface[] = [];
  private stopped = false;

  /** Adds a chunk and yields every record that is now complete. */
  *push(chunk: Uint8Array): Generator<CaptureRecord> {
    if (this.stopped) return;
    const rest = this.buffer.length - this.position;
    if (rest === 0) {
      this.bufferOffset += this.buffer.length;
      this.buffer = chunk;
    } else {
      const joined = new Uint8Array(rest + chunk.length);
      joined.set(this.buffer.subarray(this.position), 0);
      joined.set(chunk, rest);
      this.bufferOffset += this.position;
      this.buffer = joined;
    }
    this.position = 0;
    yield* this.parse();
  }

  /** Call after the last chunk: a record cut by the end of the file is counted and reported. */
  finish(): void {
    if (this.stopped) return;
    const rest = this.buffer.length - this.position;
    const at = this.bufferOffset + this.position;
    if (this.format === undefined) {
      throw new CaptureFormatError(0, rest === 0 ? "empty file, not a pcap or pcapng capture" : `file too short for a capture header (${rest} bytes)`);
    }
    if (rest > 0) {
      this.truncatedRecords++;
      this.damage = { offset: at, reason: `file ends inside a ${this.format === "pcap" ? "packet record" : "block"} (${rest} bytes left): truncated capture` };
    }
  }

  private stop(offset: number, reason: string): void {
    if (this.frames === 0) throw new CaptureFormatError(offset, reason);
    this.damage = { offset, reason };
    this.stopped = true;
  }

  private *parse(): Generator<CaptureRecord> {
    const b = this.buffer;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (this.format === undefined) {
      if (b.length < 4) return;
      const magicBE = view.getUint32(0, false);
      const magicLE = view.getUint32(0, true);
      if (magicBE === PCAPNG_SHB) {
        this.format = "pcapng";
      } else if (magicBE === PCAP_MAGIC_US || magicBE === PCAP_MAGIC_NS || magicLE === PCAP_MAGIC_US || magicLE === PCAP_MAGIC_NS) {
        if (b.length < 24) return;
        this.little = magicLE === PCAP_MAGIC_US || magicLE === PCAP_MAGIC_NS;
        this.nanos = (this.little ? magicLE : magicBE) === PCAP_MAGIC_NS;
        // LinkType and FCS info share 32 bits: the link type is the low 16 (draft-ietf-opsawg-pcap section 4).
        this.linkType = view.getUint32(20, this.little) & 0xffff;
        this.format = "pcap";
        this.position = 24;
      } else if (magicBE === 0xa1b2cd34 || magicLE === 0xa1b2cd34) {
        throw new CaptureFormatError(0, "Kuznetzov's modified pcap format is not supported (convert with editcap -F pcap)");
      } else {
        throw new CaptureFormatError(0, `not a pcap or pcapng capture (first 4 bytes 0x${magicBE.toString(16).padStart(8, "0")})`);
      }
    }
    if (this.format === "pcap") yield* this.parsePcap(view);
    else yield* this.parsePcapng(view);
  }

  private *parsePcap(view: DataView): Generator<CaptureRecord> {
    const b = this.buffer;
    const little = this.little;
    while (!this.stopped && b.length - this.position >= 16) {
      const p = this.position;
      const includedLength = view.getUint32(p + 8, little);
      const wireLength = view.getUint32(p + 12, little);
      if (includedLength > MAX_RECORD) {
        this.stop(this.bufferOffset + p, `packet record ${this.frames + 1} claims ${includedLength} captured bytes: corrupt record header`);
        return;
      }
      if (b.length - p - 16 < includedLength) return;
      const sec = view.getUint32(p, little);
      const frac = view.getUint32(p + 4, little);
      this.frames++;
      this.position = p + 16 + includedLength;
      yield {
        frame: this.frames,
        offset: this.bufferOffset + p,
        linkType: this.linkType,
        time: { sec, nsec: this.nanos ? frac : frac * 1000 },
        wireLength,
        data: b.subarray(p + 16, p + 16 + includedLength),
      };
    }
  }

  private *parsePcapng(view: DataView): Generator<CaptureRecord> {
    const b = this.buffer;
    while (!this.stopped && b.length - this.position >= 12) {
      const p = this.position;
      const at = this.bufferOffset + p;
      let type = view.getUint32(p, this.little);
      if (view.getUint32(p, false) === PCAPNG_SHB) {
        // A new section: its byte-order magic decides the endianness of everything up to the next SHB.
        const bomBE = view.getUint32(p + 8, false);
        if (bomBE === PCAPNG_BOM) this.little = false;
        else if (view.getUint32(p + 8, true) === PCAPNG_BOM) this.little = true;
        else {
          this.stop(at, "pcapng section header with an unknown byte-order magic: corrupt file");
          return;
        }
        type = PCAPNG_SHB;
      }
      const length = view.getUint32(p + 4, this.little);
      if (length < 12 || length % 4 !== 0 || length > MAX_RECORD) {
        this.stop(at, `pcapng block of type 0x${type.toString(16)} has an invalid length ${length}: corrupt file`);
        return;
      }
      if (b.length - p < length) return;
      if (view.getUint32(p + length - 4, this.little) !== length) {
        this.stop(at, `pcapng block of type 0x${type.toString(16)}: the trailing length does not repeat the leading one (${length}): corrupt file`);
        return;
      }
      this.position = p + length;
      const body = p + 8;
      const bodyEnd = p + length - 4;
      switch (type) {
        case PCAPNG_SHB: {
          const major = view.getUint16(body + 4, this.little);
          if (major !== 1) {
            this.stop(at, `pcapng section version ${major} is not supported`);
            return;
          }
          this.interfaces = [];
          break;
        }
        case 1: {
          // Interface Description Block: link type, snap length, options (if_tsresol 9, if_tsoffset 14).
          const iface: Interface = { linkType: view.getUint16(body, this.little), snapLength: view.getUint32(body + 4, this.little), unitsPerSecond: 1_000_000n, offsetSeconds: 0 };
          for (let o = body + 8; o + 4 <= bodyEnd; ) {
            const code = view.getUint16(o, this.little);
            const len = view.getUint16(o + 2, this.little);
            if (code === 0) break;
            if (o + 4 + len > bodyEnd) break;
            if (code === 9 && len >= 1) {
              const r = b[o + 4]!;
              iface.unitsPerSecond = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r & 0x7f);
            } else if (code === 14 && len >= 8) {
              iface.offsetSeconds = Number(view.getBigInt64(o + 4, this.little));
            }
            o += 4 + ((len + 3) & ~3);
          }
          this.interfaces.push(iface);
          break;
        }
        case 6:
        case 2: {
          // Enhanced Packet Block (6), and the obsolete Packet Block (2) with a 16-bit interface id.
          const ifId = type === 6 ? view.getUint32(body, this.little) : view.getUint16(body, this.little);
          const iface = this.interfaces[ifId];
          if (!iface) {
            this.stop(at, `packet block refers to interface ${ifId}, but the section describes ${this.interfaces.length}: corrupt file`);
            return;
          }
          const hi = view.getUint32(body + 4, this.little);
          const lo = view.getUint32(body + 8, this.little);
          const captured = view.getUint32(body + 12, this.little);
          const wireLength = view.getUint32(body + 16, this.little);
          if (body + 20 + captured > bodyEnd) {
            this.stop(at, `packet block claims ${captured} captured bytes, more than the block holds: corrupt file`);
            return;
          }
          this.frames++;
          yield { frame: this.frames, offset: at, linkType: iface.linkType, time: toTime(hi, lo, iface), wireLength, data: b.subarray(body + 20, body + 20 + captured) };
          break;
        }
        case 3: {
          // Simple Packet Block: interface 0, no timestamp; captured = min(original, snaplen, what the block holds).
          const iface = this.interfaces[0];
          if (!iface) {
            this.stop(at, "simple packet block before any interface description: corrupt file");
            return;
          }
          const wireLength = view.getUint32(body, this.little);
          let captured = Math.min(wireLength, bodyEnd - body - 4);
          if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
          this.frames++;
          yield { frame: this.frames, offset: at, linkType: iface.linkType, time: { sec: 0, nsec: 0 }, wireLength, data: b.subarray(body + 4, body + 4 + captured) };
          break;
        }
        default:
          // Name resolution, statistics, decryption secrets, custom blocks: nothing to analyse here.
          break;
      }
    }
  }
}

function toTime(hi: number, lo: number, iface: Interface): CaptureTime {
  const units = iface.unitsPerSecond;
  if (units === 1_000_000n || units === 1_000_000_000n) {
    const u = Number(units);
    const total = hi * 4294967296 + lo;
    if (total <= Number.MAX_SAFE_INTEGER) {
      const sec = Math.floor(total / u);
      const rest = total - sec * u;
      return { sec: sec + iface.offsetSeconds, nsec: u === 1_000_000 ? rest * 1000 : rest };
    }
  }
  const total = (BigInt(hi) << 32n) | BigInt(lo);
  const sec = total / units;
  const rest = total % units;
  return { sec: Number(sec) + iface.offsetSeconds, nsec: Number((rest * 1_000_000_000n) / units) };
}
