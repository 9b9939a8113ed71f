// Orchestration: build the index once, run each analyzer, turn drafts into findings with impact,
// group symptoms under their root cause, apply suppressions, sort deterministically.
import { performance } from "node:perf_hooks";
import type { Analyzer, CauseRef, FindingDraft } from "../analyzers/define.js";
import { interpolate } from "../analyzers/define.js";
import type { AnalyzerTiming, Finding, Report, Severity } from "../model/finding.js";
import { severityRank } from "../model/finding.js";
import { compareRefs, refKey, type ObjectRef } from "../model/ref.js";
import type { Snapshot } from "../model/snapshot.js";
import { buildIndex } from "../indexes/build-index.js";
import type { ClusterIndex } from "../indexes/types.js";
import { computeImpact } from "../impact/compute-impact.js";
import { snapshotReferenceTime } from "./reference-time.js";
import { TOOL_VERSION } from "../version.js";

export interface Suppression {
  /** A finding code (`analyzer/message`) or analyzer id; `*` as a trailing wildcard. */
  code: string;
  namespace?: string;
  name?: string;
  /** Re-rate instead of hiding. */
  severity?: Severity;
}

export interface RunOptions {
  /** Reference time in ms; default: snapshot capture time, else the newest timestamp in it, else the epoch. */
  now?: number;
  suppressions?: readonly Suppression[];
  /** Restrict findings to these codes/analyzer ids (prefix match on `code`). */
  only?: readonly string[];
  skip?: readonly string[];
  /** Keep per-analyzer timings in the report. */
  stats?: boolean;
  /** Called before each analyzer runs (progress on long scans). */
  onAnalyzer?: (id: string, position: number, total: number) => void;
}

export interface RunResult {
  report: Report;
  index: ClusterIndex;
  now: number;
}

function matchesCode(pattern: string, finding: Finding): boolean {
  if (pattern.endsWith("*")) return finding.code.startsWith(pattern.slice(0, -1));
  return finding.code === pattern || finding.analyzer === pattern;
}

/** Turns one draft into a finding: message texts, severity, impact. */
export function materializeFinding(analyzer: Analyzer, messageId: string, draft: FindingDraft, index: ClusterIndex): Finding {
  const message = analyzer.messages[messageId];
  if (!message) throw new Error(`analyzer ${analyzer.id} reported unknown message id "${messageId}"`);
  const data = draft.data ?? {};
  return {
    code: `${analyzer.id}/${messageId}`,
    analyzer: analyzer.id,
    area: analyzer.area,
    severity: draft.severity ?? message.severity ?? analyzer.severity,
    subject: draft.subject,
    summary: interpolate(message.summary, data),
    rootCause: interpolate(message.rootCause, data),
    evidence: draft.evidence,
    impact: computeImpact(index, draft.subject, draft.affected ?? []),
    investigation: draft.investigation ?? [],
    remediation: draft.remediation ?? [],
  };
}

/** Runs analyzers over an already-built index; returns findings in run order plus timings. */
export function runAnalyzersOn(
  snapshot: Snapshot,
  index: ClusterIndex,
  analyzers: readonly Analyzer[],
  now: number,
  onAnalyzer?: RunOptions["onAnalyzer"],
): { findings: Finding[]; timings: AnalyzerTiming[]; symptomCodes: Set<string>; causedBy: Map<Finding, ObjectRef[]>; logCauses: LogCauses } {
  const findings: Finding[] = [];
  const timings: AnalyzerTiming[] = [];
  const symptomCodes = new Set<string>();
  const causedBy = new Map<Finding, ObjectRef[]>();
  const logCauses: LogCauses = { explains: new Map(), explainable: new Set() };
  analyzers.forEach((analyzer, position) => {
    onAnalyzer?.(analyzer.id, position, analyzers.length);
    const start = performance.now();
    const before = findings.length;
    analyzer.run({
      snapshot,
      index,
      now,
      report(messageId, draft) {
        const finding = materializeFinding(analyzer, messageId, draft, index);
        if (analyzer.role === "symptom") symptomCodes.add(finding.code);
        if (draft.causedBy?.length) causedBy.set(finding, draft.causedBy);
        if (draft.explains?.length) logCauses.explains.set(finding, draft.explains);
        if (draft.explainedByPodLogs) logCauses.explainable.add(finding);
        findings.push(finding);
      },
    });
    timings.push({ analyzer: analyzer.id, milliseconds: Math.round((performance.now() - start) * 100) / 100, findings: findings.length - before });
  });
  return { findings, timings, symptomCodes, causedBy, logCauses };
}

/** Findings that explain pods' failures from their logs (`explains`), and findings whose failure such a finding may explain. */
export interface LogCauses {
  explains: Map<Finding, readonly ObjectRef[]>;
  explainable: Set<Finding>;
}

function podsOf(finding: Finding): Set<string> {
  const pods = new Set<string>();
  const add = (r: ObjectRef): void => {
    if (r.kind === "Pod") pods.add(refKey(r));
  };
  add(finding.subject);
  finding.impact.direct.forEach(add);
  return pods;
}

/**
 * Groups symptoms under causes: a finding of a symptom analyzer (a Service with no ready endpoints,
 * a stuck rollout) whose pods are all explained by one cause finding (crash loop, image pull,
 * unschedulable, node down) is attached to that cause as `related` instead of standing alone.
 */
export function groupSymptoms(
  findings: Finding[],
  symptomCodes: ReadonlySet<string>,
  causedBy: ReadonlyMap<Finding, readonly ObjectRef[]> = new Map(),
  logCauses?: LogCauses,
): Finding[] {
  // A symptom is matched by its own pods: those of findings grouped under it (declared causes add their
  // pods to its impact) must not stop it from grouping under the cause of its own pods.
  const ownPods = new Map(findings.map((f) => [f, podsOf(f)]));
  if (logCauses) findings = groupByLogCause(findings, logCauses);
  findings = groupByDeclaredCause(findings, causedBy);
  const causes = findings.filter((f) => !symptomCodes.has(f.code));
  const causePods = causes.map((f) => podsOf(f));
  const kept: Finding[] = [];
  for (const finding of findings) {
    if (!symptomCodes.has(finding.code)) {
      kept.push(finding);
      continue;
    }
    const pods = [...(ownPods.get(finding) ?? podsOf(finding))];
    let best = -1;
    let bestOverlap = 0;
    if (pods.length > 0) {
      causes.forEach((cause, i) => {
        const covered = pods.filter((p) => causePods[i]!.has(p)).length;
        if (covered === pods.length && covered > bestOverlap) {
          best = i;
          bestOverlap = covered;
        }
      });
    }
    if (best < 0) {
      kept.push(finding);
      continue;
    }
    const cause = causes[best]!;
    // What was grouped under the symptom moves with it (related entries are one level deep).
    (cause.related ??= []).push({ code: finding.code, subject: finding.subject, summary: finding.summary }, ...(finding.related ?? []));
  }
  return kept;
}

/**
 * Attaches a finding whose pods fail on an error their application logs (`explainedByPodLogs`: an
 * application crash loop) to a finding about the same subject that read the reason in those very pods'
 * logs (`explains`: the API server refused the app, a connection the app makes fails): the crash is
 * the effect. Nothing is lost: the symptom stays as `related`, its pods join the cause's impact, its
 * evidence (restarts, exit code, its log lines) is added to the cause's, and the cause takes the
 * higher severity of the two.
 */
function groupByLogCause(findings: Finding[], { explains, explainable }: LogCauses): Finding[] {
  if (explains.size === 0 || explainable.size === 0) return findings;
  // The explaining findings by subject, each with the set of pods it explains.
  const bySubject = new Map<string, { finding: Finding; pods: Set<string> }[]>();
  for (const [finding, refs] of explains) {
    if (explainable.has(finding)) continue;
    const key = refKey(finding.subject);
    bySubject.set(key, [...(bySubject.get(key) ?? []), { finding, pods: new Set(refs.map(refKey)) }]);
  }
  const kept: Finding[] = [];
  for (const f of findings) {
    const pods = explainable.has(f) ? [...podsOf(f)] : [];
    const cause = pods.length > 0 ? bySubject.get(refKey(f.subject))?.find((c) => pods.every((p) => c.pods.has(p)))?.finding : undefined;
    if (!cause) {
      kept.push(f);
      continue;
    }
    (cause.related ??= []).push({ code: f.code, subject: f.subject, summary: f.summary });
    for (const r of f.impact.direct) if (!cause.impact.direct.some((d) => refKey(d) === refKey(r))) cause.impact.direct.push(r);
    const seen = new Set(cause.evidence.map(evidenceKey));
    for (const e of f.evidence) if (!seen.has(evidenceKey(e))) cause.evidence.push(e);
    if (severityRank(f.severity) > severityRank(cause.severity)) cause.severity = f.severity;
  }
  return kept;
}

function evidenceKey(e: Finding["evidence"][number]): string {
  return JSON.stringify([e.ref ? refKey(e.ref) : "", e.path, e.value]);
}

/** Attaches each finding that names its cause objects (`causedBy`) to a finding about one of them. */
function groupByDeclaredCause(findings: Finding[], causedBy: ReadonlyMap<Finding, readonly ObjectRef[]>): Finding[] {
  if (causedBy.size === 0) return findings;
  const bySubject = new Map<string, Finding[]>();
  for (const f of findings) if (!causedBy.has(f)) bySubject.set(refKey(f.subject), [...(bySubject.get(refKey(f.subject)) ?? []), f]);
  const kept: Finding[] = [];
  for (const f of findings) {
    // A cause ref with a code names the finding about that object that explains this one (a node's kubelet-down finding, not its certificate warning).
    const cause = causedBy
      .get(f)
      ?.map((r: CauseRef) => bySubject.get(refKey(r))?.find((c) => r.code === undefined || c.code.startsWith(r.code)))
      .find((c) => c !== undefined);
    if (!cause) {
      kept.push(f);
      continue;
    }
    (cause.related ??= []).push({ code: f.code, subject: f.subject, summary: f.summary });
    // The cause now also explains the symptom's pods: they join its direct impact.
    for (const r of f.impact.direct) if (!cause.impact.direct.some((d) => refKey(d) === refKey(r))) cause.impact.direct.push(r);
  }
  return kept;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.area.localeCompare(b.area) ||
    a.code.localeCompare(b.code) ||
    compareRefs(a.subject, b.subject)
  );
}

function applySuppressions(findings: Finding[], suppressions: readonly Suppression[]): Finding[] {
  const out: Finding[] = [];
  for (const finding of findings) {
    const rule = suppressions.find(
      (s) =>
        matchesCode(s.code, finding) &&
        (s.namespace === undefined || s.namespace === finding.subject.namespace) &&
        (s.name === undefined || s.name === finding.subject.name),
    );
    if (!rule) out.push(finding);
    else if (rule.severity) out.push({ ...finding, severity: rule.severity });
  }
  return out;
}

/** Runs the analyzers on a snapshot and returns the report (schemaVersion 1). */
export function runAnalyzers(snapshot: Snapshot, analyzers: readonly Analyzer[], options: RunOptions = {}): RunResult {
  const now = options.now ?? snapshotReferenceTime(snapshot) ?? 0;
  const indexStart = performance.now();
  const index = buildIndex(snapshot);
  const indexMilliseconds = Math.round((performance.now() - indexStart) * 100) / 100;
  const { findings, timings, symptomCodes, causedBy, logCauses } = runAnalyzersOn(snapshot, index, analyzers, now, options.onAnalyzer);

  let selected = groupSymptoms(findings, symptomCodes, causedBy, logCauses);
  if (options.only?.length) selected = selected.filter((f) => options.only!.some((p) => matchesCode(p, f)));
  if (options.skip?.length) selected = selected.filter((f) => !options.skip!.some((p) => matchesCode(p, f)));
  selected = applySuppressions(selected, options.suppressions ?? []).sort(compareFindings);

  const summary: Report["summary"] = { critical: 0, error: 0, warning: 0, info: 0 };
  for (const f of selected) summary[f.severity]++;
  const report: Report = {
    schemaVersion: 1,
    tool: { name: "kubesleuth", version: TOOL_VERSION },
    source: { kind: snapshot.source.kind, locations: snapshot.source.locations, now: new Date(now).toISOString() },
    coverage: { ...snapshot.coverage },
    summary,
    findings: selected,
    ...(snapshot.skipped.length ? { skipped: [...snapshot.skipped] } : {}),
    ...(options.stats ? { stats: { indexMilliseconds, analyzers: timings } } : {}),
  };
  return { report, index, now };
}
