// Findings and the report: the public JSON contract (schema/report.schema.json, schemaVersion 1).
import type { ObjectRef } from "./ref.js";
import type { CoverageEntry, SkippedInput } from "./snapshot.js";

export const SEVERITIES = ["critical", "error", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const AREAS = [
  "network",
  "storage",
  "scheduling",
  "access",
  "workload",
  "node",
  "ingress",
  "control-plane",
  "release",
] as const;
export type Area = (typeof AREAS)[number];

/** One fact a finding rests on: an object's field, an event, a log line, or an engine's verdict. */
export interface Evidence {
  ref?: ObjectRef;
  /** Field path in the object (`status.containerStatuses[0].state.waiting.reason`), or `event`/`log`. */
  path?: string;
  value?: unknown;
  note?: string;
}

/** One step of the investigation a human would run by hand. */
export interface InvestigationStep {
  step: string;
  /** The kubectl command this step stands for. */
  command: string;
  result: string;
  /** "problem" when the step found something wrong, "ok" when it ruled something out. */
  outcome?: "problem" | "ok" | "unknown";
}

export interface Remediation {
  description: string;
  command?: string;
  verify?: string;
  rollback?: string;
}

export interface Impact {
  direct: ObjectRef[];
  indirect: ObjectRef[];
}

/** A symptom grouped under the finding that explains it. */
export interface RelatedFinding {
  code: string;
  subject: ObjectRef;
  summary: string;
}

export interface Finding {
  code: string;
  analyzer: string;
  area: Area;
  severity: Severity;
  subject: ObjectRef;
  summary: string;
  rootCause: string;
  evidence: Evidence[];
  impact: Impact;
  investigation: InvestigationStep[];
  remediation: Remediation[];
  /** Symptoms of this root cause reported by other analyzers, grouped here instead of listed apart. */
  related?: RelatedFinding[];
}

export interface ReportSummary {
  critical: number;
  error: number;
  warning: number;
  info: number;
}

export interface AnalyzerTiming {
  analyzer: string;
  milliseconds: number;
  findings: number;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: "kubesleuth"; version: string };
  source: { kind: "live" | "snapshot" | "capture"; locations: string[]; now: string };
  coverage: Record<string, CoverageEntry>;
  summary: ReportSummary;
  findings: Finding[];
  /** Inputs that could not be read; the rest was analyzed. */
  skipped?: SkippedInput[];
  /** Per-analyzer timings (`--stats`). */
  stats?: { indexMilliseconds: number; analyzers: AnalyzerTiming[] };
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity); // critical 4 ... info 1
}
