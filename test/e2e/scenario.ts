// The shape of a scenario under test/scenarios/<name>/scenario.ts: a failure (or health) reproduced on
// the real control plane, the state it must reach, and the finding kubesleuth must produce for it.
import type { ClusterEnv } from "./harness.js";

export interface ExpectedFinding {
  /** `<analyzer-id>/<messageId>`, or just the analyzer id to accept any of its messages. */
  code: string;
  /** `Kind/namespace/name` or `Kind/name`. */
  subject: string;
  area: string;
  /** Refs (`Kind/namespace/name` or `Kind/name`) the finding's evidence must name (e.g. the stale Lease). */
  evidence?: string[];
  /** Refs the finding's impact (direct or indirect) must contain (e.g. the evicted workload). */
  impact?: string[];
  /** Evidence items the (top-level) finding must carry: field path and value (deep-equal). */
  evidenceFields?: { path: string; value: unknown }[];
  /** A command one of its remediation steps must give exactly. */
  remediationCommand?: string;
  /** Texts the finding's summary must contain (e.g. the blocking pod's name and why it blocks). */
  summaryIncludes?: string[];
  /**
   * Evidence (with notes) the finding must carry: for each row, an evidence item whose ref is `ref` (`Kind/name` or
   * `Kind/namespace/name`) and whose note contains `note` (when given). Checked on top-level findings.
   */
  evidenceNotes?: { ref: string; note?: string }[];
  /** Texts the finding's root cause must contain. */
  rootCauseIncludes?: string[];
}

export interface Scenario {
  /** Equals the folder name. */
  name: string;
  description: string;
  /** Namespaces the scenario creates and owns (findings in them belong to it). */
  namespaces: string[];
  /** Nodes the scenario creates and owns, if any. */
  nodes?: string[];
  /** Applies manifests and performs the actions (cordon, stop heartbeats, helm upgrade ...). */
  setup(env: ClusterEnv): Promise<void>;
  /** True once the real controllers, scheduler and kwok have produced the state. Polled. */
  ready(env: ClusterEnv): Promise<boolean>;
  /** Findings a live scan and a scan of the snapshot must both contain (top-level or grouped as related). */
  expect: ExpectedFinding[];
  /** A healthy scenario: no finding at error or above may concern its namespaces or nodes. */
  healthy?: boolean;
  /**
   * Assertions on the real state the scenario produced (events, conditions, release Secrets), for
   * scenarios whose analyzer does not exist yet. Throws on failure.
   */
  checkState?(env: ClusterEnv): Promise<void>;
  /** Seconds `ready` may take (default 120). */
  readyTimeoutSeconds?: number;
}
