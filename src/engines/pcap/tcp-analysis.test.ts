// The tcp.analysis flags the conformance captures do not exercise, each case reasoned from the rules of
// packet-tcp.c's tcp_analyze_sequence_number (quoted at each case) on a handshake without window scaling.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeCapture } from "../../sources/pcap/read.js";
import { ACK, buildPcap, ipv4, PSH, SYN, tcp } from "../../testing/capture-builder.js";
import { TCP_A, TcpAnalyzer, type TcpFrameAnalysis } from "./tcp-analysis.js";

interface Seg {
  t: number;
  c: boolean;
  seq: number;
  ack: number;
  flags?: number;
  len?: number;
  win?: number;
  sport?: number;
}

/** Client 10.0.0.1:40000 (ISN 1000), server 10.0.0.2:80 (ISN 5000); times in ms. */
function run(segs: readonly Seg[]): TcpFrameAnalysis[] {
  const frames = segs.map((s) => {
    const sport = s.sport ?? 40000;
    const [src, dst, sp, dp] = s.c ? ["10.0.0.1", "10.0.0.2", sport, 80] : ["10.0.0.2", "10.0.0.1", 80, sport];
    return { time: 1700000000 + s.t / 1000, data: ipv4({ src, dst, protocol: 6, payload: tcp({ sport: sp, dport: dp, seq: s.seq, ack: s.ack, flags: s.flags ?? ACK, window: s.win ?? 1000, payload: new Uint8Array(s.len ?? 0) }) }) };
  });
  const analyzer = new TcpAnalyzer();
  return [...decodeCapture([buildPcap(frames, { linkType: 101 })], "t.pcap", {})].map((p) => analyzer.analyze(p)!);
}

const HANDSHAKE: Seg[] = [
  { t: 0, c: true, seq: 1000, ack: 0, flags: SYN },
  { t: 10, c: false, seq: 5000, ack: 1001, flags: SYN | ACK },
  { t: 20, c: true, seq: 1001, ack: 5001 },
];
const has = (a: TcpFrameAnalysis, bit: number): boolean => (a.flags & bit) !== 0;

describe("tcp.analysis flags beyond the conformance captures", () => {
  it("lost segment: 'beyond the last seen nextseq' (seq 1201 when 1101 was next)", () => {
    const r = run([...HANDSHAKE, { t: 30, c: true, seq: 1001, ack: 5001, flags: ACK | PSH, len: 100 }, { t: 40, c: true, seq: 1201, ack: 5001, flags: ACK | PSH, len: 100 }]);
    assert.equal(has(r[3]!, TCP_A.LOST_PACKET), false);
    assert.equal(has(r[4]!, TCP_A.LOST_PACKET), true);
  });

  it("ACKed unseen segment: 'acks beyond the max seq to be acked in the other direction'", () => {
    const r = run([...HANDSHAKE, { t: 30, c: true, seq: 1001, ack: 5001, flags: ACK | PSH, len: 100 }, { t: 40, c: false, seq: 5001, ack: 1301 }]);
    assert.equal(has(r[4]!, TCP_A.ACK_LOST_PACKET), true);
  });

  it("out-of-order: an earlier segment within the handshake RTT (20 ms here) that is not a plain repeat", () => {
    const r = run([
      ...HANDSHAKE,
      { t: 30, c: true, seq: 1101, ack: 5001, flags: ACK | PSH, len: 100 }, // the gap: lost segment
      { t: 31, c: true, seq: 1001, ack: 5001, flags: ACK | PSH, len: 100 }, // 1 ms later, fills it
    ]);
    assert.equal(has(r[3]!, TCP_A.LOST_PACKET), true);
    assert.equal(has(r[4]!, TCP_A.OUT_OF_ORDER), true);
    assert.equal(has(r[4]!, TCP_A.RETRANSMISSION), false);
  });

  it("the same segment later than the RTT is a retransmission, with its RTO back to the original", () => {
    const r = run([...HANDSHAKE, { t: 30, c: true, seq: 1001, ack: 5001, flags: ACK | PSH, len: 100 }, { t: 330, c: true, seq: 1001, ack: 5001, flags: ACK | PSH, len: 100 }]);
    assert.equal(has(r[4]!, TCP_A.RETRANSMISSION), true);
    assert.equal(r[4]!.rtoFrame, 4);
    assert.ok(Math.abs(r[4]!.rto! - 0.3) < 1e-9);
  });

  it("window full: data reaching lastack + the peer's window exactly (no scaling: the SYN had no WS option)", () => {
    const r = run([...HANDSHAKE.slice(0, 2), { t: 20, c: true, seq: 1001, ack: 5001, win: 1000 }, { t: 25, c: false, seq: 5001, ack: 1001, win: 300 }, { t: 30, c: true, seq: 1001, ack: 5001, flags: ACK | PSH, len: 300 }]);
    assert.equal(has(r[4]!, TCP_A.WINDOW_FULL), true);
  });

  it("zero window probe and its ACK: one byte at nextseq while the peer's window is 0, then the peer repeats its zero-window ACK", () => {
    const r = run([
      ...HANDSHAKE,
      { t: 30, c: false, seq: 5001, ack: 1001, win: 0 },
      { t: 230, c: true, seq: 1001, ack: 5001, flags: ACK, len: 1 },
      { t: 231, c: false, seq: 5001, ack: 1001, win: 0 },
    ]);
    assert.equal(has(r[3]!, TCP_A.ZERO_WINDOW), true);
    assert.equal(has(r[4]!, TCP_A.ZERO_WINDOW_PROBE), true);
    assert.equal(has(r[5]!, TCP_A.ZERO_WINDOW_PROBE_ACK), true);
    assert.equal(has(r[5]!, TCP_A.ZERO_WINDOW), true);
  });

  it("keep-alive ACK: 'repeats the previous ACK' right after a keep-alive (seq = nextseq - 1) from the peer", () => {
    const r = run([...HANDSHAKE, { t: 30, c: false, seq: 5001, ack: 1001 }, { t: 60030, c: true, seq: 1000, ack: 5001 }, { t: 60031, c: false, seq: 5001, ack: 1001 }]);
    assert.equal(has(r[4]!, TCP_A.KEEP_ALIVE), true);
    assert.equal(has(r[5]!, TCP_A.KEEP_ALIVE_ACK), true);
    assert.equal(has(r[5]!, TCP_A.DUPLICATE_ACK), false);
  });

  it("reused ports: a SYN with a new ISN on a known 4-tuple opens a new tcp.stream", () => {
    const r = run([...HANDSHAKE, { t: 1000, c: true, seq: 90000, ack: 0, flags: SYN }]);
    assert.equal(r[3]!.stream, 1);
    assert.equal(has(r[3]!, TCP_A.REUSED_PORTS), true);
    assert.equal(r[3]!.seq, 0);
  });

  it("window scaling: used when both SYN and SYN/ACK carry the option, and tcp.window_size is scaled after the handshake", () => {
    const frames = [
      ipv4({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 6, payload: tcp({ sport: 40000, dport: 80, seq: 1000, flags: SYN, window: 64240, windowScale: 7 }) }),
      ipv4({ src: "10.0.0.2", dst: "10.0.0.1", protocol: 6, payload: tcp({ sport: 80, dport: 40000, seq: 5000, ack: 1001, flags: SYN | ACK, window: 65160, windowScale: 9 }) }),
      ipv4({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 6, payload: tcp({ sport: 40000, dport: 80, seq: 1001, ack: 5001, flags: ACK, window: 502 }) }),
    ].map((data, i) => ({ time: 1700000000 + i / 1000, data }));
    const analyzer = new TcpAnalyzer();
    const r = [...decodeCapture([buildPcap(frames, { linkType: 101 })], "t.pcap", {})].map((p) => analyzer.analyze(p)!);
    assert.deepEqual(r.map((a) => a.windowSize), [64240, 65160, 502 * 128]);
  });
});
