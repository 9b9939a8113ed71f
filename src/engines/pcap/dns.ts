// DNS message header and question parsing (RFC 1035 section 4.1, name compression 4.1.4), enough to pair
// queries with responses and read their result codes.

export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  /** RCODE (RFC 1035 4.1.1; 3 = NXDOMAIN, 2 = SERVFAIL). */
  rcode: number;
  truncated: boolean;
  /** First question: lower-cased name without the trailing dot ("." for the root), and QTYPE. */
  name?: string;
  qtype?: number;
  answers: number;
}

export const RCODE_NAMES: Record<number, string> = { 0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED" };
export const QTYPE_NAMES: Record<number, string> = { 1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 65: "HTTPS", 255: "ANY" };

/** Parses a DNS message; undefined when it is too short or its question is malformed. */
export function parseDnsMessage(d: Uint8Array): DnsMessage | undefined {
  if (d.length < 12) return undefined;
  const flags = (d[2]! << 8) | d[3]!;
  const message: DnsMessage = {
    id: (d[0]! << 8) | d[1]!,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    truncated: (flags & 0x0200) !== 0,
    rcode: flags & 0xf,
    answers: (d[6]! << 8) | d[7]!,
  };
  const questions = (d[4]! << 8) | d[5]!;
  if (questions > 0) {
    const name = readName(d, 12);
    if (!name) return undefined;
    if (name.end + 4 <= d.length) message.qtype = (d[name.end]! << 8) | d[name.end + 1]!;
    message.name = name.text;
  }
  return message;
}

function readName(d: Uint8Array, start: number): { text: string; end: number } | undefined {
  const labels: string[] = [];
  let p = start;
  let end = -1;
  for (let jumps = 0; jumps < 64; ) {
    if (p >= d.length) return undefined;
    const len = d[p]!;
    if (len === 0) {
      if (end < 0) end = p + 1;
      return { text: labels.length ? labels.join(".").toLowerCase() : ".", end };
    }
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= d.length) return undefined;
      if (end < 0) end = p + 2;
      p = ((len & 0x3f) << 8) | d[p + 1]!;
      jumps++;
      continue;
    }
    if (len > 63 || p + 1 + len > d.length) return undefined;
    let label = "";
    for (let i = p + 1; i <= p + len; i++) label += String.fromCharCode(d[i]!);
    labels.push(label);
    p += 1 + len;
  }
  return undefined; // a compression loop
}
