// `kubesleuth scan`: load, run every selected analyzer, render the report.
import type { Analyzer } from "../../analyzers/define.js";
import type { Report } from "../../model/finding.js";
import { runAnalyzers, type Suppression } from "../../run/run-analyzers.js";
import { RENDERERS } from "../../renderers/index.js";
import type { CommonOptions } from "../options.js";
import { useColor, type CliIo } from "../io.js";
import { loadSource } from "../load-source.js";
import { needsOf } from "./needs.js";

export interface ScanSelection {
  analyzers: Analyzer[];
  only: string[];
  skip: string[];
  suppressions: Suppression[];
  stats: boolean;
}

export async function runScan(io: CliIo, paths: string[], opts: CommonOptions, selection: ScanSelection): Promise<Report> {
  const source = await loadSource(io, paths, opts, needsOf(selection.analyzers));
  const onAnalyzer =
    source.live && io.stderrIsTTY ? (id: string, i: number, n: number) => io.stderr(`\r\u001b[2Kanalyzing ${i + 1}/${n} ${id}`) : undefined;
  const { report } = runAnalyzers(source.snapshot, selection.analyzers, {
    now: source.now,
    only: selection.only.filter((c) => c.includes("/")),
    skip: selection.skip.filter((c) => c.includes("/")),
    suppressions: selection.suppressions,
    stats: selection.stats,
    onAnalyzer,
  });
  if (onAnalyzer) io.stderr("\r\u001b[2K");
  io.stdout(RENDERERS[opts.output]!(report, { color: useColor(io, opts.color) }));
  return report;
}
