// Builds capture files byte by byte for tests and the benchmark: libpcap and pcapng containers, Ethernet/SLL/
// SLL2/loopback framing, IPv4/IPv6 (with options, extension headers, fragments), TCP, UDP and DNS messages.
// Checksums are left zero: the reader does not verify them (tcpdump captures with offload carry bad ones too).

export interface FrameSpec {
  /** Seconds since the epoch (fractional) or exact seconds + nanoseconds. */
  time: number | { sec: number; nsec: number };
  data: Uint8Array;
  /** Original length on the wire (default: data length). */
  wireLength?: number;
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

function split(time: FrameSpec["time"]): { sec: number; nsec: number } {
  if (typeof time !== "number") return time;
  const sec = Math.floor(time);
  return { sec, nsec: Math.round((time - sec) * 1e9) };
}

/** A libpcap file. */
export function buildPcap(frames: readonly FrameSpec[], options: { linkType?: number; nanos?: boolean; bigEndian?: boolean; snapLength?: number } = {}): Uint8Array {
  const little = !options.bigEndian;
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, options.nanos ? 0xa1b23c4d : 0xa1b2c3d4, little);
  header.setUint16(4, 2, little);
  header.setUint16(6, 4, little);
  header.setUint32(16, options.snapLength ?? 262144, little);
  header.setUint32(20, options.linkType ?? 1, little);
  const parts: Uint8Array[] = [new Uint8Array(header.buffer)];
  for (const f of frames) {
    const t = split(f.time);
    const rec = new DataView(new ArrayBuffer(16));
    rec.setUint32(0, t.sec, little);
    rec.setUint32(4, options.nanos ? t.nsec : Math.round(t.nsec / 1000), little);
    rec.setUint32(8, f.data.length, little);
    rec.setUint32(12, f.wireLength ?? f.data.length, little);
    parts.push(new Uint8Array(rec.buffer), f.data);
  }
  return concat(parts);
}

export interface PcapngInterface {
  linkType: number;
  /** if_tsresol byte: 6 = microseconds (default), 9 = nanoseconds, 0x80|n = 2^-n. */
  tsresol?: number;
  snapLength?: number;
}

export type PcapngPacket = FrameSpec & { interfaceId?: number; simple?: boolean };

function block(type: number, body: Uint8Array, little: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, little);
  v.setUint32(4, total, little);
  out.set(body, 8);
  v.setUint32(total - 4, total, little);
  return out;
}

/** One pcapng section (SHB + IDBs + packets); concatenate sections for a multi-section file. */
export function buildPcapngSection(interfaces: readonly PcapngInterface[], packets: readonly PcapngPacket[], options: { bigEndian?: boolean } = {}): Uint8Array {
  const little = !options.bigEndian;
  const shb = new DataView(new ArrayBuffer(16));
  shb.setUint32(0, 0x1a2b3c4d, little);
  shb.setUint16(4, 1, little);
  shb.setUint16(6, 0, little);
  shb.setBigInt64(8, -1n, little);
  const parts: Uint8Array[] = [block(0x0a0d0d0a, new Uint8Array(shb.buffer), little)];
  for (const iface of interfaces) {
    const body = new DataView(new ArrayBuffer(iface.tsresol === undefined ? 8 : 8 + 8 + 4));
    body.setUint16(0, iface.linkType, little);
    body.setUint32(4, iface.snapLength ?? 0, little);
    if (iface.tsresol !== undefined) {
      body.setUint16(8, 9, little);
      body.setUint16(10, 1, little);
      body.setUint8(12, iface.tsresol);
      // opt_endofopt
    }
    parts.push(block(1, new Uint8Array(body.buffer), little));
  }
  for (const p of packets) {
    if (p.simple) {
      const body = new Uint8Array(4 + p.data.length);
      new DataView(body.buffer).setUint32(0, p.wireLength ?? p.data.length, little);
      body.set(p.data, 4);
      parts.push(block(3, body, little));
      continue;
    }
    const iface = interfaces[p.interfaceId ?? 0]!;
    const r = iface.tsresol ?? 6;
    const unitsPerSecond = r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r);
    const t = split(p.time);
    const ts = BigInt(t.sec) * unitsPerSecond + (BigInt(t.nsec) * unitsPerSecond) / 1_000_000_000n;
    const body = new Uint8Array(20 + p.data.length);
    const v = new DataView(body.buffer);
    v.setUint32(0, p.interfaceId ?? 0, little);
    v.setUint32(4, Number(ts >> 32n), little);
    v.setUint32(8, Number(ts & 0xffffffffn), little);
    v.setUint32(12, p.data.length, little);
    v.setUint32(16, p.wireLength ?? p.data.length, little);
    body.set(p.data, 20);
    parts.push(block(6, body, little));
  }
  return concat(parts);
}

const ipv4Bytes = (ip: string): number[] => ip.split(".").map(Number);
function ipv6Bytes(ip: string): number[] {
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

export function ethernet(payload: Uint8Array, etherType = 0x0800, vlans: readonly number[] = []): Uint8Array {
  const head = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  for (const vlan of vlans) head.push(0x81, 0x00, vlan >> 8, vlan & 0xff);
  head.push(etherType >> 8, etherType & 0xff);
  return concat([Uint8Array.from(head), payload]);
}

/** Linux cooked capture v1 (16 bytes, protocol at 14) or v2 (20 bytes, protocol at 0). */
export function linuxCooked(payload: Uint8Array, version: 1 | 2, etherType = 0x0800): Uint8Array {
  const head = new Uint8Array(version === 1 ? 16 : 20);
  if (version === 1) {
    head[14] = etherType >> 8;
    head[15] = etherType & 0xff;
  } else {
    head[0] = etherType >> 8;
    head[1] = etherType & 0xff;
  }
  return concat([head, payload]);
}

/** BSD loopback (LINKTYPE_NULL): address family in the capturing host's byte order. */
export function loopback(payload: Uint8Array, family: number, littleEndian = true): Uint8Array {
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, family, littleEndian);
  return concat([head, payload]);
}

export interface Ipv4Spec {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  id?: number;
  /** Bytes of options (padded to 4 by the caller). */
  options?: readonly number[];
  moreFragments?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragmentOffset?: number;
  /** Total length override (e.g. larger than the payload, as when a capture cut it). */
  totalLength?: number;
}

export function ipv4(spec: Ipv4Spec): Uint8Array {
  const options = spec.options ?? [];
  const ihl = 20 + options.length;
  const head = new Uint8Array(ihl);
  const v = new DataView(head.buffer);
  head[0] = 0x40 | (ihl / 4);
  v.setUint16(2, spec.totalLength ?? ihl + spec.payload.length);
  v.setUint16(4, spec.id ?? 0);
  v.setUint16(6, (spec.moreFragments ? 0x2000 : 0) | ((spec.fragmentOffset ?? 0) / 8));
  head[8] = 64;
  head[9] = spec.protocol;
  head.set(ipv4Bytes(spec.src), 12);
  head.set(ipv4Bytes(spec.dst), 16);
  head.set(options, 20);
  return concat([head, spec.payload]);
}

/** IPv6 with optional extension headers, each `{ type, body }` where body excludes next-header/length. */
export function ipv6(spec: { src: string; dst: string; protocol: number; payload: Uint8Array; extensions?: readonly { type: number; body: readonly number[] }[] }): Uint8Array {
  const ext = spec.extensions ?? [];
  const chain: Uint8Array[] = [];
  for (let i = 0; i < ext.length; i++) {
    const next = i + 1 < ext.length ? ext[i + 1]!.type : spec.protocol;
    const e = ext[i]!;
    if (e.type === 44) {
      chain.push(Uint8Array.from([next, 0, ...e.body]));
    } else {
      const len = 2 + e.body.length;
      chain.push(Uint8Array.from([next, len / 8 - 1, ...e.body]));
    }
  }
  const payload = concat([...chain, spec.payload]);
  const head = new Uint8Array(40);
  const v = new DataView(head.buffer);
  head[0] = 0x60;
  v.setUint16(4, payload.length);
  head[6] = ext.length ? ext[0]!.type : spec.protocol;
  head[7] = 64;
  head.set(ipv6Bytes(spec.src), 8);
  head.set(ipv6Bytes(spec.dst), 24);
  return concat([head, payload]);
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export function tcp(spec: { sport: number; dport: number; seq: number; ack?: number; flags: number; window?: number; windowScale?: number; mss?: number; payload?: Uint8Array }): Uint8Array {
  const options: number[] = [];
  if (spec.mss !== undefined) options.push(2, 4, spec.mss >> 8, spec.mss & 0xff);
  if (spec.windowScale !== undefined) options.push(1, 3, 3, spec.windowScale);
  const hlen = 20 + options.length;
  const head = new Uint8Array(hlen);
  const v = new DataView(head.buffer);
  v.setUint16(0, spec.sport);
  v.setUint16(2, spec.dport);
  v.setUint32(4, spec.seq >>> 0);
  v.setUint32(8, (spec.ack ?? 0) >>> 0);
  head[12] = (hlen / 4) << 4;
  head[13] = spec.flags;
  v.setUint16(14, spec.window ?? 65535);
  head.set(options, 20);
  return concat([head, spec.payload ?? new Uint8Array(0)]);
}

export function udp(spec: { sport: number; dport: number; payload: Uint8Array }): Uint8Array {
  const head = new Uint8Array(8);
  const v = new DataView(head.buffer);
  v.setUint16(0, spec.sport);
  v.setUint16(2, spec.dport);
  v.setUint16(4, 8 + spec.payload.length);
  return concat([head, spec.payload]);
}

function dnsName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split(".").filter(Boolean)) out.push(label.length, ...[...label].map((c) => c.charCodeAt(0)));
  out.push(0);
  return out;
}

/** A DNS query or response with one question; a response with answers carries that many A records (compressed names). */
export function dnsMessage(spec: { id: number; name: string; qtype?: number; response?: boolean; rcode?: number; answers?: number }): Uint8Array {
  const answers = spec.answers ?? 0;
  const head = [spec.id >> 8, spec.id & 0xff, spec.response ? 0x81 : 0x01, spec.response ? 0x80 | (spec.rcode ?? 0) : 0, 0, 1, 0, answers, 0, 0, 0, 0];
  const question = [...dnsName(spec.name), 0, spec.qtype ?? 1, 0, 1];
  const records: number[] = [];
  for (let i = 0; i < answers; i++) records.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 96, 0, i + 1);
  return Uint8Array.from([...head, ...question, ...records]);
}
