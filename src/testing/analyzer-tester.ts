// Table-driven analyzer tests (after ESLint's RuleTester): `quiet` fixtures must yield no finding,
// `fires` fixtures exactly the expected ones. Rejects duplicate cases, fires-cases without an
// expectation, and messages no case exercises.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import type { Analyzer } from "../analyzers/define.js";
import type { Finding, Severity } from "../model/finding.js";
import { formatRef, type ObjectRef } from "../model/ref.js";
import type { PodLog, Snapshot } from "../model/snapshot.js";
import { buildIndex } from "../indexes/build-index.js";
import { runAnalyzersOn } from "../run/run-analyzers.js";
import { snapshotReferenceTime } from "../run/reference-time.js";
import { loadFixture, snapshotFromYaml } from "./load-fixture.js";

/** An expected finding. `subject` is `Kind/namespace/name` or `Kind/name` for cluster-scoped objects. */
export interface ExpectedFinding {
  messageId: string;
  subject: string;
  severity?: Severity;
  /** Values that must appear in the finding's evidence (as `value`, deep-equal) — key data, not sentences. */
  evidenceValues?: unknown[];
  /** Refs (`Kind/ns/name`) that must be in impact.direct. */
  affects?: string[];
}

export interface AnalyzerCase {
  name: string;
  /** A file under the analyzer's fixtures/ folder, or inline YAML. */
  fixture?: string;
  yaml?: string;
  /** Reference time (RFC 3339); default: the newest timestamp in the fixture. */
  now?: string;
  /** Container log tails the snapshot carries (fixtures hold objects only). */
  logs?: PodLog[];
}

export interface FiringCase extends AnalyzerCase {
  expect: ExpectedFinding[];
}

export interface AnalyzerTable {
  quiet: AnalyzerCase[];
  fires: FiringCase[];
}

export function parseSubject(subject: string): ObjectRef {
  const parts = subject.split("/");
  if (parts.length === 3) return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  if (parts.length === 2) return { kind: parts[0]!, name: parts[1]! };
  throw new Error(`subject must be Kind/namespace/name or Kind/name: ${subject}`);
}

function subjectString(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** Runs one analyzer on a snapshot the way `scan` does (same index, same finding construction). */
export function runAnalyzer(analyzer: Analyzer, snapshot: Snapshot, now?: number): Finding[] {
  const index = buildIndex(snapshot);
  return runAnalyzersOn(snapshot, index, [analyzer], now ?? snapshotReferenceTime(snapshot) ?? 0).findings;
}

function caseSnapshot(c: AnalyzerCase, fixturesDir: URL): Snapshot {
  const withLogs = (s: Snapshot): Snapshot => (c.logs ? { ...s, logs: [...s.logs, ...c.logs] } : s);
  if (c.yaml !== undefined) return withLogs(snapshotFromYaml(c.yaml, c.name));
  if (c.fixture) return withLogs(loadFixture(new URL(c.fixture, fixturesDir)));
  throw new Error(`case "${c.name}" has neither fixture nor yaml`);
}

/**
 * Declares the tests of one analyzer. `testFileUrl` is the test's `import.meta.url`; fixtures are
 * read from `fixtures/` beside it.
 */
export function testAnalyzer(analyzer: Analyzer, table: AnalyzerTable, testFileUrl: string): void {
  const fixturesDir = new URL("./fixtures/", testFileUrl);
  describe(`analyzer ${analyzer.id}`, () => {
    it("has no duplicate cases and every fires-case expects a finding", () => {
      const names = [...table.quiet, ...table.fires].map((c) => c.name);
      assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), [], "duplicate case names");
      const sources = [...table.quiet, ...table.fires].map((c) => c.fixture ?? c.yaml);
      assert.deepEqual(sources.filter((s, i) => sources.indexOf(s) !== i), [], "duplicate case inputs");
      for (const c of table.fires) assert.ok(c.expect.length > 0, `fires-case "${c.name}" expects nothing`);
      assert.ok(table.quiet.length > 0, "no quiet case");
    });

    it("exercises every message", () => {
      const used = new Set(table.fires.flatMap((c) => c.expect.map((e) => e.messageId)));
      const unused = Object.keys(analyzer.messages).filter((m) => !used.has(m));
      assert.deepEqual(unused, [], "messages that no case exercises");
    });

    for (const c of table.quiet) {
      it(`quiet: ${c.name}`, () => {
        const snapshot = caseSnapshot(c, fixturesDir);
        const findings = runAnalyzer(analyzer, snapshot, c.now ? Date.parse(c.now) : undefined);
        assert.deepEqual(
          findings.map((f) => `${f.code} ${formatRef(f.subject)}: ${f.summary}`),
          [],
          "expected no finding",
        );
      });
    }

    for (const c of table.fires) {
      it(`fires: ${c.name}`, () => {
        const snapshot = caseSnapshot(c, fixturesDir);
        const findings = runAnalyzer(analyzer, snapshot, c.now ? Date.parse(c.now) : undefined);
        const actual = findings.map((f) => `${f.code.slice(analyzer.id.length + 1)} ${subjectString(f.subject)}`).sort();
        const wanted = c.expect.map((e) => `${e.messageId} ${subjectString(parseSubject(e.subject))}`).sort();
        assert.deepEqual(actual, wanted, "findings (messageId subject)");
        for (const e of c.expect) {
          const f = findings.find(
            (x) => x.code === `${analyzer.id}/${e.messageId}` && subjectString(x.subject) === subjectString(parseSubject(e.subject)),
          )!;
          if (e.severity) assert.equal(f.severity, e.severity, `severity of ${e.messageId}`);
          assert.ok(f.evidence.length > 0, `finding ${f.code} has no evidence`);
          assert.ok(!/\{\{\w+\}\}/.test(f.summary + f.rootCause), `unfilled placeholder in ${f.summary} / ${f.rootCause}`);
          for (const value of e.evidenceValues ?? []) {
            assert.ok(
              f.evidence.some((ev) => isDeepStrictEqual(ev.value, value)),
              `evidence value ${JSON.stringify(value)} not found in ${JSON.stringify(f.evidence.map((ev) => ev.value))}`,
            );
          }
          for (const ref of e.affects ?? []) {
            const want = subjectString(parseSubject(ref));
            assert.ok(f.impact.direct.some((r) => subjectString(r) === want), `${want} not in impact.direct`);
          }
        }
      });
    }
  });
}

