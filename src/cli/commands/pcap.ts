// `kubesleuth pcap <file...>`: TCP and DNS health of packet captures, per flow, with root-cause findings.
import { Command, Option } from "commander";
import { SEVERITIES, severityRank, type Severity } from "../../model/finding.js";
import { readCaptureFile, type CaptureReadResult } from "../../sources/pcap/read.js";
import { buildPcapReport, CaptureAnalysis, DNS_TIMEOUT_SECONDS, SYN_WAIT_SECONDS } from "../../run/pcap.js";
import { renderPcapText } from "../../renderers/pcap.js";
import { renderJson } from "../../renderers/json.js";
import { COLOR_STYLE, PLAIN_STYLE } from "../../renderers/style.js";
import { TOOL_VERSION } from "../../version.js";
import { EXIT_FINDINGS, EXIT_OK } from "../errors.js";
import { useColor } from "../io.js";
import { outputOption, type CommandContext } from "../options.js";

const HELP = `
Reads libpcap (.pcap, micro- or nanosecond, either byte order) and pcapng files (several sections and
interfaces) without loading them whole; link types Ethernet (VLAN tags), Linux cooked SLL/SLL2, raw IP
and BSD loopback; IPv4 (options; fragments are reassembled, the datagram is analysed at the frame that
completes it) and IPv6 (extension headers, fragments reassembled); TCP and UDP.

Per frame, TCP is analysed like Wireshark's tcp.analysis (retransmission, fast/spurious retransmission,
out-of-order, previous segment not captured, ACKed unseen segment, duplicate ACK, zero window and
probes, window full/update, keep-alive, reused ports, ACK RTT); the per-frame flags match tshark on the
conformance captures. Per flow (a tcp.stream, or a UDP 5-tuple): packets and bytes each way,
retransmissions, duplicate ACKs, zero windows, resets and who sent them, the handshake outcome and RTTs.

Handshake outcomes: complete; refused (SYN answered by RST: nothing listens there); unanswered (no
SYN/ACK and no RST after a SYN retransmission or ${SYN_WAIT_SECONDS} s: dropped on the path, e.g. by a
NetworkPolicy); syn-ack-unacknowledged; aborted-by-client; pending (the capture ended too soon to tell);
not-captured (the stream started before the capture).

DNS (UDP and TCP port 53): queries are paired with responses by id, client and server; a query without
response ${DNS_TIMEOUT_SECONDS} s later (the resolver's default timeout) is unanswered; younger ones at the end
of the capture are pending. NXDOMAIN and SERVFAIL are counted by name; an NXDOMAIN for
<name>.<search domain> when the same client then resolved <name> is the search list at work, not an error.

A capture cut short (tcpdump killed, disk full) is analysed up to the damage, which is reported with
its byte offset; a file that is not a capture at all is an error (exit 2).

Examples:
  # Capture on the node of the client pod, then analyse
  tcpdump -i any -w /tmp/app.pcap 'host 10.244.1.7 or port 53'
  kubesleuth pcap /tmp/app.pcap

  # Several captures (client and server side), JSON for tooling
  kubesleuth pcap client.pcapng server.pcapng -o json

  # In CI: fail only on error findings (default), or on warnings too
  kubesleuth pcap capture.pcap --fail-on warning

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 unreadable or not a capture.
`;

interface PcapOpts {
  output: string;
  failOn?: string;
  color?: boolean;
  debug?: boolean;
}

export function registerPcapCommand(program: Command, context: CommandContext): void {
  const { io } = context;
  program
    .command("pcap")
    .description("Packet captures: per-flow retransmissions, duplicate ACKs, zero windows, resets, failed handshakes, RTT and DNS failures, with root causes.")
    .argument("<file...>", "capture files: .pcap or .pcapng")
    .addOption(outputOption(["text", "json"], "text"))
    .addOption(new Option("--fail-on <severity>", "exit 1 when a finding is at or above this severity (default error)").choices([...SEVERITIES, "none"]))
    .option("--no-color", "no ANSI colour (also NO_COLOR=1)")
    .option("--debug", "print stack traces on errors")
    .addHelpText("after", HELP)
    .action((files: string[], opts: PcapOpts) => {
      context.setDebug(opts.debug === true);
      const captures = [];
      for (const file of files) {
        const analysis = new CaptureAnalysis(file);
        const result: Partial<CaptureReadResult> = {};
        for (const packet of readCaptureFile(file, result)) analysis.add(packet);
        if (result.damage) io.stderr(`kubesleuth: ${file}: ${result.damage.reason} at byte ${result.damage.offset}; analysed the ${result.frames} frames before it\n`);
        const summary = analysis.finish(result.format!, result.damage, result.incompleteDatagrams);
        captures.push({ summary, transactions: analysis.transactions });
      }
      const report = buildPcapReport(TOOL_VERSION, captures);
      io.stdout(opts.output === "json" ? renderJson(report) : renderPcapText(report, useColor(io, opts.color) ? COLOR_STYLE : PLAIN_STYLE));
      const failOn = (opts.failOn ?? "error") as Severity | "none";
      context.setExitCode(failOn !== "none" && report.findings.some((f) => severityRank(f.severity) >= severityRank(failOn)) ? EXIT_FINDINGS : EXIT_OK);
    });
}
