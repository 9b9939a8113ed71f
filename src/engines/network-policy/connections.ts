// Sets of connections (protocol × port ranges) that NetworkPolicy rules allow, with union and
// intersection; NetworkPolicyPort only governs TCP, UDP and SCTP over ports 1-65535.

/** The protocols a NetworkPolicyPort can name (networking.k8s.io/v1, default TCP). */
export type Protocol = "TCP" | "UDP" | "SCTP";

export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** Inclusive port interval. */
export type PortRange = readonly [number, number];

/** Allowed ports per protocol, each a sorted list of disjoint, non-adjacent intervals. */
export type ConnectionSet = Readonly<Record<Protocol, readonly PortRange[]>>;

export const NO_CONNECTIONS: ConnectionSet = { TCP: [], UDP: [], SCTP: [] };
export const ALL_CONNECTIONS: ConnectionSet = { TCP: [[MIN_PORT, MAX_PORT]], UDP: [[MIN_PORT, MAX_PORT]], SCTP: [[MIN_PORT, MAX_PORT]] };

function normalize(ranges: readonly PortRange[]): PortRange[] {
  const sorted = ranges.filter(([lo, hi]) => lo <= hi).map(([lo, hi]) => [Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)] as const).filter(([lo, hi]) => lo <= hi);
  sorted.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** A connection set of one protocol and some port ranges. */
export function connectionsOf(protocol: Protocol, ranges: readonly PortRange[]): ConnectionSet {
  return { ...NO_CONNECTIONS, [protocol]: normalize(ranges) };
}

export function unionConnections(a: ConnectionSet, b: ConnectionSet): ConnectionSet {
  return { TCP: normalize([...a.TCP, ...b.TCP]), UDP: normalize([...a.UDP, ...b.UDP]), SCTP: normalize([...a.SCTP, ...b.SCTP]) };
}

function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    const lo = Math.max(alo, blo);
    const hi = Math.min(ahi, bhi);
    if (lo <= hi) out.push([lo, hi]);
    if (ahi < bhi) i++;
    else j++;
  }
  return out;
}

export function intersectConnections(a: ConnectionSet, b: ConnectionSet): ConnectionSet {
  return { TCP: intersectRanges(a.TCP, b.TCP), UDP: intersectRanges(a.UDP, b.UDP), SCTP: intersectRanges(a.SCTP, b.SCTP) };
}

export function isEmptyConnections(set: ConnectionSet): boolean {
  return PROTOCOLS.every((p) => set[p].length === 0);
}

export function isAllConnections(set: ConnectionSet): boolean {
  return PROTOCOLS.every((p) => set[p].length === 1 && set[p][0]![0] === MIN_PORT && set[p][0]![1] === MAX_PORT);
}

export function equalConnections(a: ConnectionSet, b: ConnectionSet): boolean {
  return PROTOCOLS.every((p) => a[p].length === b[p].length && a[p].every(([lo, hi], i) => b[p][i]![0] === lo && b[p][i]![1] === hi));
}

export function containsConnection(set: ConnectionSet, protocol: Protocol, port: number): boolean {
  return set[protocol].some(([lo, hi]) => port >= lo && port <= hi);
}

/** "All Connections", "No Connections" or "TCP 53,8080-8090,UDP 53" (the form np-guard/netpol-analyzer prints). */
export function formatConnections(set: ConnectionSet): string {
  if (isAllConnections(set)) return "All Connections";
  if (isEmptyConnections(set)) return "No Connections";
  return PROTOCOLS.filter((p) => set[p].length > 0)
    .map((p) => `${p} ${set[p].map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(",")}`)
    .join(",");
}

/** Parses the form formatConnections prints; undefined when the text is not in that form. */
export function parseConnections(text: string): ConnectionSet | undefined {
  const trimmed = text.trim();
  if (trimmed === "All Connections") return ALL_CONNECTIONS;
  if (trimmed === "No Connections") return NO_CONNECTIONS;
  const sets: Record<Protocol, PortRange[]> = { TCP: [], UDP: [], SCTP: [] };
  let current: Protocol | undefined;
  for (const token of trimmed.split(",")) {
    const match = /^(?:(TCP|UDP|SCTP) )?([0-9]+)(?:-([0-9]+))?$/.exec(token.trim());
    if (!match) return undefined;
    if (match[1]) current = match[1] as Protocol;
    if (!current) return undefined;
    const lo = Number(match[2]);
    sets[current].push([lo, match[3] ? Number(match[3]) : lo]);
  }
  return { TCP: normalize(sets.TCP), UDP: normalize(sets.UDP), SCTP: normalize(sets.SCTP) };
}
