// `kubesleuth pcap` end to end: exit codes, JSON report contract, text output, damaged and foreign files.
// Captures are built byte by byte (src/testing/capture-builder.ts); expectations are reasoned at each case.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./cli-harness.js";
import { schemaErrors } from "./report-schema.js";
import { ACK, buildPcap, buildPcapngSection, dnsMessage, ethernet, ipv4, linuxCooked, RST, SYN, tcp, udp, type FrameSpec } from "../src/testing/capture-builder.js";

const T0 = 1764300000;
const frame = (time: number, src: string, dst: string, sport: number, dport: number, seq: number, ack: number, flags: number): FrameSpec => ({
  time: T0 + time,
  data: ethernet(ipv4({ src, dst, protocol: 6, payload: tcp({ sport, dport, seq, ack, flags }) })),
});

let dir: string;
const path = (name: string): string => join(dir, name);

before(() => {
  dir = mkdtempSync(join(tmpdir(), "kubesleuth-pcap-"));
  // Case 6, refused: two connection attempts to 10.244.1.7:8080, each SYN answered by RST/ACK.
  writeFileSync(
    path("refused.pcap"),
    buildPcap([
      frame(0, "10.244.0.5", "10.244.1.7", 40000, 8080, 1, 0, SYN),
      frame(0.0003, "10.244.1.7", "10.244.0.5", 8080, 40000, 0, 2, RST | ACK),
      frame(0.5, "10.244.0.5", "10.244.1.7", 40002, 8080, 9, 0, SYN),
      frame(0.5003, "10.244.1.7", "10.244.0.5", 8080, 40002, 0, 10, RST | ACK),
    ]),
  );
  // Healthy: a handshake and an answered DNS query, captured on the Linux "any" device (SLL2) into pcapng.
  const sll = (f: FrameSpec): FrameSpec => ({ ...f, data: linuxCooked(f.data.subarray(14), 2) });
  const dnsQuery = ipv4({ src: "10.244.0.5", dst: "10.96.0.10", protocol: 17, payload: udp({ sport: 5000, dport: 53, payload: dnsMessage({ id: 1, name: "api.shop.svc.cluster.local" }) }) });
  const dnsAnswer = ipv4({ src: "10.96.0.10", dst: "10.244.0.5", protocol: 17, payload: udp({ sport: 53, dport: 5000, payload: dnsMessage({ id: 1, name: "api.shop.svc.cluster.local", response: true, answers: 1 }) }) });
  writeFileSync(
    path("healthy.pcapng"),
    buildPcapngSection(
      [{ linkType: 276, tsresol: 9 }],
      [
        { time: T0, data: linuxCooked(dnsQuery, 2) },
        { time: T0 + 0.001, data: linuxCooked(dnsAnswer, 2) },
        sll(frame(0.002, "10.244.0.5", "10.96.12.1", 40100, 80, 1, 0, SYN)),
        sll(frame(0.003, "10.96.12.1", "10.244.0.5", 80, 40100, 100, 2, SYN | ACK)),
        sll(frame(0.004, "10.244.0.5", "10.96.12.1", 40100, 80, 2, 101, ACK)),
      ],
    ),
  );
  writeFileSync(path("not-a-capture.yaml"), "apiVersion: v1\nkind: Pod\n");
  const whole = buildPcap([frame(0, "10.0.0.1", "10.0.0.2", 1000, 80, 1, 0, SYN), frame(0.1, "10.0.0.2", "10.0.0.1", 80, 1000, 7, 2, SYN | ACK), frame(0.2, "10.0.0.1", "10.0.0.2", 1000, 80, 2, 8, ACK)]);
  writeFileSync(path("truncated.pcap"), whole.subarray(0, whole.length - 20));
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe("kubesleuth pcap", () => {
  it("--help teaches with examples", async () => {
    const r = await runCli(["pcap", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:/);
    assert.match(r.stdout, /kubesleuth pcap \/tmp\/app\.pcap/);
    assert.match(r.stdout, /unanswered/);
  });

  it("refused connections: exit 1, one error finding for the endpoint, a valid JSON report", async () => {
    const r = await runCli(["pcap", path("refused.pcap"), "-o", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(schemaErrors(report), []);
    assert.equal(report.source.kind, "capture");
    assert.deepEqual(report.findings.map((f: { code: string; subject: { name: string } }) => [f.code, f.subject.name]), [["pcap-tcp/connectionRefused", "10.244.1.7:8080"]]);
    assert.deepEqual(report.findings[0].evidence.map((e: { value: number }) => e.value), [1, 2, 3, 4]);
    assert.deepEqual(report.captures[0].tcp.map((f: { handshake: string }) => f.handshake), ["refused", "refused"]);
  });

  it("a healthy capture has no findings and exits 0 (text output lists nothing to look at)", async () => {
    const r = await runCli(["pcap", path("healthy.pcapng")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 stream\(s\) \[1 complete\]/);
    assert.match(r.stdout, /No problems found\./);
    const json = JSON.parse((await runCli(["pcap", path("healthy.pcapng"), "-o", "json"])).stdout);
    assert.equal(json.captures[0].dns.names[0].answered, 1);
  });

  it("several files in one report; --fail-on none exits 0", async () => {
    const r = await runCli(["pcap", path("healthy.pcapng"), path("refused.pcap"), "--fail-on", "none", "-o", "json"]);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout).captures.length, 2);
  });

  it("a file that is not a capture: one line with the byte offset, exit 2", async () => {
    const r = await runCli(["pcap", path("not-a-capture.yaml")]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.match(r.stderr, /not-a-capture\.yaml: at byte 0: not a pcap or pcapng capture/);
    const missing = await runCli(["pcap", path("nope.pcap")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file/);
  });

  it("a truncated capture: the frames before the cut are analysed, the damage is reported with its offset", async () => {
    // 24-byte header, then records of 16 + 54 bytes: the third record starts at 24 + 2 * 70 = 164.
    const r = await runCli(["pcap", path("truncated.pcap"), "-o", "json"]);
    assert.match(r.stderr, /truncated capture at byte 164; analysed the 2 frames before it/);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(schemaErrors(report), []);
    assert.equal(report.coverage[path("truncated.pcap")].status, "partial");
    assert.deepEqual(report.skipped, [{ location: `${path("truncated.pcap")}@164`, reason: "file ends inside a packet record (50 bytes left): truncated capture" }]);
    assert.equal(report.captures[0].frames, 2);
  });
});
