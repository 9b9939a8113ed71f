// Per-frame TCP sequence analysis with Wireshark's semantics (tcp.analysis.* of epan/dissectors/packet-tcp.c:
// dissect_tcp's conversation lookup, tcp_analyze_sequence_number, verify_tcp_window_scaling), default preferences
// (analyze sequence numbers, relative sequence numbers, fast retransmission supersedes out-of-order).
import type { CaptureTime, DecodedPacket } from "../../model/packet.js";

export const TH_FIN = 0x01;
export const TH_SYN = 0x02;
export const TH_RST = 0x04;
export const TH_PUSH = 0x08;
export const TH_ACK = 0x10;

/** Analysis flags, with the bit values of packet-tcp.c (TCP_A_*). */
export const TCP_A = {
  RETRANSMISSION: 0x0001,
  LOST_PACKET: 0x0002,
  ACK_LOST_PACKET: 0x0004,
  KEEP_ALIVE: 0x0008,
  DUPLICATE_ACK: 0x0010,
  ZERO_WINDOW: 0x0020,
  ZERO_WINDOW_PROBE: 0x0040,
  ZERO_WINDOW_PROBE_ACK: 0x0080,
  KEEP_ALIVE_ACK: 0x0100,
  OUT_OF_ORDER: 0x0200,
  FAST_RETRANSMISSION: 0x0400,
  WINDOW_UPDATE: 0x0800,
  WINDOW_FULL: 0x1000,
  REUSED_PORTS: 0x2000,
  SPURIOUS_RETRANSMISSION: 0x4000,
} as const;

/** Wireshark's display filter field for each flag (tcp.analysis.<name>). */
export const TCP_ANALYSIS_FIELDS: readonly (readonly [number, string])[] = [
  [TCP_A.RETRANSMISSION, "retransmission"],
  [TCP_A.FAST_RETRANSMISSION, "fast_retransmission"],
  [TCP_A.SPURIOUS_RETRANSMISSION, "spurious_retransmission"],
  [TCP_A.DUPLICATE_ACK, "duplicate_ack"],
  [TCP_A.ZERO_WINDOW, "zero_window"],
  [TCP_A.ZERO_WINDOW_PROBE, "zero_window_probe"],
  [TCP_A.ZERO_WINDOW_PROBE_ACK, "zero_window_probe_ack"],
  [TCP_A.WINDOW_FULL, "window_full"],
  [TCP_A.WINDOW_UPDATE, "window_update"],
  [TCP_A.KEEP_ALIVE, "keep_alive"],
  [TCP_A.KEEP_ALIVE_ACK, "keep_alive_ack"],
  [TCP_A.OUT_OF_ORDER, "out_of_order"],
  [TCP_A.LOST_PACKET, "lost_segment"],
  [TCP_A.ACK_LOST_PACKET, "ack_lost_segment"],
  [TCP_A.REUSED_PORTS, "reused_ports"],
];

/** Wireshark: `#define TCP_MAX_UNACKED_SEGMENTS 10000`. */
const TCP_MAX_UNACKED_SEGMENTS = 10000;

interface Unacked {
  frame: number;
  seq: number;
  nextseq: number;
  time: CaptureTime;
}

interface Flow {
  baseSeqSet: boolean;
  baseSeq: number;
  /** -1 unknown, -2 no window scaling used, else the shift. */
  winScale: number;
  /** The last window field seen (unscaled); 0xFFFFFFFF before any. */
  window: number;
  isFirstAck: boolean;
  lastSegmentFlags: number;
  nextseq: number;
  nextseqFrame: number;
  nextseqTime: CaptureTime;
  maxSeqToBeAcked: number;
  lastack: number;
  lastackTime: CaptureTime;
  lastNonDupAck: number;
  dupAckNum: number;
  /** Unacked segments, oldest first (Wireshark keeps newest first; iteration below runs backwards). */
  segments: Unacked[];
}

/** One conversation (a Wireshark tcp.stream). `endpointA` is the side that sent its first frame. */
export interface TcpConversation {
  stream: number;
  endpointA: string;
  flows: [Flow, Flow];
  tsMruSyn: CaptureTime;
  tsFirstRtt: CaptureTime;
}

/** The per-frame record of packet-tcp.c's "struct tcp_acked": the tcp.analysis flags and the frames they point at. */
export interface TcpAckedRecord {
  /** TCP_A bit set. */
  flags: number;
  /** tcp.analysis.duplicate_ack_num and duplicate_ack_frame (with DUPLICATE_ACK). */
  dupAckNum?: number;
  dupAckFrame?: number;
  /** tcp.analysis.acks_frame and tcp.analysis.ack_rtt (seconds). */
  acksFrame?: number;
  ackRtt?: number;
  /** tcp.analysis.rto (seconds) and rto_frame, for retransmissions. */
  rto?: number;
  rtoFrame?: number;
}

/** What the analysis says about one frame: the tcp.analysis.* fields and the relative numbers. */
export interface TcpFrameAnalysis extends TcpAckedRecord {
  stream: number;
  /** 0 when this frame travels from the conversation's first sender, 1 otherwise. */
  direction: 0 | 1;
  /** Relative sequence / acknowledgement numbers (tcp.seq, tcp.ack); ack only with the ACK flag. */
  seq: number;
  ack: number | undefined;
  length: number;
  /** Calculated window size (tcp.window_size): scaled when the scale is known. */
  windowSize: number;
  /** tcp.analysis.initial_rtt: most recent SYN to the first pure ACK of the stream, once seen (after this frame). */
  initialRtt?: number;
}

const ZERO: CaptureTime = { sec: 0, nsec: 0 };
const isZero = (t: CaptureTime): boolean => t.sec === 0 && t.nsec === 0;
/** a - b in nanoseconds (a double is exact for any realistic delta). */
const deltaNs = (a: CaptureTime, b: CaptureTime): number => (a.sec - b.sec) * 1e9 + (a.nsec - b.nsec);
/** Sequence-space comparisons of packet-tcp.c (GT_SEQ, LT_SEQ, LE_SEQ) on uint32 values. */
const gtSeq = (x: number, y: number): boolean => ((y - x) | 0) < 0;
const ltSeq = (x: number, y: number): boolean => ((x - y) | 0) < 0;
const leSeq = (x: number, y: number): boolean => ((x - y) | 0) <= 0;
const u32 = (x: number): number => x >>> 0;

function newFlow(): Flow {
  return {
    baseSeqSet: false,
    baseSeq: 0,
    winScale: -1,
    window: 0xffffffff,
    isFirstAck: false,
    lastSegmentFlags: 0,
    nextseq: 0,
    nextseqFrame: 0,
    nextseqTime: ZERO,
    maxSeqToBeAcked: 0,
    lastack: 0,
    lastackTime: ZERO,
    lastNonDupAck: 0,
    dupAckNum: 0,
    segments: [],
  };
}

type Acked = TcpAckedRecord;

const newAcked = (): Acked => ({ flags: 0, dupAckNum: undefined, dupAckFrame: undefined, acksFrame: undefined, ackRtt: undefined, rto: undefined, rtoFrame: undefined });

/** Runs the analysis frame by frame, in capture order; one instance per capture file. */
export class TcpAnalyzer {
  private conversations = new Map<string, TcpConversation>();
  private streamCount = 0;

  /** Number of tcp.stream values handed out. */
  get streams(): number {
    return this.streamCount;
  }

  /** Analyses one TCP frame; undefined when the frame has no analysable TCP header (Wireshark skips it too). */
  analyze(packet: DecodedPacket): TcpFrameAnalysis | undefined {
    const tcp = packet.tcp;
    if (!tcp || !packet.ip || tcp.headerLength < 20) return undefined;
    const src = `${packet.ip.src}/${packet.srcPort}`;
    const dst = `${packet.ip.dst}/${packet.dstPort}`;
    const key = src < dst ? `${src} ${dst}` : `${dst} ${src}`;
    const { seq, ack, flags, window } = tcp;
    const now = packet.time;
    let conv = this.conversations.get(key);
    if (!conv) conv = this.newConversation(key, src);
    let ta: Acked | undefined;
    const acked = (): Acked => (ta ??= newAcked());
    let dir: 0 | 1 = conv.endpointA === src ? 0 : 1;
    let fwd = conv.flows[dir];
    let rev = conv.flows[1 - dir]!;

    // A SYN whose sequence number differs from the conversation's base starts a new conversation (port reuse);
    // the same sequence number restores nextseq (RFC 793 3.4 RSTs, Wireshark issue 17616) and is flagged too.
    if ((flags & (TH_SYN | TH_ACK)) === TH_SYN && fwd.baseSeqSet) {
      if (seq !== fwd.baseSeq) {
        conv = this.newConversation(key, src);
        dir = 0;
        fwd = conv.flows[0];
        rev = conv.flows[1];
        acked().flags |= TCP_A.REUSED_PORTS;
      } else {
        fwd.nextseq = fwd.maxSeqToBeAcked;
        acked().flags |= TCP_A.REUSED_PORTS;
      }
    }
    if ((flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK) && fwd.baseSeqSet && seq !== fwd.baseSeq) {
      // Wireshark looks the reverse conversation up (the same one here) and takes this SYN/ACK as its base (issue 16944).
      fwd.baseSeq = seq;
      ta = undefined; // get_tcp_conversation_data clears the per-packet record
      acked().flags |= TCP_A.REUSED_PORTS;
    }

    const seglen = tcp.segmentLength;
    if (seglen === undefined) return undefined;
    ta = this.analyzeSequence(conv, fwd, rev, packet.frame, now, seq, ack, seglen, flags, window, ta);

    // One object shape for every frame (no spread): the run reads these fields on hundreds of thousands of frames.
    const result: TcpFrameAnalysis = {
      stream: conv.stream,
      direction: dir,
      seq: u32(seq - fwd.baseSeq),
      ack: flags & TH_ACK ? u32(ack - rev.baseSeq) : undefined,
      length: seglen,
      // SYNs are never scaled; an unknown (-1) or unused (-2) scale leaves the field as sent.
      windowSize: !(flags & TH_SYN) && fwd.winScale >= 0 ? window * 2 ** fwd.winScale : window,
      flags: ta?.flags ?? 0,
      dupAckNum: ta?.dupAckNum,
      dupAckFrame: ta?.dupAckFrame,
      acksFrame: ta?.acksFrame,
      ackRtt: ta?.ackRtt,
      rto: ta?.rto,
      rtoFrame: ta?.rtoFrame,
      initialRtt: undefined,
    };

    if (flags & TH_SYN) {
      if (!(flags & TH_ACK)) conv.tsMruSyn = now;
      fwd.isFirstAck = true;
    }
    if ((flags & (TH_SYN | TH_ACK)) === TH_ACK) {
      if (!isZero(conv.tsMruSyn) && isZero(conv.tsFirstRtt)) conv.tsFirstRtt = nsToTime(deltaNs(now, conv.tsMruSyn));
      fwd.isFirstAck = false;
    }
    if (!isZero(conv.tsFirstRtt)) result.initialRtt = conv.tsFirstRtt.sec + conv.tsFirstRtt.nsec / 1e9;
    if (tcp.windowScale !== undefined) fwd.winScale = tcp.windowScale;
    if (flags & TH_SYN) {
      // verify_tcp_window_scaling: scaling is used only when both SYN and SYN/ACK carry the option.
      if (fwd.winScale === -1) {
        fwd.winScale = -2;
        rev.winScale = -2;
      } else if (flags & TH_ACK && rev.winScale === -2) {
        fwd.winScale = -2;
      }
    }
    return result;
  }

  private newConversation(key: string, src: string): TcpConversation {
    const conv: TcpConversation = { stream: this.streamCount++, endpointA: src, flows: [newFlow(), newFlow()], tsMruSyn: ZERO, tsFirstRtt: ZERO };
    this.conversations.set(key, conv);
    return conv;
  }

  // tcp_analyze_sequence_number, statement by statement.
  private analyzeSequence(conv: TcpConversation, fwd: Flow, rev: Flow, frame: number, now: CaptureTime, seq: number, ack: number, seglen: number, flags: number, window: number, taIn: Acked | undefined): Acked | undefined {
    let ta = taIn;
    const acked = (): Acked => (ta ??= newAcked());

    if (!fwd.baseSeqSet) {
      fwd.baseSeq = flags & TH_SYN ? seq : u32(seq - 1);
      fwd.baseSeqSet = true;
    }
    if (!rev.baseSeqSet && flags & TH_ACK) {
      rev.baseSeq = u32(ack - 1);
      rev.baseSeqSet = true;
    }

    checks: {
      // ZERO WINDOW PROBE: exactly one byte at the next expected sequence number while the peer's window is 0.
      if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
        acked().flags |= TCP_A.ZERO_WINDOW_PROBE;
        break checks;
      }
      // ZERO WINDOW: window 0 on a segment without SYN/FIN/RST.
      if (window === 0 && (flags & (TH_RST | TH_FIN | TH_SYN)) === 0) acked().flags |= TCP_A.ZERO_WINDOW;
      // LOST PACKET: the segment starts beyond the highest nextseq seen (RSTs excepted).
      if (fwd.nextseq && gtSeq(seq, fwd.nextseq) && (flags & TH_RST) === 0) acked().flags |= TCP_A.LOST_PACKET;
      // KEEP ALIVE: 0 or 1 byte starting one byte before the next expected sequence number.
      if ((seglen === 0 || seglen === 1) && seq === u32(fwd.nextseq - 1) && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0) acked().flags |= TCP_A.KEEP_ALIVE;
      // WINDOW UPDATE: no data, same seq/ack as before, a new non-zero window.
      if (seglen === 0 && window && window !== fwd.window && seq === fwd.nextseq && ack === fwd.lastack && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0) {
        acked().flags |= TCP_A.WINDOW_UPDATE;
      }
      // WINDOW FULL: data reaching exactly the right edge of the peer's advertised window (scale known).
      if (seglen > 0 && rev.winScale !== -1 && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0) {
        const shift = rev.isFirstAck ? 0 : rev.winScale === -2 ? 0 : rev.winScale;
        if (u32(seq + seglen) === u32(rev.lastack + u32(rev.window * 2 ** shift))) acked().flags |= TCP_A.WINDOW_FULL;
      }
      const pureRepeat = seglen === 0 && seq === fwd.nextseq && ack === fwd.lastack && (flags & (TH_SYN | TH_FIN | TH_RST)) === 0;
      // KEEP ALIVE ACK: repeats the previous ACK right after a keep-alive from the peer.
      if (pureRepeat && window && window === fwd.window && rev.lastSegmentFlags & TCP_A.KEEP_ALIVE) {
        acked().flags |= TCP_A.KEEP_ALIVE_ACK;
        break checks;
      }
      // ZERO WINDOW PROBE ACK: repeats the previous zero-window ACK right after a zero window probe.
      if (pureRepeat && window === 0 && window === fwd.window && rev.lastSegmentFlags & TCP_A.ZERO_WINDOW_PROBE) {
        acked().flags |= TCP_A.ZERO_WINDOW_PROBE_ACK;
        break checks;
      }
      // DUPLICATE ACK: no data, same window/seq/ack as the previous segment of this direction.
      if (pureRepeat && window && window === fwd.window) {
        fwd.dupAckNum = fwd.dupAckNum === -1 ? 1 : fwd.dupAckNum + 1;
        const a = acked();
        a.flags |= TCP_A.DUPLICATE_ACK;
        a.dupAckNum = fwd.dupAckNum;
        a.dupAckFrame = fwd.lastNonDupAck;
      }
    }

    // finished_fwd: a new ack number resets the duplicate-ACK counter.
    if (ack !== fwd.lastack) {
      fwd.lastNonDupAck = frame;
      fwd.dupAckNum = 0;
    }

    // ACKED LOST PACKET: this ACK covers data never seen in the other direction.
    if (rev.maxSeqToBeAcked && gtSeq(ack, rev.maxSeqToBeAcked) && (flags & TH_ACK) !== 0) {
      const a = acked();
      if (rev.maxSeqToBeAcked > rev.nextseq) {
        rev.maxSeqToBeAcked = rev.nextseq;
        a.flags |= TCP_A.ACK_LOST_PACKET;
      } else {
        if (rev.dupAckNum === 0) a.flags |= TCP_A.ACK_LOST_PACKET;
        rev.dupAckNum = -1;
      }
    }

    // RETRANSMISSION / FAST RETRANSMISSION / OUT-OF-ORDER / SPURIOUS: data, SYN or FIN that does not advance nextseq.
    retransmission: if (seglen > 0 || flags & (TH_SYN | TH_FIN)) {
      let seqNotAdvanced = fwd.nextseq !== 0 && ltSeq(seq, fwd.nextseq);
      if (ta && ta.flags & TCP_A.KEEP_ALIVE) break retransmission;
      // More than one byte starting one before nextseq (after a possible zero window probe) is new data.
      if (seglen > 1 && u32(fwd.nextseq - 1) === seq) seqNotAdvanced = false;
      // SPURIOUS: all of the data was already acknowledged by the peer.
      if (seglen > 0 && rev.lastack && leSeq(u32(seq + seglen), rev.lastack)) {
        acked().flags |= TCP_A.SPURIOUS_RETRANSMISSION;
        break retransmission;
      }
      // FAST RETRANSMISSION (checked first by default): >= 2 duplicate ACKs for this seq, within 20 ms of the last.
      const sinceDupAck = deltaNs(now, rev.lastackTime);
      if (seqNotAdvanced && rev.dupAckNum >= 2 && rev.lastack === seq && sinceDupAck >= 0 && sinceDupAck < 20_000_000) {
        acked().flags |= TCP_A.FAST_RETRANSMISSION;
        break retransmission;
      }
      // OUT-OF-ORDER: sooner after the highest segment than the handshake RTT (3 ms without one), and not a plain repeat.
      const sinceNext = deltaNs(now, fwd.nextseqTime);
      const threshold = isZero(conv.tsFirstRtt) ? 3_000_000 : conv.tsFirstRtt.sec * 1e9 + conv.tsFirstRtt.nsec;
      if (seqNotAdvanced && sinceNext >= 0 && sinceNext < threshold && fwd.nextseq !== u32(seq + seglen + (flags & (TH_SYN | TH_FIN) ? 1 : 0))) {
        acked().flags |= TCP_A.OUT_OF_ORDER;
        break retransmission;
      }
      if (seqNotAdvanced) {
        const a = acked();
        a.flags |= TCP_A.RETRANSMISSION;
        a.rto = deltaNs(now, fwd.nextseqTime) / 1e9;
        a.rtoFrame = fwd.nextseqFrame;
        const eldest = fwd.segments[0];
        if (eldest) {
          a.rto = deltaNs(now, eldest.time) / 1e9;
          a.rtoFrame = eldest.frame;
        }
      }
    }

    // finished_checking_retransmission_type
    let nextseq = u32(seq + seglen);
    if ((seglen || flags & (TH_SYN | TH_FIN)) && fwd.segments.length < TCP_MAX_UNACKED_SEGMENTS) {
      if (flags & (TH_SYN | TH_FIN)) nextseq = u32(nextseq + 1);
      fwd.segments.push({ frame, seq, nextseq, time: now });
    }
    const isProbe = ta !== undefined && (ta.flags & TCP_A.ZERO_WINDOW_PROBE) !== 0;
    if (gtSeq(nextseq, fwd.nextseq) || !fwd.nextseq) {
      if (!isProbe) {
        fwd.nextseq = nextseq;
        fwd.nextseqFrame = frame;
        fwd.nextseqTime = now;
      }
    }
    if (seq === fwd.maxSeqToBeAcked || !fwd.maxSeqToBeAcked) {
      if (!isProbe) fwd.maxSeqToBeAcked = fwd.nextseq;
    }
    fwd.window = window;
    fwd.lastack = ack;
    fwd.lastackTime = now;
    fwd.lastSegmentFlags = ta ? ta.flags : 0;

    // Remove what this ACK covers from the other direction's unacked list (newest first, as Wireshark walks it).
    const list = rev.segments;
    for (let i = list.length - 1; i >= 0; i--) {
      const u = list[i]!;
      if (ack === u.nextseq) {
        const a = acked();
        a.acksFrame = u.frame;
        a.ackRtt = deltaNs(now, u.time) / 1e9;
      } else if (gtSeq(ack, u.seq) && leSeq(ack, u.nextseq)) {
        u.seq = ack;
        i++; // re-examine the same segment, like Wireshark's `continue`
        continue;
      } else if (gtSeq(u.nextseq, ack)) {
        continue;
      }
      list.splice(i, 1);
    }
    return ta;
  }
}

function nsToTime(ns: number): CaptureTime {
  const sec = Math.floor(ns / 1e9);
  return { sec, nsec: Math.round(ns - sec * 1e9) };
}

/** Wireshark's expert messages also raise tcp.analysis.retransmission for fast and spurious retransmissions. */
export function analysisFieldsPresent(flags: number): Set<string> {
  const out = new Set<string>();
  for (const [bit, name] of TCP_ANALYSIS_FIELDS) if (flags & bit) out.add(name);
  if (flags & (TCP_A.FAST_RETRANSMISSION | TCP_A.SPURIOUS_RETRANSMISSION)) out.add("retransmission");
  return out;
}
