// `kubesleuth pcap`: per-flow TCP health (Wireshark's tcp.analysis per frame), handshakes, resets, RTT and DNS
// outcomes of a capture, summarised per flow and turned into root-cause-oriented findings (case 6 of issue 4).
import type { CaptureTime, DecodedPacket } from "../model/packet.js";
import type { Evidence, Finding, InvestigationStep, Remediation, Report, Severity } from "../model/finding.js";
import { TCP_A, TcpAnalyzer, TH_ACK, TH_FIN, TH_RST, TH_SYN } from "../engines/pcap/tcp-analysis.js";
import { parseDnsMessage, QTYPE_NAMES, RCODE_NAMES } from "../engines/pcap/dns.js";

/**
 * A DNS query without a response this long after it is unanswered: glibc's resolver waits RES_TIMEOUT = 5 s
 * per try (resolv.conf `options timeout:5`, the default pods inherit), musl 5 s in total. A query less than
 * this old at the end of the capture is "pending", never counted as unanswered.
 */
export const DNS_TIMEOUT_SECONDS = 5;
/**
 * A SYN (or SYN/ACK) with no answer is "unanswered" once it was retransmitted, or the capture went on this long
 * after it: the initial retransmission timeout is 1 s (RFC 6298 2.1; Linux TCP_TIMEOUT_INIT), so a live sender
 * that got nothing has retransmitted by then.
 */
export const SYN_WAIT_SECONDS = 1;

export type HandshakeOutcome = "complete" | "refused" | "unanswered" | "syn-ack-unacknowledged" | "aborted-by-client" | "pending" | "not-captured";

export interface RttStats {
  samples: number;
  min: number;
  median: number;
  max: number;
}

/** What TCP and UDP flow summaries share: the two ends, the frames and the volume each way. */
export interface FlowSummary {
  /** "ip:port" ("[ip6]:port"). */
  client: string;
  server: string;
  firstFrame: number;
  lastFrame: number;
  /** Seconds since the first frame of the capture. */
  start: number;
  end: number;
  packets: { toServer: number; toClient: number };
  /** Frame bytes on the wire. */
  bytes: { toServer: number; toClient: number };
}

export interface TcpFlowSummary extends FlowSummary {
  stream: number;
  /** How client and server were told apart: the SYN, the SYN/ACK, or (handshake not captured) the lower port is the server. */
  rolesFrom: "syn" | "syn-ack" | "port";
  /** Frames flagged tcp.analysis.retransmission (including fast and spurious ones, as tshark counts). */
  retransmissions: number;
  fastRetransmissions: number;
  spuriousRetransmissions: number;
  /** Longest run of timeout retransmissions of the same segment (2 = it was sent three times). */
  maxRetransmissionRun: number;
  outOfOrder: number;
  lostSegments: number;
  ackedUnseen: number;
  duplicateAcks: number;
  zeroWindows: number;
  zeroWindowProbes: number;
  /** Longest time a side kept its window at zero (seconds; up to the end of the capture when it never reopened). */
  zeroWindowLongest: number;
  /** A side's window was still zero at its last frame. */
  zeroWindowUntilEnd: boolean;
  keepAlives: number;
  windowFull: number;
  resets: { frame: number; time: number; by: "client" | "server" }[];
  fins: number;
  handshake: HandshakeOutcome;
  synFrames: number[];
  synAckFrames: number[];
  /** tcp.analysis.initial_rtt: from the (last) SYN to the first ACK of the handshake, as seen at the capture point. */
  handshakeRtt?: number;
  /** tcp.analysis.ack_rtt over the frames of the flow (both directions). */
  ackRtt?: RttStats;
}

/** A UDP 5-tuple; the client is the first sender (a packet from port 53 is a DNS response, so its receiver). */
export type UdpFlowSummary = FlowSummary;

export type DnsStatus = "answered" | "nxdomain" | "servfail" | "error" | "unanswered" | "pending";

export interface DnsNameSummary {
  name: string;
  qtypes: string[];
  queries: number;
  answered: number;
  nxdomain: number;
  servfail: number;
  /** Other non-zero RCODEs (REFUSED, FORMERR...). */
  otherErrors: number;
  unanswered: number;
  pending: number;
  /** NXDOMAINs explained by search-list expansion (the same client resolved a shorter name it expands from). */
  searchListNxdomain: number;
  servers: string[];
  clients: string[];
}

export interface DnsTransaction {
  transport: "udp" | "tcp";
  client: string;
  server: string;
  id: number;
  name: string;
  qtype: string;
  frame: number;
  time: number;
  retries: number;
  response?: { frame: number; time: number; rcode: string; answers: number };
  status: DnsStatus;
}

export interface CaptureSummary {
  file: string;
  format: "pcap" | "pcapng";
  frames: number;
  /** Capture times of the first and last frame (RFC 3339), when the file has frames. */
  firstTime?: string;
  lastTime?: string;
  duration: number;
  /** Frames not decoded to TCP/UDP over IP, by reason. */
  undecoded: Record<string, number>;
  damage?: { offset: number; reason: string };
  /** Fragmented IP datagrams whose fragments never all arrived (their frames are counted in `undecoded`). */
  incompleteDatagrams: number;
  tcpStreams: number;
  tcp: TcpFlowSummary[];
  udp: UdpFlowSummary[];
  dns: { transactions: number; responsesWithoutQuery: number; names: DnsNameSummary[] };
}

interface TcpFlowState {
  summary: TcpFlowSummary;
  clientKey: string;
  rtts: number[];
  rtoSeq: [number, number];
  rtoRun: [number, number];
  clientAckAfterSynAck: boolean;
  clientRstAfterSynAck: boolean;
  lastSynTime: number;
  lastSynAckTime: number;
  synRetransmitted: boolean;
  synAckRetransmitted: boolean;
  zeroSince: [number | undefined, number | undefined];
  /** DNS over TCP: in-order reassembly buffer per direction (0 = from client). */
  dnsBuffers?: [{ next: number | undefined; data: Uint8Array }, { next: number | undefined; data: Uint8Array }];
  dnsTimes?: [number[], number[]];
}

const seconds = (t: CaptureTime): number => t.sec + t.nsec / 1e9;
const endpoint = (ip: string, port: number): string => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`);

/** Accumulates one capture file's packets (in order) into its summary; memory grows with flows, not packets. */
export class CaptureAnalysis {
  readonly tcpAnalyzer = new TcpAnalyzer();
  private readonly file: string;
  private frames = 0;
  private first: CaptureTime | undefined;
  private last: CaptureTime | undefined;
  private t0 = 0;
  private readonly undecoded: Record<string, number> = {};
  private readonly tcpFlows = new Map<number, TcpFlowState>();
  private readonly udpFlows = new Map<string, UdpFlowSummary>();
  private readonly dnsPending = new Map<string, DnsTransaction>();
  private readonly dnsDone: DnsTransaction[] = [];
  /** "transport client id name" -> key in dnsPending, for responses whose source differs from the query's destination. */
  private readonly dnsByClient = new Map<string, string>();
  private responsesWithoutQuery = 0;

  constructor(file: string) {
    this.file = file;
  }

  add(packet: DecodedPacket): void {
    this.frames++;
    if (!this.first) {
      this.first = packet.time;
      this.t0 = seconds(packet.time);
    }
    this.last = packet.time;
    const time = seconds(packet.time) - this.t0;
    if (packet.tcp) this.addTcp(packet, time);
    else if (packet.udp) this.addUdp(packet, time);
    else if (packet.note) this.undecoded[packet.note] = (this.undecoded[packet.note] ?? 0) + 1;
    else if (packet.ip) {
      const key = `IP protocol ${packet.ip.protocol}`;
      this.undecoded[key] = (this.undecoded[key] ?? 0) + 1;
    }
  }

  private addTcp(packet: DecodedPacket, time: number): void {
    const a = this.tcpAnalyzer.analyze(packet);
    if (!a) {
      const key = "TCP header not analysable (bad header length)";
      this.undecoded[key] = (this.undecoded[key] ?? 0) + 1;
      return;
    }
    const tcp = packet.tcp!;
    const src = endpoint(packet.ip!.src, packet.srcPort!);
    const dst = endpoint(packet.ip!.dst, packet.dstPort!);
    let state = this.tcpFlows.get(a.stream);
    const pureSyn = (tcp.flags & (TH_SYN | TH_ACK)) === TH_SYN;
    const synAck = (tcp.flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK);
    if (!state) {
      const [client, server, rolesFrom] = pureSyn
        ? [src, dst, "syn" as const]
        : synAck
          ? [dst, src, "syn-ack" as const]
          : packet.srcPort! > packet.dstPort!
            ? [src, dst, "port" as const]
            : [dst, src, "port" as const];
      state = {
        summary: {
          stream: a.stream,
          client,
          server,
          rolesFrom,
          firstFrame: packet.frame,
          lastFrame: packet.frame,
          start: time,
          end: time,
          packets: { toServer: 0, toClient: 0 },
          bytes: { toServer: 0, toClient: 0 },
          retransmissions: 0,
          fastRetransmissions: 0,
          spuriousRetransmissions: 0,
          maxRetransmissionRun: 0,
          outOfOrder: 0,
          lostSegments: 0,
          ackedUnseen: 0,
          duplicateAcks: 0,
          zeroWindows: 0,
          zeroWindowProbes: 0,
          zeroWindowLongest: 0,
          zeroWindowUntilEnd: false,
          keepAlives: 0,
          windowFull: 0,
          resets: [],
          fins: 0,
          handshake: "not-captured",
          synFrames: [],
          synAckFrames: [],
        },
        clientKey: client,
        rtts: [],
        rtoSeq: [-1, -1],
        rtoRun: [0, 0],
        clientAckAfterSynAck: false,
        clientRstAfterSynAck: false,
        lastSynTime: 0,
        lastSynAckTime: 0,
        synRetransmitted: false,
        synAckRetransmitted: false,
        zeroSince: [undefined, undefined],
      };
      this.tcpFlows.set(a.stream, state);
    }
    const s = state.summary;
    const fromClient = src === state.clientKey;
    const side = fromClient ? 0 : 1;
    s.lastFrame = packet.frame;
    s.end = time;
    if (fromClient) {
      s.packets.toServer++;
      s.bytes.toServer += packet.wireLength;
    } else {
      s.packets.toClient++;
      s.bytes.toClient += packet.wireLength;
    }
    const f = a.flags;
    const retransmitted = (f & (TCP_A.RETRANSMISSION | TCP_A.FAST_RETRANSMISSION | TCP_A.SPURIOUS_RETRANSMISSION)) !== 0;
    if (retransmitted) s.retransmissions++;
    if (f & TCP_A.FAST_RETRANSMISSION) s.fastRetransmissions++;
    if (f & TCP_A.SPURIOUS_RETRANSMISSION) s.spuriousRetransmissions++;
    if (f & TCP_A.RETRANSMISSION && !(tcp.flags & TH_SYN)) {
      state.rtoRun[side] = state.rtoSeq[side] === tcp.seq ? state.rtoRun[side]! + 1 : 1;
      state.rtoSeq[side] = tcp.seq;
      s.maxRetransmissionRun = Math.max(s.maxRetransmissionRun, state.rtoRun[side]!);
    }
    if (f & TCP_A.OUT_OF_ORDER) s.outOfOrder++;
    if (f & TCP_A.LOST_PACKET) s.lostSegments++;
    if (f & TCP_A.ACK_LOST_PACKET) s.ackedUnseen++;
    if (f & TCP_A.DUPLICATE_ACK) s.duplicateAcks++;
    if (f & TCP_A.ZERO_WINDOW) {
      s.zeroWindows++;
      state.zeroSince[side] ??= time;
    } else if (tcp.window > 0 && !(tcp.flags & (TH_SYN | TH_RST)) && state.zeroSince[side] !== undefined) {
      s.zeroWindowLongest = Math.max(s.zeroWindowLongest, time - state.zeroSince[side]!);
      state.zeroSince[side] = undefined;
    }
    if (f & TCP_A.ZERO_WINDOW_PROBE) s.zeroWindowProbes++;
    if (f & TCP_A.KEEP_ALIVE) s.keepAlives++;
    if (f & TCP_A.WINDOW_FULL) s.windowFull++;
    if (a.ackRtt !== undefined) state.rtts.push(a.ackRtt);
    if (a.initialRtt !== undefined) s.handshakeRtt ??= a.initialRtt;
    if (tcp.flags & TH_FIN) s.fins++;
    if (tcp.flags & TH_RST) {
      s.resets.push({ frame: packet.frame, time, by: fromClient ? "client" : "server" });
      if (fromClient && s.synAckFrames.length) state.clientRstAfterSynAck = true;
    }
    if (pureSyn && fromClient) {
      s.synFrames.push(packet.frame);
      state.lastSynTime = time;
      if (f & TCP_A.RETRANSMISSION) state.synRetransmitted = true;
    } else if (synAck && !fromClient) {
      s.synAckFrames.push(packet.frame);
      state.lastSynAckTime = time;
      if (f & TCP_A.RETRANSMISSION) state.synAckRetransmitted = true;
    } else if (fromClient && s.synAckFrames.length && tcp.flags & TH_ACK && !(tcp.flags & TH_RST)) {
      state.clientAckAfterSynAck = true;
    }
    if (packet.srcPort === 53 || packet.dstPort === 53) this.addDnsOverTcp(state, packet, side, time);
  }

  private addUdp(packet: DecodedPacket, time: number): void {
    const src = endpoint(packet.ip!.src, packet.srcPort!);
    const dst = endpoint(packet.ip!.dst, packet.dstPort!);
    const key = src < dst ? `${src} ${dst}` : `${dst} ${src}`;
    let flow = this.udpFlows.get(key);
    if (!flow) {
      // The first sender is the client, except that a packet from a well-known DNS port is a response.
      const [client, server] = packet.srcPort === 53 && packet.dstPort !== 53 ? [dst, src] : [src, dst];
      flow = { client, server, firstFrame: packet.frame, lastFrame: packet.frame, start: time, end: time, packets: { toServer: 0, toClient: 0 }, bytes: { toServer: 0, toClient: 0 } };
      this.udpFlows.set(key, flow);
    }
    flow.lastFrame = packet.frame;
    flow.end = time;
    if (src === flow.client) {
      flow.packets.toServer++;
      flow.bytes.toServer += packet.wireLength;
    } else {
      flow.packets.toClient++;
      flow.bytes.toClient += packet.wireLength;
    }
    if (packet.srcPort === 53 || packet.dstPort === 53) this.addDnsMessage("udp", packet.udp!.payload, src, dst, packet.frame, time);
  }

  /** DNS over TCP: 2-byte length-prefixed messages (RFC 1035 4.2.2), reassembled in sequence order; out-of-order data is not buffered. */
  private addDnsOverTcp(state: TcpFlowState, packet: DecodedPacket, side: 0 | 1, time: number): void {
    const tcp = packet.tcp!;
    state.dnsBuffers ??= [{ next: undefined, data: new Uint8Array(0) }, { next: undefined, data: new Uint8Array(0) }];
    const buffer = state.dnsBuffers[side];
    if (tcp.flags & TH_SYN) {
      buffer.next = (tcp.seq + 1) >>> 0;
      return;
    }
    const payload = tcp.payload;
    if (payload.length === 0) return;
    if (buffer.next === undefined) buffer.next = tcp.seq;
    if (tcp.seq !== buffer.next) return;
    buffer.next = (tcp.seq + payload.length) >>> 0;
    const joined = new Uint8Array(buffer.data.length + payload.length);
    joined.set(buffer.data);
    joined.set(payload, buffer.data.length);
    let p = 0;
    const src = endpoint(packet.ip!.src, packet.srcPort!);
    const dst = endpoint(packet.ip!.dst, packet.dstPort!);
    while (joined.length - p >= 2) {
      const len = (joined[p]! << 8) | joined[p + 1]!;
      if (joined.length - p - 2 < len) break;
      this.addDnsMessage("tcp", joined.subarray(p + 2, p + 2 + len), src, dst, packet.frame, time);
      p += 2 + len;
    }
    buffer.data = joined.slice(p);
  }

  private addDnsMessage(transport: "udp" | "tcp", payload: Uint8Array, src: string, dst: string, frame: number, time: number): void {
    const m = parseDnsMessage(payload);
    if (!m || m.opcode !== 0) return;
    if (!m.response) {
      const key = `${transport} ${src} ${dst} ${m.id}`;
      const open = this.dnsPending.get(key);
      if (open && open.name === (m.name ?? ".")) {
        open.retries++;
        return;
      }
      if (open) this.closeDns(key, open);
      this.dnsByClient.set(`${transport} ${src} ${m.id} ${m.name ?? "."}`, key);
      this.dnsPending.set(key, {
        transport,
        client: src,
        server: dst,
        id: m.id,
        name: m.name ?? ".",
        qtype: m.qtype === undefined ? "?" : (QTYPE_NAMES[m.qtype] ?? `TYPE${m.qtype}`),
        frame,
        time,
        retries: 0,
        status: "pending",
      });
      return;
    }
    let key = `${transport} ${dst} ${src} ${m.id}`;
    let open = this.dnsPending.get(key);
    if (!open) {
      // Captured on one side of a NAT only (query to the kube-dns ClusterIP, response from a CoreDNS pod IP):
      // the same client socket, id and question identify the transaction.
      key = this.dnsByClient.get(`${transport} ${dst} ${m.id} ${m.name ?? "."}`) ?? "";
      open = this.dnsPending.get(key);
    }
    if (!open) {
      this.responsesWithoutQuery++;
      return;
    }
    open.response = { frame, time, rcode: RCODE_NAMES[m.rcode] ?? `RCODE${m.rcode}`, answers: m.answers };
    open.status = m.rcode === 0 ? "answered" : m.rcode === 3 ? "nxdomain" : m.rcode === 2 ? "servfail" : "error";
    this.closeDns(key, open);
  }

  private closeDns(key: string, t: DnsTransaction): void {
    this.dnsPending.delete(key);
    this.dnsByClient.delete(`${t.transport} ${t.client} ${t.id} ${t.name}`);
    this.dnsDone.push(t);
  }

  /** The summary, once every packet was added. */
  finish(format: "pcap" | "pcapng", damage: { offset: number; reason: string } | undefined, incompleteDatagrams = 0): CaptureSummary {
    const end = this.last ? seconds(this.last) - this.t0 : 0;
    const tcp = [...this.tcpFlows.values()].map((state) => finishTcpFlow(state, end));
    const transactions = [...this.dnsDone, ...this.dnsPending.values()].sort((a, b) => a.frame - b.frame);
    for (const t of transactions) if (!t.response) t.status = end - t.time >= DNS_TIMEOUT_SECONDS ? "unanswered" : "pending";
    this.transactions = transactions;
    return {
      file: this.file,
      format,
      frames: this.frames,
      firstTime: this.first ? rfc3339(this.first) : undefined,
      lastTime: this.last ? rfc3339(this.last) : undefined,
      duration: end,
      undecoded: this.undecoded,
      damage,
      incompleteDatagrams,
      tcpStreams: this.tcpAnalyzer.streams,
      tcp,
      udp: [...this.udpFlows.values()],
      dns: { transactions: transactions.length, responsesWithoutQuery: this.responsesWithoutQuery, names: summarizeDnsNames(transactions) },
    };
  }

  /** Every DNS transaction, after finish(). */
  transactions: DnsTransaction[] = [];
}

function finishTcpFlow(state: TcpFlowState, captureEnd: number): TcpFlowSummary {
  const s = state.summary;
  if (s.synFrames.length) {
    if (s.synAckFrames.length) {
      if (state.clientAckAfterSynAck) s.handshake = "complete";
      else if (state.clientRstAfterSynAck) s.handshake = "aborted-by-client";
      else s.handshake = state.synAckRetransmitted || captureEnd - state.lastSynAckTime >= SYN_WAIT_SECONDS ? "syn-ack-unacknowledged" : "pending";
    } else if (s.resets.some((r) => r.by === "server")) {
      s.handshake = "refused";
    } else {
      s.handshake = state.synRetransmitted || captureEnd - state.lastSynTime >= SYN_WAIT_SECONDS ? "unanswered" : "pending";
    }
  } else if (s.synAckFrames.length) {
    s.handshake = state.clientAckAfterSynAck ? "complete" : "not-captured";
  }
  for (const since of state.zeroSince) {
    if (since === undefined) continue;
    s.zeroWindowUntilEnd = true;
    s.zeroWindowLongest = Math.max(s.zeroWindowLongest, captureEnd - since);
  }
  // Wireshark's initial_rtt also takes a RST/ACK as the handshake's ACK: only a completed handshake has one here.
  if (s.handshake !== "complete") delete s.handshakeRtt;
  if (state.rtts.length) s.ackRtt = rttStats(state.rtts);
  return s;
}

function rttStats(values: number[]): RttStats {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { samples: n, min: sorted[0]!, median, max: sorted[n - 1]! };
}

function rfc3339(t: CaptureTime): string {
  const iso = new Date(t.sec * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(t.nsec).padStart(9, "0")}Z`;
}

function summarizeDnsNames(transactions: readonly DnsTransaction[]): DnsNameSummary[] {
  const resolved = resolvedByClient(transactions);
  const byName = new Map<string, DnsNameSummary>();
  for (const t of transactions) {
    let s = byName.get(t.name);
    if (!s) {
      s = { name: t.name, qtypes: [], queries: 0, answered: 0, nxdomain: 0, servfail: 0, otherErrors: 0, unanswered: 0, pending: 0, searchListNxdomain: 0, servers: [], clients: [] };
      byName.set(t.name, s);
    }
    s.queries++;
    if (!s.qtypes.includes(t.qtype)) s.qtypes.push(t.qtype);
    if (!s.servers.includes(t.server)) s.servers.push(t.server);
    const clientIp = hostOf(t.client);
    if (!s.clients.includes(clientIp)) s.clients.push(clientIp);
    if (t.status === "answered") s.answered++;
    else if (t.status === "nxdomain") {
      s.nxdomain++;
      if (isSearchListExpansion(t.name, resolved.get(clientIp))) s.searchListNxdomain++;
    } else if (t.status === "servfail") s.servfail++;
    else if (t.status === "error") s.otherErrors++;
    else if (t.status === "unanswered") s.unanswered++;
    else s.pending++;
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Names that resolved (NOERROR) per client IP: an NXDOMAIN for "<name>.<search domain>" from the same client is
 * the resolver walking its search list (ndots:5 in Kubernetes pods), not a failure.
 */
function resolvedByClient(transactions: readonly DnsTransaction[]): Map<string, Set<string>> {
  const resolved = new Map<string, Set<string>>();
  for (const t of transactions) {
    if (t.status !== "answered") continue;
    const ip = hostOf(t.client);
    let set = resolved.get(ip);
    if (!set) resolved.set(ip, (set = new Set()));
    set.add(t.name);
  }
  return resolved;
}

/**
 * True when `name` is a candidate of a resolver search-list walk that ended in a name the client resolved:
 * name = P.D1 and the resolved name is P itself (tried last, after every search domain) or P.D2 with D2 a
 * proper suffix of D1 (Kubernetes search lists go <ns>.svc.cluster.local, svc.cluster.local, cluster.local).
 */
export function isSearchListExpansion(name: string, resolved: ReadonlySet<string> | undefined): boolean {
  if (!resolved) return false;
  for (let i = name.indexOf("."); i > 0; i = name.indexOf(".", i + 1)) {
    const prefix = name.slice(0, i);
    if (resolved.has(prefix)) return true;
    const domain = name.slice(i + 1);
    for (let j = domain.indexOf("."); j > 0; j = domain.indexOf(".", j + 1)) {
      if (resolved.has(`${prefix}.${domain.slice(j + 1)}`)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------- findings

const EVIDENCE_LIMIT = 8;

function frameEvidence(frame: number, time: number, note: string): Evidence {
  return { path: "frame", value: frame, note: `t=${time.toFixed(6)}s ${note}` };
}

function hostOf(ep: string): string {
  return ep.startsWith("[") ? ep.slice(1, ep.indexOf("]")) : ep.slice(0, ep.lastIndexOf(":"));
}
function portOf(ep: string): string {
  return ep.slice(ep.lastIndexOf(":") + 1);
}

interface FindingInput {
  code: string;
  severity: Severity;
  subject: string;
  kind: string;
  summary: string;
  rootCause: string;
  evidence: Evidence[];
  clients: string[];
  investigation: InvestigationStep[];
  remediation: Remediation[];
}

function finding(input: FindingInput): Finding {
  return {
    code: input.code,
    analyzer: input.code.split("/")[0]!,
    area: "network",
    severity: input.severity,
    subject: { kind: input.kind, name: input.subject },
    summary: input.summary,
    rootCause: input.rootCause,
    evidence: input.evidence,
    impact: { direct: input.clients.map((c) => ({ kind: "IP", name: c })), indirect: [] },
    investigation: input.investigation,
    remediation: input.remediation,
  };
}

function podLookup(ip: string): InvestigationStep {
  return { step: `Find the pod or node that owns ${ip}`, command: `kubectl get pods -A -o wide --field-selector status.podIP=${ip}`, result: "run on the cluster the capture comes from", outcome: "unknown" };
}

/** Groups flows by server host and outcome: one finding per destination, with the ports involved. */
function groupByServer(flows: readonly TcpFlowSummary[]): Map<string, TcpFlowSummary[]> {
  const groups = new Map<string, TcpFlowSummary[]>();
  for (const f of flows) {
    const key = hostOf(f.server);
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  return groups;
}

function serverSubject(host: string, flows: readonly TcpFlowSummary[]): { subject: string; ports: string[] } {
  const ports = [...new Set(flows.map((f) => portOf(f.server)))].sort((a, b) => Number(a) - Number(b));
  const shown = ports.length > 6 ? `${ports.slice(0, 6).join(",")} and ${ports.length - 6} more` : ports.join(",");
  const h = host.includes(":") ? `[${host}]` : host;
  return { subject: ports.length === 1 ? `${h}:${ports[0]}` : `${h} ports ${shown}`, ports };
}

const clientsOf = (flows: readonly TcpFlowSummary[]): string[] => [...new Set(flows.map((f) => hostOf(f.client)))].sort();
const flowCount = (n: number, word = "connection attempt"): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Root-cause-oriented findings for one capture. */
export function captureFindings(summary: CaptureSummary, transactions: readonly DnsTransaction[]): Finding[] {
  const out: Finding[] = [];
  const file = summary.file;
  const byOutcome = (o: HandshakeOutcome): TcpFlowSummary[] => summary.tcp.filter((f) => f.handshake === o);

  for (const [host, flows] of groupByServer(byOutcome("refused"))) {
    const { subject, ports } = serverSubject(host, flows);
    const evidence: Evidence[] = [];
    for (const f of flows.slice(0, EVIDENCE_LIMIT)) {
      evidence.push(frameEvidence(f.synFrames[0]!, f.start, `SYN ${f.client} -> ${f.server} (tcp.stream ${f.stream})`));
      const rst = f.resets.find((r) => r.by === "server")!;
      evidence.push(frameEvidence(rst.frame, rst.time, `RST from ${f.server}, no SYN/ACK`));
    }
    out.push(
      finding({
        code: "pcap-tcp/connectionRefused",
        severity: "error",
        kind: "Endpoint",
        subject,
        summary: `${flowCount(flows.length)} to ${subject} answered by RST (connection refused) in ${file}`,
        rootCause: `The SYNs reached ${host} and its TCP stack (or a REJECT --reject-with tcp-reset rule) refused them: nothing listens on port ${ports.join(", ")} there (the container is not running, listens on another port, or binds 127.0.0.1 only), or the IP now belongs to another pod. A NetworkPolicy denial does not look like this on the common CNIs (Calico, Cilium, kube-router drop silently): the path is fine, the listener is not.`,
        evidence,
        clients: clientsOf(flows),
        investigation: [podLookup(host), { step: `Check that the pod listens on ${ports.join(", ")}`, command: `kubectl exec -n <namespace> <pod> -- ss -ltn`, result: "a listener bound to 0.0.0.0 or the pod IP on that port is expected", outcome: "unknown" }],
        remediation: [{ description: `Make the workload behind ${host} listen on ${ports.join(", ")} (check containerPort, the app's bind address and the Service targetPort), or point the client at the right port.`, verify: `kubesleuth pcap <new capture> shows the handshakes to ${subject} complete` }],
      }),
    );
  }

  for (const [host, flows] of groupByServer(byOutcome("unanswered"))) {
    const { subject, ports } = serverSubject(host, flows);
    const evidence: Evidence[] = [];
    for (const f of flows.slice(0, EVIDENCE_LIMIT)) {
      evidence.push(frameEvidence(f.synFrames[0]!, f.start, `SYN ${f.client} -> ${f.server} (tcp.stream ${f.stream}), sent ${f.synFrames.length} time(s), never answered`));
    }
    const retried = flows.filter((f) => f.synFrames.length > 1).length;
    const scan = ports.length >= 20 ? ` ${flowCount(ports.length, "port")} of one host probed with SYNs is the pattern of a port scan (nmap -sS): then most ports are filtered, not broken.` : "";
    out.push(
      finding({
        code: "pcap-tcp/synUnanswered",
        severity: "error",
        kind: "Endpoint",
        subject,
        summary: `${flowCount(flows.length)} to ${subject} got no answer at all (${retried} with retransmitted SYNs) in ${file}`,
        rootCause: `No SYN/ACK and no RST came back from ${host}: the SYNs were dropped on the path or the host is gone. In a cluster that is a NetworkPolicy denying ingress to the destination or egress from the source (CNIs drop silently), a stale endpoint (the pod IP no longer exists), or pod-to-pod routing broken between the two nodes (CNI or kube-proxy down on one of them). If the capture was taken on the destination's side too, a SYN arriving there without answer points at the listener's backlog instead.${scan}`,
        evidence,
        clients: clientsOf(flows),
        investigation: [
          podLookup(host),
          { step: "Evaluate the NetworkPolicies between source and destination", command: `kubesleuth reach <source pod> <destination pod> --port ${ports[0]}`, result: "denied names the isolating policy", outcome: "unknown" },
          { step: "Check the CNI and kube-proxy pods on both nodes", command: "kubectl get pods -n kube-system -o wide", result: "not ready or restarting agents on either node break the path", outcome: "unknown" },
        ],
        remediation: [{ description: `Allow the traffic if a NetworkPolicy denies it (kubesleuth reach shows which), fix the endpoint if the IP is stale, or repair the CNI on the affected node.`, verify: `kubesleuth pcap <new capture> shows SYN/ACKs from ${subject}` }],
      }),
    );
  }

  for (const [host, flows] of groupByServer(byOutcome("syn-ack-unacknowledged"))) {
    const { subject } = serverSubject(host, flows);
    const evidence = flows.slice(0, EVIDENCE_LIMIT).map((f) => frameEvidence(f.synAckFrames[0]!, f.start, `SYN/ACK ${f.server} -> ${f.client} (tcp.stream ${f.stream}) sent ${f.synAckFrames.length} time(s), never acknowledged`));
    out.push(
      finding({
        code: "pcap-tcp/synAckUnacknowledged",
        severity: "error",
        kind: "Endpoint",
        subject,
        summary: `${flowCount(flows.length)} to ${subject}: the SYN/ACK was never acknowledged by the client in ${file}`,
        rootCause: `${host} accepted the connections but the clients never completed the handshake: the SYN/ACKs are lost on the way back (asymmetric routing, a return-path drop, conntrack/SNAT mismatch on a node), or the client gave up. A port scanner also leaves this pattern.`,
        evidence,
        clients: clientsOf(flows),
        investigation: [podLookup(host)],
        remediation: [{ description: "Capture on the client's node as well: if the SYN/ACK never arrives there, look at the return route and the nodes' conntrack and SNAT rules." }],
      }),
    );
  }

  const stalled = summary.tcp.filter((f) => f.maxRetransmissionRun >= 2);
  for (const [host, flows] of groupByServer(stalled)) {
    const { subject } = serverSubject(host, flows);
    const evidence = flows.slice(0, EVIDENCE_LIMIT).map((f) => ({ path: "tcp.stream", value: f.stream, note: `${f.client} <-> ${f.server}: ${f.retransmissions} retransmission(s), one segment retransmitted ${f.maxRetransmissionRun} times in a row, frames ${f.firstFrame}-${f.lastFrame}` }));
    out.push(
      finding({
        code: "pcap-tcp/retransmissionStall",
        severity: "warning",
        kind: "Endpoint",
        subject,
        summary: `${flowCount(flows.length, "connection")} with ${subject} stalled: the same segment retransmitted by timeout 2+ times in ${file}`,
        rootCause: `Data was sent again and again without being acknowledged: the peer stopped answering (pod killed or node gone while the connection was open) or packets are dropped on the path (overloaded node, MTU black hole for large segments, flapping CNI). Intermittent pod-to-pod failures look like this.`,
        evidence,
        clients: clientsOf(flows),
        investigation: [podLookup(host), { step: "Look for restarts and readiness flaps around the capture time", command: "kubectl get events -A --field-selector reason=Unhealthy", result: "events at the stall time point at the destination", outcome: "unknown" }],
        remediation: [{ description: "Correlate the stall time with pod restarts, node NotReady transitions and CNI restarts (kubesleuth scan over snapshots taken then)." }],
      }),
    );
  }

  const zero = summary.tcp.filter((f) => f.zeroWindows > 0);
  for (const [host, flows] of groupByServer(zero)) {
    const { subject } = serverSubject(host, flows);
    const evidence = flows.slice(0, EVIDENCE_LIMIT).map((f) => ({
      path: "tcp.stream",
      value: f.stream,
      note: `${f.client} <-> ${f.server}: ${f.zeroWindows} zero-window segment(s), ${f.zeroWindowProbes} zero-window probe(s), ${f.keepAlives} keep-alive(s); window closed for ${f.zeroWindowLongest.toFixed(3)} s${f.zeroWindowUntilEnd ? ", still closed at the end of the capture" : ""}`,
    }));
    // A window closed for less than a second and reopened is flow control doing its job: info. Longer, or never reopened, stalls the peer.
    const stalls = flows.some((f) => f.zeroWindowUntilEnd || f.zeroWindowLongest >= 1);
    out.push(
      finding({
        code: "pcap-tcp/zeroWindow",
        severity: stalls ? "warning" : "info",
        kind: "Endpoint",
        subject,
        summary: `${flowCount(flows.length, "connection")} with ${subject} hit a zero receive window in ${file}`,
        rootCause: "A receiver advertised a zero window: its application stopped reading from the socket (blocked, overloaded, CPU-throttled or stuck in GC), so the sender must wait. The network is not the problem here.",
        evidence,
        clients: clientsOf(flows),
        investigation: [podLookup(host), { step: "Check CPU throttling and resource limits of the receiving pod", command: "kubectl top pod -n <namespace> <pod>", result: "a pod at its CPU limit reads slowly", outcome: "unknown" }],
        remediation: [{ description: "Find why the receiving application does not drain its socket (limits, thread pool, slow downstream) and fix that side." }],
      }),
    );
  }

  const aborted = summary.tcp.filter((f) => f.handshake === "complete" && f.resets.length > 0 && f.fins === 0);
  for (const [host, flows] of groupByServer(aborted)) {
    const { subject } = serverSubject(host, flows);
    const evidence: Evidence[] = flows.slice(0, EVIDENCE_LIMIT).map((f) => {
      const r = f.resets[0]!;
      return frameEvidence(r.frame, r.time, `RST by the ${r.by} (${r.by === "client" ? f.client : f.server}) on established tcp.stream ${f.stream}`);
    });
    const byServer = flows.filter((f) => f.resets[0]!.by === "server").length;
    out.push(
      finding({
        code: "pcap-tcp/connectionReset",
        severity: "warning",
        kind: "Endpoint",
        subject,
        summary: `${flowCount(flows.length, "established connection")} with ${subject} reset without a FIN (${byServer} by the server, ${flows.length - byServer} by the client) in ${file}`,
        rootCause: "An established connection was aborted with RST instead of closed: the side that sent it crashed or was killed, closed the socket with unread data, hit an idle timeout in a proxy, or lost the connection's state (a conntrack flush or a pod replaced behind the same IP).",
        evidence,
        clients: clientsOf(flows),
        investigation: [podLookup(host)],
        remediation: [{ description: "Check the side that sent the RST: restarts at that time, proxy idle timeouts shorter than the client's keep-alive, connection reuse after a pod was replaced." }],
      }),
    );
  }

  out.push(...dnsFindings(summary, transactions));
  return out;
}

function dnsFindings(summary: CaptureSummary, transactions: readonly DnsTransaction[]): Finding[] {
  const out: Finding[] = [];
  const resolved = resolvedByClient(transactions);
  const byName = new Map<string, DnsTransaction[]>();
  for (const t of transactions) {
    const list = byName.get(t.name);
    if (list) list.push(t);
    else byName.set(t.name, [t]);
  }
  const file = summary.file;
  const dnsEvidence = (list: readonly DnsTransaction[], what: (t: DnsTransaction) => string): Evidence[] =>
    list.slice(0, EVIDENCE_LIMIT).flatMap((t) => {
      const e = [frameEvidence(t.frame, t.time, `${t.qtype} ${t.name} query ${t.client} -> ${t.server} (id 0x${t.id.toString(16).padStart(4, "0")}, ${t.transport})`)];
      if (t.response) e.push(frameEvidence(t.response.frame, t.response.time, what(t)));
      return e;
    });
  const clients = (list: readonly DnsTransaction[]): string[] => [...new Set(list.map((t) => hostOf(t.client)))].sort();
  for (const n of summary.dns.names) {
    const mine = byName.get(n.name) ?? [];
    if (n.unanswered > 0) {
      const list = mine.filter((t) => t.status === "unanswered");
      const servers = [...new Set(list.map((t) => t.server))];
      out.push(
        finding({
          code: "pcap-dns/queryUnanswered",
          severity: "error",
          kind: "DNSName",
          subject: n.name,
          summary: `${n.unanswered} DNS quer${n.unanswered === 1 ? "y" : "ies"} for ${n.name} got no response within ${DNS_TIMEOUT_SECONDS} s (to ${servers.join(", ")}) in ${file}`,
          rootCause: `The DNS server did not answer: the queries were dropped on the way (an egress NetworkPolicy without UDP/TCP 53 to kube-dns, a kube-proxy/conntrack problem on the node) or the server is down or overloaded (CoreDNS not ready, forwarding to an unreachable upstream). Applications see this as "i/o timeout" or "temporary failure in name resolution".`,
          evidence: [...dnsEvidence(list, () => ""), { note: `rule: a query is unanswered when no response with the same id, client and server port came within ${DNS_TIMEOUT_SECONDS} s and the capture went on past that` }],
          clients: clients(list),
          investigation: [
            { step: "Check CoreDNS", command: "kubectl get pods -n kube-system -l k8s-app=kube-dns -o wide", result: "all replicas Ready and not restarting is expected", outcome: "unknown" },
            { step: "Check that the client may reach DNS", command: "kubesleuth reach <client pod> kube-system/svc/kube-dns --port 53 --protocol UDP", result: "allowed is expected", outcome: "unknown" },
          ],
          remediation: [{ description: "Allow UDP and TCP 53 to kube-dns in the client's egress policies, or fix CoreDNS (readiness, upstream forwarders)." }],
        }),
      );
    }
    if (n.servfail > 0) {
      const list = mine.filter((t) => t.status === "servfail");
      out.push(
        finding({
          code: "pcap-dns/serverFailure",
          severity: "error",
          kind: "DNSName",
          subject: n.name,
          summary: `${n.servfail} DNS response(s) for ${n.name} were SERVFAIL in ${file}`,
          rootCause: "The DNS server answered that it could not resolve the name: its upstream did not answer or failed validation (CoreDNS forward plugin to an unreachable or broken resolver, a forwarding loop, DNSSEC failure). The name may well exist: the failure is in the resolver chain.",
          evidence: dnsEvidence(list, (t) => `response ${t.response!.rcode}`),
          clients: clients(list),
          investigation: [{ step: "Read CoreDNS logs", command: "kubectl logs -n kube-system -l k8s-app=kube-dns --tail=200", result: "forward errors, i/o timeouts to upstream or 'Loop ... detected'", outcome: "unknown" }],
          remediation: [{ description: "Fix the upstream resolvers CoreDNS forwards to (Corefile forward . /etc/resolv.conf or explicit servers) or the zone that fails." }],
        }),
      );
    }
    const realNx = n.nxdomain - n.searchListNxdomain;
    if (realNx > 0) {
      const list = mine.filter((t) => t.status === "nxdomain" && !isSearchListExpansion(t.name, resolved.get(hostOf(t.client))));
      out.push(
        finding({
          code: "pcap-dns/nxdomain",
          severity: "warning",
          kind: "DNSName",
          subject: n.name,
          summary: `${realNx} DNS response(s) for ${n.name} were NXDOMAIN (the name does not exist) in ${file}`,
          rootCause: `The name does not exist for the DNS server: a typo, a Service that does not exist in that namespace (in-cluster names are <service>.<namespace>.svc.cluster.local), or a Service that was deleted. NXDOMAINs the resolver's search list produces on the way to a name that then resolved are not counted.`,
          evidence: dnsEvidence(list, (t) => `response ${t.response!.rcode}`),
          clients: clients(list),
          investigation: [{ step: "Check the Service exists", command: "kubectl get svc -A", result: "the first label is the Service, the second its namespace", outcome: "unknown" }],
          remediation: [{ description: "Use the right name (<service>.<namespace>.svc.cluster.local for Services) or create the missing Service/record." }],
        }),
      );
    }
  }
  return out;
}

/** The report for `kubesleuth pcap`: the report contract, source kind "capture", plus the per-capture summaries. */
export interface PcapReport extends Report {
  captures: CaptureSummary[];
}

/** Builds the report from finished captures; `now` is the last frame's time (captures carry their own clock). */
export function buildPcapReport(toolVersion: string, captures: readonly { summary: CaptureSummary; transactions: readonly DnsTransaction[] }[]): PcapReport {
  const findings = captures.flatMap((c) => captureFindings(c.summary, c.transactions));
  const order: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };
  findings.sort((a, b) => order[a.severity] - order[b.severity] || a.code.localeCompare(b.code) || a.subject.name.localeCompare(b.subject.name));
  const summary = { critical: 0, error: 0, warning: 0, info: 0 };
  for (const f of findings) summary[f.severity]++;
  const last = captures.map((c) => c.summary.lastTime).filter((t): t is string => t !== undefined).sort().at(-1);
  const report: PcapReport = {
    schemaVersion: 1,
    tool: { name: "kubesleuth", version: toolVersion },
    source: { kind: "capture", locations: captures.map((c) => c.summary.file), now: last ?? "1970-01-01T00:00:00.000000000Z" },
    coverage: {},
    summary,
    findings,
    captures: captures.map((c) => c.summary),
  };
  for (const c of captures) {
    report.coverage[c.summary.file] = c.summary.damage ? { count: c.summary.frames, status: "partial", note: `read ${c.summary.frames} frames; ${c.summary.damage.reason} at byte ${c.summary.damage.offset}` } : { count: c.summary.frames, status: "ok" };
  }
  const skipped = captures.filter((c) => c.summary.damage).map((c) => ({ location: `${c.summary.file}@${c.summary.damage!.offset}`, reason: c.summary.damage!.reason }));
  if (skipped.length) report.skipped = skipped;
  return report;
}

/** Convenience for one in-memory sequence of packets (tests, the benchmark). */
export function analyzePackets(file: string, packets: Iterable<DecodedPacket>, format: "pcap" | "pcapng" = "pcap"): { summary: CaptureSummary; transactions: DnsTransaction[] } {
  const analysis = new CaptureAnalysis(file);
  for (const p of packets) analysis.add(p);
  const summary = analysis.finish(format, undefined);
  return { summary, transactions: analysis.transactions };
}
