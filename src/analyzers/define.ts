// The analyzer contract: a pure function of (snapshot, index, now) that reports findings by message id.
import type { Area, Evidence, InvestigationStep, Remediation, Severity } from "../model/finding.js";
import type { ObjectRef } from "../model/ref.js";
import type { Snapshot } from "../model/snapshot.js";
import type { ClusterIndex } from "../indexes/types.js";

/** A message: the summary and root-cause templates of one kind of finding. `{{name}}` is filled from `data`. */
export interface AnalyzerMessage {
  summary: string;
  rootCause: string;
  /** Generic advice for the catalogue; findings carry the exact commands. */
  remediation: string;
  /** Overrides the analyzer's default severity for this message. */
  severity?: Severity;
}

/** What an analyzer reports; the run fills in code, area, impact and the message texts. */
export interface FindingDraft {
  subject: ObjectRef;
  data?: Record<string, string | number>;
  severity?: Severity;
  evidence: Evidence[];
  investigation?: InvestigationStep[];
  remediation?: Remediation[];
  /** Objects this finding explains, besides the subject (e.g. the pods of a workload); seeds the impact. */
  affected?: ObjectRef[];
  /**
   * Objects whose own problem would fully explain this finding (a pod unschedulable only because its
   * claim is unbound names the claim). When another finding has one of them as its subject, this
   * finding is grouped under it as a related symptom instead of standing alone.
   */
  causedBy?: CauseRef[];
  /**
   * Pods whose failure this finding explains from a line of their own logs (the API server refusing
   * the app, a connection the app cannot make). A finding about the same subject that declares
   * `explainedByPodLogs`, all of whose pods are among these, is grouped under this one.
   */
  explains?: ObjectRef[];
  /**
   * The pods of this finding fail because their application exits on an error it logs (a crash loop
   * with an application exit code, not an OOM kill or a liveness kill): a finding about the same subject
   * that `explains` every one of these pods from their logs is the cause, and this one is grouped under it.
   */
  explainedByPodLogs?: boolean;
}

/** An object whose finding would explain another; `code` (a finding code prefix) picks which finding about it. */
export type CauseRef = ObjectRef & { code?: string };

export interface AnalyzerContext {
  readonly snapshot: Snapshot;
  readonly index: ClusterIndex;
  /** The reference time in ms since the epoch: the snapshot's capture time, or `--now`. Never read the clock. */
  readonly now: number;
  report(messageId: string, draft: FindingDraft): void;
}

export interface Analyzer<M extends string = string> {
  /** kebab-case `<subject>-<problem>`, equal to the folder and file name. */
  id: string;
  title: string;
  area: Area;
  severity: Severity;
  /** The kinds this analyzer reads; the live source fetches exactly the union of these. */
  needs: readonly string[];
  /** Whether it reads `snapshot.controlPlane` (the API server's health checks and metrics). */
  needsControlPlane?: boolean;
  /** Whether it reads `snapshot.volumeStats` (pod volume usage from the kubelets' summary API, via nodes/proxy). */
  needsVolumeStats?: boolean;
  /** Whether it wants pod logs of unhealthy pods. */
  needsLogs?: boolean;
  /**
   * "symptom" analyzers report effects (a Service without ready endpoints, a stuck rollout); their
   * findings are grouped under a cause finding that explains all their pods. Default "cause".
   */
  role?: "cause" | "symptom";
  messages: Record<M, AnalyzerMessage>;
  run(context: AnalyzerContext): void;
}

/** Declares an analyzer. Identity function that checks the shape at compile time. */
export function defineAnalyzer<M extends string>(analyzer: Analyzer<M>): Analyzer<M> {
  return analyzer;
}

/** Fills `{{key}}` placeholders from data; unknown keys are left visible so tests catch them. */
export function interpolate(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}
