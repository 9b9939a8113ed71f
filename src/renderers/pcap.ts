// Text rendering of `kubesleuth pcap`: per capture, the flows that need a look, DNS by name, then the findings.
import type { PcapReport, TcpFlowSummary } from "../run/pcap.js";
import { PLAIN_STYLE, type Style } from "./style.js";
import { renderText } from "./text.js";

const ROW_LIMIT = 30;

const ms = (s: number | undefined): string => (s === undefined ? "-" : `${(s * 1000).toFixed(s < 0.01 ? 3 : 1)}ms`);

function problemScore(f: TcpFlowSummary): number {
  const handshake = f.handshake === "complete" || f.handshake === "not-captured" ? 0 : 1000;
  return handshake + f.retransmissions * 10 + f.zeroWindows * 10 + f.resets.length * 5 + f.duplicateAcks + f.lostSegments + f.outOfOrder;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

export function renderPcapText(report: PcapReport, style: Style = PLAIN_STYLE): string {
  const out: string[] = [];
  for (const c of report.captures) {
    out.push(style.bold(`${c.file}: ${c.format}, ${c.frames} frames over ${c.duration.toFixed(3)} s${c.firstTime ? ` from ${c.firstTime}` : ""}`));
    if (c.damage) out.push(style.severity("warning", `  partial: ${c.damage.reason} at byte ${c.damage.offset}; the frames before it were analysed`));
    const undecoded = Object.entries(c.undecoded);
    if (undecoded.length) out.push(`  not TCP/UDP: ${undecoded.map(([k, v]) => `${v} ${k}`).join("; ")}`);
    if (c.incompleteDatagrams) out.push(`  ${c.incompleteDatagrams} fragmented IP datagram(s) never completed: their fragments were not analysed`);
    const tcp = c.tcp;
    const handshakes = new Map<string, number>();
    for (const f of tcp) handshakes.set(f.handshake, (handshakes.get(f.handshake) ?? 0) + 1);
    const sum = (pick: (f: TcpFlowSummary) => number): number => tcp.reduce((n, f) => n + pick(f), 0);
    out.push(
      `  TCP: ${tcp.length} stream(s) [${[...handshakes].map(([k, v]) => `${v} ${k}`).join(", ")}]; ${sum((f) => f.retransmissions)} retransmissions, ${sum((f) => f.duplicateAcks)} duplicate ACKs, ${sum((f) => f.zeroWindows)} zero windows, ${sum((f) => f.resets.length)} resets`,
    );
    const flagged = [...tcp].filter((f) => problemScore(f) > 0).sort((a, b) => problemScore(b) - problemScore(a) || a.stream - b.stream);
    if (flagged.length) {
      const rows = [["STREAM", "CLIENT", "SERVER", "HANDSHAKE", "PKTS c>s/s>c", "RETR", "DUPACK", "ZWIN", "RST", "iRTT", "ACK RTT min/med/max"]];
      for (const f of flagged.slice(0, ROW_LIMIT)) {
        rows.push([
          String(f.stream),
          f.client,
          f.server,
          f.handshake,
          `${f.packets.toServer}/${f.packets.toClient}`,
          String(f.retransmissions),
          String(f.duplicateAcks),
          String(f.zeroWindows),
          f.resets.map((r) => `${r.by}#${r.frame}`).join(",") || "-",
          ms(f.handshakeRtt),
          f.ackRtt ? `${ms(f.ackRtt.min)}/${ms(f.ackRtt.median)}/${ms(f.ackRtt.max)}` : "-",
        ]);
      }
      out.push(...table(rows).map((l) => `    ${l}`));
      if (flagged.length > ROW_LIMIT) out.push(`    … and ${flagged.length - ROW_LIMIT} more streams with problems (-o json lists every flow)`);
    }
    if (c.udp.length) out.push(`  UDP: ${c.udp.length} flow(s)`);
    const names = c.dns.names;
    if (names.length) {
      out.push(`  DNS: ${c.dns.transactions} quer${c.dns.transactions === 1 ? "y" : "ies"} for ${names.length} name(s)${c.dns.responsesWithoutQuery ? `, ${c.dns.responsesWithoutQuery} response(s) whose query was not captured` : ""}`);
      const rows = [["NAME", "TYPES", "QUERIES", "ANSWERED", "NXDOMAIN", "SERVFAIL", "UNANSWERED", "PENDING"]];
      const sorted = [...names].sort((a, b) => b.unanswered + b.servfail + b.nxdomain - (a.unanswered + a.servfail + a.nxdomain) || a.name.localeCompare(b.name));
      for (const n of sorted.slice(0, ROW_LIMIT)) {
        const nx = n.searchListNxdomain ? `${n.nxdomain} (${n.searchListNxdomain} search list)` : String(n.nxdomain);
        rows.push([n.name, n.qtypes.join(","), String(n.queries), String(n.answered), nx, String(n.servfail), String(n.unanswered), String(n.pending)]);
      }
      out.push(...table(rows).map((l) => `    ${l}`));
      if (names.length > ROW_LIMIT) out.push(`    … and ${names.length - ROW_LIMIT} more names (-o json lists them)`);
    }
    out.push("");
  }
  return `${out.join("\n")}\n${renderText(report, { style })}`;
}
