// Benchmarks `kubesleuth pcap`'s pipeline on a large generated capture: streaming read (1 MiB chunks) ->
// decode -> Wireshark tcp.analysis per frame -> flow/DNS summary -> findings. Rendering is left out.
//
//   npm run bench:pcap                        (256 MB capture, generated into bench/out/ when missing)
//   npm run bench:pcap -- --mb 1024 --small   (1 GB; --small: 200-byte segments, a packets/s worst case)
//
// The capture: Ethernet + IPv4 + TCP, many concurrent flows (handshake, data segments with ACKs every
// second segment, one retransmission in 50 flows, FIN close) and a DNS query/response for each flow.
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readCaptureFile, type CaptureReadResult } from "../src/sources/pcap/read.js";
import { buildPcapReport, CaptureAnalysis } from "../src/run/pcap.js";
import { ACK, buildPcap, dnsMessage, ethernet, FIN, ipv4, PSH, SYN, tcp, udp, type FrameSpec } from "../src/testing/capture-builder.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const { values } = parseArgs({ options: { mb: { type: "string", default: "256" }, small: { type: "boolean", default: false } } });
const targetBytes = Number(values.mb) * 1024 * 1024;
const segment = values.small ? 200 : 1448;
const out = resolve(HERE, "out");
const file = join(out, `capture-${values.mb}mb-${segment}.pcap`);

function generate(): void {
  mkdirSync(out, { recursive: true });
  const fd = openSync(file, "w");
  // The 24-byte file header, then records appended batch by batch.
  writeSync(fd, buildPcap([]));
  let written = 24;
  let time = 1764300000;
  let flow = 0;
  const payload = new Uint8Array(segment).fill(0x61);
  while (written < targetBytes) {
    // 64 flows interleaved per batch.
    const batch: FrameSpec[] = [];
    const flows = Array.from({ length: 64 }, () => flow++);
    const client = (f: number): string => `10.244.${(f >> 8) & 255}.${f & 255}`;
    const server = (f: number): string => `10.245.${(f >> 10) & 255}.${(f >> 2) & 255}`;
    const port = (f: number): number => 32768 + (f % 28000);
    const seg = (f: number, fromClient: boolean, seq: number, ack: number, flags: number, data?: Uint8Array): FrameSpec => {
      time += 0.00002;
      const [src, dst, sp, dp] = fromClient ? [client(f), server(f), port(f), 8080] : [server(f), client(f), 8080, port(f)];
      return { time, data: ethernet(ipv4({ src, dst, protocol: 6, payload: tcp({ sport: sp, dport: dp, seq, ack, flags, window: 502, payload: data }) })) };
    };
    for (const f of flows) {
      time += 0.00002;
      const q = ipv4({ src: client(f), dst: "10.96.0.10", protocol: 17, payload: udp({ sport: port(f), dport: 53, payload: dnsMessage({ id: f & 0xffff, name: `svc-${f % 500}.shop.svc.cluster.local` }) }) });
      const a = ipv4({ src: "10.96.0.10", dst: client(f), protocol: 17, payload: udp({ sport: 53, dport: port(f), payload: dnsMessage({ id: f & 0xffff, name: `svc-${f % 500}.shop.svc.cluster.local`, response: true, answers: 1 }) }) });
      batch.push({ time, data: ethernet(q) }, { time: time + 0.0001, data: ethernet(a) });
      batch.push(seg(f, true, 1000, 0, SYN), seg(f, false, 5000, 1001, SYN | ACK), seg(f, true, 1001, 5001, ACK));
    }
    const SEGMENTS = 40;
    for (let i = 0; i < SEGMENTS; i++) {
      for (const f of flows) {
        const seq = 1001 + i * segment;
        batch.push(seg(f, true, seq, 5001, ACK | PSH, payload));
        if (i === 7 && f % 50 === 0) batch.push(seg(f, true, seq, 5001, ACK | PSH, payload));
        if (i % 2 === 1) batch.push(seg(f, false, 5001, seq + segment, ACK));
      }
    }
    for (const f of flows) {
      const end = 1001 + SEGMENTS * segment;
      batch.push(seg(f, true, end, 5001, FIN | ACK), seg(f, false, 5001, end + 1, FIN | ACK), seg(f, true, end + 1, 5002, ACK));
    }
    const bytes = buildPcap(batch).subarray(24);
    writeSync(fd, bytes);
    written += bytes.length;
  }
  closeSync(fd);
}

if (!existsSync(file)) {
  const t = performance.now();
  generate();
  console.log(`generated ${file} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const size = statSync(file).size;
const t0 = performance.now();
const analysis = new CaptureAnalysis(file);
const result: Partial<CaptureReadResult> = {};
let frames = 0;
for (const packet of readCaptureFile(file, result)) {
  analysis.add(packet);
  frames++;
}
const summary = analysis.finish(result.format!, result.damage, result.incompleteDatagrams);
const report = buildPcapReport("bench", [{ summary, transactions: analysis.transactions }]);
const seconds = (performance.now() - t0) / 1000;
const figures = {
  file,
  megabytes: +(size / 1024 / 1024).toFixed(1),
  frames,
  tcpStreams: summary.tcpStreams,
  dnsQueries: summary.dns.transactions,
  findings: report.findings.length,
  seconds: +seconds.toFixed(2),
  megabytesPerSecond: +(size / 1024 / 1024 / seconds).toFixed(1),
  framesPerSecond: Math.round(frames / seconds),
  maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(JSON.stringify(figures, null, 2));
