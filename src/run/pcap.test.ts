// Flow summaries and findings on built captures. Each case states the packets and what TCP/DNS semantics say
// about them; nothing here is copied from kubesleuth's output.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeCapture } from "../sources/pcap/read.js";
import { ACK, buildPcap, dnsMessage, ethernet, FIN, ipv4, PSH, RST, SYN, tcp, udp, type FrameSpec } from "../testing/capture-builder.js";
import { schemaErrors } from "../../test/report-schema.js";
import { analyzePackets, buildPcapReport, isSearchListExpansion } from "./pcap.js";

const CLIENT = "10.244.0.5";
const SERVER = "10.244.1.7";
const DNS = "10.96.0.10";
const T0 = 1764300000;

function seg(time: number, fromClient: boolean, spec: { seq: number; ack?: number; flags: number; len?: number; window?: number; sport?: number }): FrameSpec {
  const sport = spec.sport ?? 43210;
  const [src, dst, sp, dp] = fromClient ? [CLIENT, SERVER, sport, 8080] : [SERVER, CLIENT, 8080, sport];
  return { time: T0 + time, data: ethernet(ipv4({ src, dst, protocol: 6, payload: tcp({ sport: sp, dport: dp, seq: spec.seq, ack: spec.ack, flags: spec.flags, window: spec.window ?? 502, payload: new Uint8Array(spec.len ?? 0) }) })) };
}

function dns(time: number, query: boolean, id: number, name: string, rcode = 0, sport = 40001): FrameSpec {
  const message = dnsMessage({ id, name, response: !query, rcode, answers: !query && rcode === 0 ? 1 : 0 });
  const [src, dst, sp, dp] = query ? [CLIENT, DNS, sport, 53] : [DNS, CLIENT, 53, sport];
  return { time: T0 + time, data: ethernet(ipv4({ src, dst, protocol: 17, payload: udp({ sport: sp, dport: dp, payload: message }) })) };
}

function analyze(frames: FrameSpec[]) {
  const packets = [...decodeCapture([buildPcap(frames)], "case.pcap", {})];
  const result = analyzePackets("case.pcap", packets);
  const report = buildPcapReport("test", [result]);
  assert.deepEqual(schemaErrors(report), [], "the report follows schema/report.schema.json");
  return { ...result, report, codes: report.findings.map((f) => f.code) };
}

describe("TCP handshakes", () => {
  it("a completed connection with a clean close yields no finding, and its handshake RTT is SYN -> final ACK", () => {
    const { summary, codes } = analyze([
      seg(0, true, { seq: 100, flags: SYN }),
      seg(0.002, false, { seq: 900, ack: 101, flags: SYN | ACK }),
      seg(0.0025, true, { seq: 101, ack: 901, flags: ACK }),
      seg(0.003, true, { seq: 101, ack: 901, flags: ACK | PSH, len: 200 }),
      seg(0.005, false, { seq: 901, ack: 301, flags: ACK | PSH, len: 50 }),
      seg(0.006, true, { seq: 301, ack: 951, flags: FIN | ACK }),
      seg(0.007, false, { seq: 951, ack: 302, flags: FIN | ACK }),
      seg(0.008, true, { seq: 302, ack: 952, flags: ACK }),
    ]);
    assert.deepEqual(codes, []);
    const f = summary.tcp[0]!;
    assert.equal(f.handshake, "complete");
    assert.equal(f.client, `${CLIENT}:43210`);
    assert.equal(f.server, `${SERVER}:8080`);
    assert.deepEqual(f.packets, { toServer: 5, toClient: 3 });
    assert.ok(Math.abs(f.handshakeRtt! - 0.0025) < 1e-9);
    // ACK RTTs (Wireshark's ack_rtt): SYN/ACK 2 ms after the SYN, ACK 0.5 ms after the SYN/ACK, data 2 ms, 1 ms...
    assert.ok(f.ackRtt && f.ackRtt.samples >= 4);
    assert.ok(Math.abs(f.ackRtt.min - 0.0005) < 1e-9);
  });

  it("SYN answered by RST: refused, an error finding naming the endpoint with the SYN and RST frames", () => {
    const { summary, report } = analyze([seg(0, true, { seq: 100, flags: SYN }), seg(0.0004, false, { seq: 0, ack: 101, flags: RST | ACK, window: 0 })]);
    assert.equal(summary.tcp[0]!.handshake, "refused");
    assert.equal(summary.tcp[0]!.handshakeRtt, undefined);
    assert.deepEqual(summary.tcp[0]!.resets.map((r) => r.by), ["server"]);
    const f = report.findings.find((x) => x.code === "pcap-tcp/connectionRefused")!;
    assert.equal(f.severity, "error");
    assert.equal(f.subject.name, `${SERVER}:8080`);
    assert.deepEqual(f.evidence.map((e) => e.value), [1, 2]);
    assert.deepEqual(f.impact.direct, [{ kind: "IP", name: CLIENT }]);
  });

  it("SYN retransmitted without any answer: unanswered (dropped on the path), each repeat a retransmission", () => {
    // Linux retransmits a SYN after 1 s, then 2 s later: the same sequence number each time.
    const { summary, report } = analyze([seg(0, true, { seq: 100, flags: SYN }), seg(1, true, { seq: 100, flags: SYN }), seg(3, true, { seq: 100, flags: SYN })]);
    const f = summary.tcp[0]!;
    assert.equal(f.handshake, "unanswered");
    assert.deepEqual(f.synFrames, [1, 2, 3]);
    assert.equal(f.retransmissions, 2);
    const finding = report.findings.find((x) => x.code === "pcap-tcp/synUnanswered")!;
    assert.equal(finding.severity, "error");
    assert.match(finding.rootCause, /NetworkPolicy/);
  });

  it("a lone SYN at the very end of the capture is pending, not a failure", () => {
    const { summary, codes } = analyze([dns(0, true, 1, "a.example"), dns(0.001, false, 1, "a.example"), seg(0.5, true, { seq: 100, flags: SYN }), dns(0.7, true, 2, "b.example"), dns(0.701, false, 2, "b.example")]);
    assert.equal(summary.tcp[0]!.handshake, "pending");
    assert.deepEqual(codes, []);
  });

  it("SYN/ACK never acknowledged and retransmitted: syn-ack-unacknowledged", () => {
    const { summary, codes } = analyze([seg(0, true, { seq: 100, flags: SYN }), seg(0.001, false, { seq: 900, ack: 101, flags: SYN | ACK }), seg(1.001, false, { seq: 900, ack: 101, flags: SYN | ACK })]);
    assert.equal(summary.tcp[0]!.handshake, "syn-ack-unacknowledged");
    assert.deepEqual(codes, ["pcap-tcp/synAckUnacknowledged"]);
  });

  it("an established connection reset by the server without a FIN is reported with who reset it", () => {
    const { summary, report } = analyze([
      seg(0, true, { seq: 100, flags: SYN }),
      seg(0.001, false, { seq: 900, ack: 101, flags: SYN | ACK }),
      seg(0.002, true, { seq: 101, ack: 901, flags: ACK }),
      seg(0.003, true, { seq: 101, ack: 901, flags: ACK | PSH, len: 10 }),
      seg(0.004, false, { seq: 901, ack: 111, flags: RST | ACK }),
    ]);
    assert.deepEqual(summary.tcp[0]!.resets, [{ frame: 5, time: summary.tcp[0]!.resets[0]!.time, by: "server" }]);
    const f = report.findings.find((x) => x.code === "pcap-tcp/connectionReset")!;
    assert.match(f.summary, /1 by the server/);
  });

  it("a segment retransmitted by timeout twice in a row is a stall warning", () => {
    const { summary, report } = analyze([
      seg(0, true, { seq: 100, flags: SYN }),
      seg(0.001, false, { seq: 900, ack: 101, flags: SYN | ACK }),
      seg(0.002, true, { seq: 101, ack: 901, flags: ACK }),
      seg(0.003, true, { seq: 101, ack: 901, flags: ACK | PSH, len: 10 }),
      seg(0.3, true, { seq: 101, ack: 901, flags: ACK | PSH, len: 10 }),
      seg(0.9, true, { seq: 101, ack: 901, flags: ACK | PSH, len: 10 }),
    ]);
    assert.equal(summary.tcp[0]!.retransmissions, 2);
    assert.equal(summary.tcp[0]!.maxRetransmissionRun, 2);
    assert.equal(report.findings.find((x) => x.code === "pcap-tcp/retransmissionStall")?.severity, "warning");
  });
});

describe("DNS", () => {
  it("pairs queries and responses; NXDOMAINs of the search list before a name that resolves are not findings", () => {
    // A pod with ndots:5 resolving "api.shop" tries the search domains first (RFC 1535 style expansion).
    const { summary, codes } = analyze([
      dns(0, true, 10, "api.shop.default.svc.cluster.local"),
      dns(0.001, false, 10, "api.shop.default.svc.cluster.local", 3),
      dns(0.002, true, 11, "api.shop.svc.cluster.local"),
      dns(0.003, false, 11, "api.shop.svc.cluster.local", 0),
    ]);
    assert.deepEqual(codes, []);
    const byName = Object.fromEntries(summary.dns.names.map((n) => [n.name, n]));
    assert.equal(byName["api.shop.default.svc.cluster.local"]!.nxdomain, 1);
    assert.equal(byName["api.shop.default.svc.cluster.local"]!.searchListNxdomain, 1);
    assert.equal(byName["api.shop.svc.cluster.local"]!.answered, 1);
  });

  it("reports NXDOMAIN, SERVFAIL and unanswered queries by name, with the 5 s timeout rule", () => {
    const { summary, report } = analyze([
      dns(0, true, 1, "paymnts.shop.svc.cluster.local"),
      dns(0.001, false, 1, "paymnts.shop.svc.cluster.local", 3),
      dns(0.1, true, 2, "api.example.com", 0, 40002),
      dns(0.2, false, 2, "api.example.com", 2, 40002),
      dns(0.3, true, 3, "db.shop.svc.cluster.local", 0, 40003),
      dns(0.4, true, 3, "db.shop.svc.cluster.local", 0, 40003), // the same query again: a retry, not a new one
      dns(1, true, 4, "late.example", 0, 40004),
      dns(6, true, 5, "tail.example", 0, 40005), // < 5 s before the end of the capture: pending
      dns(6.3, true, 6, "x.example", 0, 40006),
      dns(6.301, false, 6, "x.example", 0, 40006),
    ]);
    const byName = Object.fromEntries(summary.dns.names.map((n) => [n.name, n]));
    assert.equal(byName["paymnts.shop.svc.cluster.local"]!.nxdomain, 1);
    assert.equal(byName["api.example.com"]!.servfail, 1);
    assert.equal(byName["db.shop.svc.cluster.local"]!.unanswered, 1);
    assert.equal(byName["db.shop.svc.cluster.local"]!.queries, 1);
    assert.equal(byName["late.example"]!.unanswered, 1);
    assert.equal(byName["tail.example"]!.pending, 1);
    const codes = report.findings.map((f) => `${f.code} ${f.subject.name}`).sort();
    assert.deepEqual(codes, [
      "pcap-dns/nxdomain paymnts.shop.svc.cluster.local",
      "pcap-dns/queryUnanswered db.shop.svc.cluster.local",
      "pcap-dns/queryUnanswered late.example",
      "pcap-dns/serverFailure api.example.com",
    ]);
  });

  it("reads DNS over TCP (2-byte length prefix, RFC 1035 4.2.2), even when a message spans segments", () => {
    const framed = (m: Uint8Array): Uint8Array => Uint8Array.from([m.length >> 8, m.length & 0xff, ...m]);
    const query = framed(dnsMessage({ id: 77, name: "big.example", qtype: 16 }));
    const answer = framed(dnsMessage({ id: 77, name: "big.example", qtype: 16, response: true, rcode: 2 }));
    const tcpDns = (time: number, fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array = new Uint8Array(0)): FrameSpec => {
      const [src, dst, sp, dp] = fromClient ? [CLIENT, DNS, 41000, 53] : [DNS, CLIENT, 53, 41000];
      return { time: T0 + time, data: ethernet(ipv4({ src, dst, protocol: 6, payload: tcp({ sport: sp, dport: dp, seq, ack, flags, payload }) })) };
    };
    const { summary, codes } = analyze([
      tcpDns(0, true, 10, 0, SYN),
      tcpDns(0.001, false, 500, 11, SYN | ACK),
      tcpDns(0.002, true, 11, 501, ACK),
      tcpDns(0.003, true, 11, 501, ACK | PSH, query.subarray(0, 5)),
      tcpDns(0.004, true, 16, 501, ACK | PSH, query.subarray(5)),
      tcpDns(0.01, false, 501, 11 + query.length, ACK | PSH, answer),
    ]);
    assert.deepEqual(summary.dns.names.map((n) => [n.name, n.qtypes, n.servfail]), [["big.example", ["TXT"], 1]]);
    assert.deepEqual(codes, ["pcap-dns/serverFailure"]);
  });

  it("pairs a response from the CoreDNS pod IP with the query to the kube-dns ClusterIP (one side of the NAT captured)", () => {
    const query = dns(0, true, 9, "api.shop.svc.cluster.local");
    const answer = dnsMessage({ id: 9, name: "api.shop.svc.cluster.local", response: true, answers: 1 });
    const fromPod: FrameSpec = { time: T0 + 0.001, data: ethernet(ipv4({ src: "10.244.2.3", dst: CLIENT, protocol: 17, payload: udp({ sport: 53, dport: 40001, payload: answer }) })) };
    const { summary } = analyze([query, fromPod]);
    assert.equal(summary.dns.names[0]!.answered, 1);
    assert.equal(summary.dns.responsesWithoutQuery, 0);
  });

  it("search-list expansion: the bare name, or the same prefix under a shorter (suffix) search domain, resolved", () => {
    // Search list of a pod in namespace default: default.svc.cluster.local svc.cluster.local cluster.local
    assert.equal(isSearchListExpansion("api.default.svc.cluster.local", new Set(["api"])), true);
    assert.equal(isSearchListExpansion("api.shop.default.svc.cluster.local", new Set(["api.shop.svc.cluster.local"])), true);
    assert.equal(isSearchListExpansion("db.svc.cluster.local.cluster.local", new Set(["db.svc.cluster.local"])), true);
    assert.equal(isSearchListExpansion("apis.default.svc.cluster.local", new Set(["api"])), false);
    assert.equal(isSearchListExpansion("api.shop.default.svc.cluster.local", new Set(["api.other.svc.cluster.local"])), false);
    assert.equal(isSearchListExpansion("api", new Set(["api"])), false);
  });
});
