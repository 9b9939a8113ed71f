// Decodes captured frames: link layer (Ethernet + VLAN tags, Linux cooked SLL/SLL2, raw IP, BSD loopback/null)
// -> IPv4 (options, fragments reassembled) / IPv6 (extension headers, fragments reassembled) -> TCP / UDP.
import type { DecodedPacket, TcpHeader } from "../../model/packet.js";
import type { CaptureRecord } from "./container.js";

/** Link types decoded (https://www.tcpdump.org/linktypes.html). */
export const LINK_TYPES: Record<number, string> = {
  0: "NULL (BSD loopback)",
  1: "ETHERNET",
  101: "RAW (IP)",
  108: "LOOP (OpenBSD loopback)",
  113: "LINUX_SLL",
  228: "IPV4",
  229: "IPV6",
  276: "LINUX_SLL2",
};

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
/** Fragmented datagrams waiting for their other pieces; past this many the oldest is dropped. */
const MAX_PENDING_DATAGRAMS = 4096;

interface Fragment {
  offset: number;
  data: Uint8Array;
  frame: number;
}
interface PendingDatagram {
  fragments: Fragment[];
  /** Total payload length, known once the last fragment (MF=0) arrived. */
  total?: number;
  /** Header fields of the first fragment (offset 0) that the upper layer needs. */
  firstSeen: boolean;
}

/** Stateful because of fragment reassembly: one decoder per capture file. */
export class PacketDecoder {
  private pending = new Map<string, PendingDatagram>();
  /** Fragments of datagrams never completed (dropped when the table was full or left at the end). */
  droppedDatagrams = 0;

  decode(record: CaptureRecord): DecodedPacket {
    const packet: DecodedPacket = { frame: record.frame, time: record.time, wireLength: record.wireLength, capturedLength: record.data.length };
    const d = record.data;
    let at: number;
    let etherType: number;
    switch (record.linkType) {
      case 1: {
        if (d.length < 14) return note(packet, "truncated Ethernet header");
        etherType = (d[12]! << 8) | d[13]!;
        at = 14;
        while (VLAN_TAGS.has(etherType)) {
          if (d.length < at + 4) return note(packet, "truncated VLAN tag");
          etherType = (d[at + 2]! << 8) | d[at + 3]!;
          at += 4;
        }
        if (etherType < 0x0600) return note(packet, "IEEE 802.3 length frame (LLC), not IP");
        break;
      }
      case 113:
        if (d.length < 16) return note(packet, "truncated Linux cooked (SLL) header");
        etherType = (d[14]! << 8) | d[15]!;
        at = 16;
        break;
      case 276:
        if (d.length < 20) return note(packet, "truncated Linux cooked v2 (SLL2) header");
        etherType = (d[0]! << 8) | d[1]!;
        at = 20;
        break;
      case 101:
      case 228:
      case 229:
        etherType = d.length > 0 && d[0]! >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
        at = 0;
        break;
      case 0:
      case 108: {
        if (d.length < 4) return note(packet, "truncated loopback header");
        // NULL: the address family in the capturing host's byte order; LOOP: network byte order.
        const be = (d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!;
        const family = record.linkType === 108 || (d[0] === 0 && d[1] === 0) ? be : d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24);
        // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
        if (family === 2) etherType = ETHERTYPE_IPV4;
        else if (family === 10 || family === 24 || family === 28 || family === 30) etherType = ETHERTYPE_IPV6;
        else return note(packet, `loopback address family ${family}, not IP`);
        at = 4;
        break;
      }
      default:
        return note(packet, `link type ${record.linkType} is not decoded`);
    }
    if (etherType === ETHERTYPE_IPV4) this.decodeIpv4(packet, d, at);
    else if (etherType === ETHERTYPE_IPV6) this.decodeIpv6(packet, d, at);
    else note(packet, `ethertype 0x${etherType.toString(16).padStart(4, "0")}, not IP`);
    return packet;
  }

  /** Datagrams still waiting for fragments when the capture ends. */
  incompleteDatagrams(): number {
    return this.pending.size;
  }

  private decodeIpv4(packet: DecodedPacket, d: Uint8Array, at: number): void {
    if (d.length < at + 20) return void note(packet, "truncated IPv4 header");
    if (d[at]! >> 4 !== 4) return void note(packet, "bad IPv4 version");
    const ihl = (d[at]! & 0x0f) * 4;
    if (ihl < 20 || d.length < at + ihl) return void note(packet, "bad or truncated IPv4 header length");
    const totalLength = (d[at + 2]! << 8) | d[at + 3]!;
    const protocol = d[at + 9]!;
    const src = `${d[at + 12]}.${d[at + 13]}.${d[at + 14]}.${d[at + 15]}`;
    const dst = `${d[at + 16]}.${d[at + 17]}.${d[at + 18]}.${d[at + 19]}`;
    packet.ip = { version: 4, src, dst, protocol };
    // Total length 0 happens with TCP segmentation offload on the capturing host: trust the captured bytes.
    const reported = totalLength >= ihl ? totalLength - ihl : Math.max(0, d.length - at - ihl);
    const payloadStart = at + ihl;
    const payload = d.subarray(payloadStart, Math.min(d.length, payloadStart + reported));
    const flagsOffset = (d[at + 6]! << 8) | d[at + 7]!;
    const moreFragments = (flagsOffset & 0x2000) !== 0;
    const fragmentOffset = (flagsOffset & 0x1fff) * 8;
    if (moreFragments || fragmentOffset > 0) {
      const id = (d[at + 4]! << 8) | d[at + 5]!;
      const whole = this.reassemble(packet, `4|${src}|${dst}|${id}|${protocol}`, fragmentOffset, moreFragments, payload, reported);
      if (!whole) return;
      this.decodeTransport(packet, protocol, whole, 0, whole.length);
      return;
    }
    this.decodeTransport(packet, protocol, d, payloadStart, reported);
  }

  private decodeIpv6(packet: DecodedPacket, d: Uint8Array, at: number): void {
    if (d.length < at + 40) return void note(packet, "truncated IPv6 header");
    if (d[at]! >> 4 !== 6) return void note(packet, "bad IPv6 version");
    let reported = (d[at + 4]! << 8) | d[at + 5]!;
    if (reported === 0) reported = Math.max(0, d.length - at - 40); // jumbogram or offload: the captured bytes
    let next = d[at + 6]!;
    const src = ipv6Text(d, at + 8);
    const dst = ipv6Text(d, at + 24);
    let p = at + 40;
    let fragment: { offset: number; more: boolean; id: number } | undefined;
    // Extension headers (RFC 8200 section 4): hop-by-hop 0, routing 43, fragment 44, destination options 60, AH 51.
    for (;;) {
      if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
        if (d.length < p + 2) return void note(packet, "truncated IPv6 extension header");
        const len = (d[p + 1]! + 1) * 8;
        next = d[p]!;
        p += len;
        reported -= len;
      } else if (next === 51) {
        if (d.length < p + 2) return void note(packet, "truncated IPv6 AH header");
        const len = (d[p + 1]! + 2) * 4;
        next = d[p]!;
        p += len;
        reported -= len;
      } else if (next === 44) {
        if (d.length < p + 8) return void note(packet, "truncated IPv6 fragment header");
        const off = ((d[p + 2]! << 8) | d[p + 3]!) & 0xfff8;
        fragment = { offset: off, more: (d[p + 3]! & 1) === 1, id: ((d[p + 4]! << 24) | (d[p + 5]! << 16) | (d[p + 6]! << 8) | d[p + 7]!) >>> 0 };
        next = d[p]!;
        p += 8;
        reported -= 8;
        break;
      } else break;
      if (reported < 0) return void note(packet, "IPv6 extension headers longer than the payload");
    }
    packet.ip = { version: 6, src, dst, protocol: next };
    if (next === 50) return void note(packet, "ESP-encrypted payload");
    if (fragment && (fragment.more || fragment.offset > 0)) {
      const payload = d.subarray(p, Math.min(d.length, p + Math.max(0, reported)));
      const whole = this.reassemble(packet, `6|${src}|${dst}|${fragment.id}`, fragment.offset, fragment.more, payload, Math.max(0, reported));
      if (!whole) return;
      this.decodeTransport(packet, next, whole, 0, whole.length);
      return;
    }
    this.decodeTransport(packet, next, d, p, Math.max(0, reported));
  }

  /** Keeps a fragment; returns the whole payload on the frame that completes the datagram. */
  private reassemble(packet: DecodedPacket, key: string, offset: number, more: boolean, payload: Uint8Array, reported: number): Uint8Array | undefined {
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= MAX_PENDING_DATAGRAMS) {
        const oldest = this.pending.keys().next().value as string;
        this.pending.delete(oldest);
        this.droppedDatagrams++;
      }
      entry = { fragments: [], firstSeen: false };
      this.pending.set(key, entry);
    }
    if (payload.length < reported) {
      // A fragment cut by the snapshot length can never be reassembled byte-exact.
      note(packet, "IP fragment cut by the capture's snapshot length");
    }
    entry.fragments.push({ offset, data: payload.slice(), frame: packet.frame });
    if (offset === 0) entry.firstSeen = true;
    if (!more) entry.total = offset + reported;
    if (entry.total === undefined || !entry.firstSeen) return fragmentNote(packet);
    const sorted = [...entry.fragments].sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const f of sorted) {
      if (f.offset > covered) return fragmentNote(packet);
      covered = Math.max(covered, f.offset + f.data.length);
    }
    if (covered < entry.total) return fragmentNote(packet);
    const whole = new Uint8Array(entry.total);
    for (const f of sorted) whole.set(f.data.subarray(0, Math.max(0, Math.min(f.data.length, entry.total - f.offset))), f.offset);
    this.pending.delete(key);
    packet.ip!.reassembledFrom = [...new Set(sorted.map((f) => f.frame))].sort((a, b) => a - b);
    return whole;
  }

  private decodeTransport(packet: DecodedPacket, protocol: number, d: Uint8Array, at: number, reported: number): void {
    const end = Math.min(d.length, at + reported);
    if (protocol === 6) {
      if (end - at < 20) return void note(packet, "truncated TCP header");
      const headerLength = (d[at + 12]! >> 4) * 4;
      const tcp: TcpHeader = {
        seq: ((d[at + 4]! << 24) | (d[at + 5]! << 16) | (d[at + 6]! << 8) | d[at + 7]!) >>> 0,
        ack: ((d[at + 8]! << 24) | (d[at + 9]! << 16) | (d[at + 10]! << 8) | d[at + 11]!) >>> 0,
        flags: ((d[at + 12]! << 8) | d[at + 13]!) & 0x0fff,
        window: (d[at + 14]! << 8) | d[at + 15]!,
        headerLength,
        segmentLength: headerLength >= 20 && reported >= headerLength ? reported - headerLength : undefined,
        payload: headerLength >= 20 ? d.subarray(Math.min(end, at + headerLength), end) : new Uint8Array(0),
      };
      if (headerLength > 20) readTcpOptions(tcp, d, at + 20, Math.min(end, at + headerLength));
      packet.srcPort = (d[at]! << 8) | d[at + 1]!;
      packet.dstPort = (d[at + 2]! << 8) | d[at + 3]!;
      packet.tcp = tcp;
    } else if (protocol === 17) {
      if (end - at < 8) return void note(packet, "truncated UDP header");
      packet.srcPort = (d[at]! << 8) | d[at + 1]!;
      packet.dstPort = (d[at + 2]! << 8) | d[at + 3]!;
      const length = (d[at + 4]! << 8) | d[at + 5]!;
      packet.udp = { length, payload: d.subarray(at + 8, Math.min(end, at + Math.max(8, length))) };
    }
  }
}

function readTcpOptions(tcp: TcpHeader, d: Uint8Array, start: number, end: number): void {
  for (let o = start; o < end; ) {
    const kind = d[o]!;
    if (kind === 0) break;
    if (kind === 1) {
      o++;
      continue;
    }
    if (o + 1 >= end) break;
    const len = d[o + 1]!;
    if (len < 2 || o + len > end) break;
    if (kind === 2 && len === 4) tcp.mss = (d[o + 2]! << 8) | d[o + 3]!;
    // RFC 7323 2.3: a shift count above 14 is used as 14 (Wireshark does the same).
    else if (kind === 3 && len === 3) tcp.windowScale = Math.min(14, d[o + 2]!);
    o += len;
  }
}

function note(packet: DecodedPacket, text: string): DecodedPacket {
  packet.note = text;
  return packet;
}

function fragmentNote(packet: DecodedPacket): undefined {
  packet.note ??= "IP fragment (reassembled in a later frame)";
  return undefined;
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run (>= 2) of zero groups as "::". */
export function ipv6Text(d: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((d[at + 2 * i]! << 8) | d[at + 2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
