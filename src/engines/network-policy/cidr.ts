// Exact IPv4/IPv6 address and CIDR arithmetic for NetworkPolicy ipBlock (networking.k8s.io/v1
// IPBlock.cidr / except), on BigInt so that IPv6 needs no approximation.

/** An address family. */
export type IpFamily = 4 | 6;

/** A parsed address: its family and its value as an unsigned integer. */
export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

/** A parsed CIDR: the inclusive range of addresses it covers. */
export interface IpRange {
  family: IpFamily;
  start: bigint;
  end: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Go's net.ParseIP (since 1.17) rejects leading zeros, which older versions read as octal.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  // An embedded dotted IPv4 tail (::ffff:10.0.0.1) is two 16-bit groups.
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] | undefined => (s === "" ? [] : s.split(":"));
  const left = groupsOf(halves[0]!);
  const right = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!left || !right) return undefined;
  const given = left.length + right.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...left, ...Array<string>(8 - given).fill("0"), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses an IPv4 or IPv6 address; undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(":")) {
    const value = parseIpv6(trimmed);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(trimmed);
  return value === undefined ? undefined : { family: 4, value };
}

/**
 * Parses a CIDR as net.ParseCIDR does: address/prefix, prefix within the family's width. Host bits
 * are masked off (10.1.2.3/8 covers 10.0.0.0-10.255.255.255), which is how net.ParseCIDR's IPNet
 * and therefore every CNI reads it; the API server's stricter validation is not repeated here.
 */
export function parseCidr(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!address || !/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const bits = address.family === 4 ? 32n : 128n;
  const prefix = BigInt(prefixText);
  if (prefix > bits) return undefined;
  const hostMask = (1n << (bits - prefix)) - 1n;
  const start = address.value & ~hostMask;
  return { family: address.family, start, end: start | hostMask };
}

/** Whether the range holds the address (families must agree: 10.0.0.0/8 never holds an IPv6 address). */
export function rangeContains(range: IpRange, address: IpAddress): boolean {
  return range.family === address.family && address.value >= range.start && address.value <= range.end;
}

/** Formats an address value of a family (IPv6 in full, uncompressed lower-case groups). */
export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  return groups.join(":");
}
