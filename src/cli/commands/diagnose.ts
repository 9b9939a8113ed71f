// `kubesleuth diagnose <ref>`: the closed loop for one object.
import type { Analyzer } from "../../analyzers/define.js";
import { KINDS } from "../../model/kinds.js";
import { diagnose } from "../../run/diagnose.js";
import { runAnalyzers } from "../../run/run-analyzers.js";
import { renderDiagnosisJson, renderDiagnosisText } from "../../renderers/diagnosis.js";
import { COLOR_STYLE, PLAIN_STYLE } from "../../renderers/style.js";
import { severityRank } from "../../model/finding.js";
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError } from "../errors.js";
import type { CommonOptions } from "../options.js";
import { useColor, type CliIo } from "../io.js";
import { loadSource } from "../load-source.js";
import { parseObjectRef } from "../parse-ref.js";
import { needsOf } from "./needs.js";

export async function runDiagnose(io: CliIo, refText: string, opts: CommonOptions, analyzers: readonly Analyzer[]): Promise<number> {
  const parsed = parseObjectRef(refText, opts.namespace);
  if (!parsed.ok) throw new UsageError(parsed.error);
  const needs = needsOf(analyzers);
  // The graph walk reads kinds no analyzer may need (e.g. the target's own kind).
  const kinds = [...new Set([...needs.kinds, parsed.ref.kind, ...KINDS.filter((k) => ["Pod", "Node", "Service", "Endpoints", "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "Ingress", "IngressClass"].includes(k.kind)).map((k) => k.kind)])];
  // Load the whole cluster (not just -n): a pod's node and volumes are cluster-scoped.
  const source = await loadSource(io, [], { ...opts, namespace: undefined }, { kinds, logs: needs.logs });
  const { report, index } = runAnalyzers(source.snapshot, analyzers, { now: source.now });
  const result = diagnose(index, report.findings, parsed.ref);
  const style = useColor(io, opts.color) ? COLOR_STYLE : PLAIN_STYLE;
  io.stdout(opts.output === "json" ? renderDiagnosisJson(result) : renderDiagnosisText(result, style));
  if (!result.found) return EXIT_ERROR;
  return result.findings.some((f) => severityRank(f.severity) >= severityRank("error")) ? EXIT_FINDINGS : EXIT_OK;
}
