// Every scenario under test/scenarios/ on the real control plane: set up, wait for the real state,
// scan live as the read-only kubesleuth identity, snapshot, scan the archive offline, and assert the
// expected findings in both (live/offline parity); then prove from the audit log that kubesleuth wrote nothing.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import type { Finding, Report } from "../../src/model/finding.js";
import { findAnalyzer } from "../../src/analyzers/registry.js";
import { readClusterEnv, repoRoot, sleuth, waitFor, type ClusterEnv } from "./harness.js";
import type { ExpectedFinding, Scenario } from "./scenario.js";
import { schemaErrors } from "../report-schema.js";

const scenariosDir = join(repoRoot, "test/scenarios");

async function loadScenarios(): Promise<Scenario[]> {
  const only = process.env.KS_SCENARIOS?.split(",");
  const names = readdirSync(scenariosDir)
    .filter((n) => existsSync(join(scenariosDir, n, "scenario.ts")))
    .filter((n) => !only || only.includes(n))
    .sort();
  const scenarios: Scenario[] = [];
  for (const name of names) {
    const mod = (await import(pathToFileURL(join(scenariosDir, name, "scenario.ts")).href)) as { scenario: Scenario };
    assert.equal(mod.scenario.name, name, `scenario in ${name}/ names itself ${mod.scenario.name}`);
    scenarios.push(mod.scenario);
  }
  return scenarios;
}

function subjectOf(f: { subject: { kind: string; namespace?: string; name: string } }): string {
  return f.subject.namespace ? `${f.subject.kind}/${f.subject.namespace}/${f.subject.name}` : `${f.subject.kind}/${f.subject.name}`;
}

/** Top-level findings and the symptoms grouped under them, as (code, subject, area) rows. */
function rows(report: Report): { code: string; subject: string; area: string; severity: string; summary: string }[] {
  const out: { code: string; subject: string; area: string; severity: string; summary: string }[] = [];
  for (const f of report.findings) {
    out.push({ code: f.code, subject: subjectOf(f), area: f.area, severity: f.severity, summary: f.summary });
    for (const r of f.related ?? []) {
      const analyzer = findAnalyzer(r.code.split("/")[0]!);
      out.push({ code: r.code, subject: subjectOf(r), area: analyzer?.area ?? "?", severity: f.severity, summary: r.summary });
    }
  }
  return out;
}

/** Every finding and grouped symptom as "code subject", sorted: what parity compares. */
function findingKeys(report: Report): string[] {
  return rows(report).map((x) => `${x.code} ${x.subject}`).sort();
}

function hasFinding(report: Report, e: ExpectedFinding): boolean {
  const matches = (code: string, subject: string): boolean => (code === e.code || code.startsWith(`${e.code}/`)) && subject === e.subject;
  if (e.evidence || e.impact || e.evidenceFields || e.remediationCommand) {
    // Evidence, impact and remediation are checked on the top-level finding itself (related symptoms carry none).
    return report.findings.some(
      (f) =>
        matches(f.code, subjectOf(f)) &&
        f.area === e.area &&
        (e.evidence ?? []).every((ref) => f.evidence.some((ev) => ev.ref !== undefined && subjectOf({ subject: ev.ref }) === ref)) &&
        (e.impact ?? []).every((ref) => [...f.impact.direct, ...f.impact.indirect].some((r) => subjectOf({ subject: r }) === ref)) &&
        (e.evidenceFields ?? []).every((want) => f.evidence.some((ev) => ev.path === want.path && isDeepStrictEqual(ev.value, want.value))) &&
        (!e.remediationCommand || f.remediation.some((r) => r.command === e.remediationCommand)) &&
        (e.summaryIncludes ?? []).every((text) => f.summary.includes(text)),
    );
  }
  return rows(report).some(
    (r) => matches(r.code, r.subject) && r.area === e.area && (e.summaryIncludes ?? []).every((text) => r.summary.includes(text)),
  );
}

/** What an expectation's `evidenceNotes` and `rootCauseIncludes` rows miss on the matching top-level finding ([] = all there). */
function missingDetail(report: Report, e: ExpectedFinding): string[] {
  if (!e.evidenceNotes && !e.rootCauseIncludes) return [];
  const f = report.findings.find((x) => (x.code === e.code || x.code.startsWith(`${e.code}/`)) && subjectOf(x) === e.subject);
  if (!f) return [`no top-level finding ${e.code} ${e.subject}`];
  const missing: string[] = [];
  for (const want of e.evidenceNotes ?? []) {
    const ok = f.evidence.some((ev) => ev.ref && subjectOf({ subject: ev.ref }) === want.ref && (want.note === undefined || (ev.note ?? "").includes(want.note)));
    if (!ok) missing.push(`evidence ${want.ref}${want.note ? ` noting "${want.note}"` : ""}`);
  }
  for (const text of e.rootCauseIncludes ?? []) if (!f.rootCause.includes(text)) missing.push(`root cause text "${text}"`);
  return missing;
}

function concerns(f: Finding, s: Scenario): boolean {
  const refs = [f.subject, ...f.impact.direct];
  return refs.some((r) => (r.namespace && s.namespaces.includes(r.namespace)) || (r.kind === "Node" && (s.nodes ?? []).includes(r.name)));
}

function describeFindings(report: Report): string {
  return rows(report).map((r) => `${r.severity} ${r.code} ${r.subject}`).join("\n");
}

describe("scenarios on a real control plane", async () => {
  const scenarios = await loadScenarios();
  let env: ClusterEnv;
  let live: Report;
  let offline: Report;
  let scanStartedAt: number;

  before(async () => {
    env = readClusterEnv();
    for (const s of scenarios) await s.setup(env);
    for (const s of scenarios) await waitFor(`scenario ${s.name} to reach its state`, () => s.ready(env), (s.readyTimeoutSeconds ?? 120) * 1000, 1000);
    scanStartedAt = Date.now();
    // The live scan and the snapshot are a minute or so apart, and the cluster keeps moving meanwhile: a
    // Deployment can cross its progressDeadlineSeconds (ReplicasUnavailable -> ProgressDeadlineExceeded) in
    // between. When the two disagree, the pair is taken once more; the second pair must agree (checked below).
    for (let attempt = 1; attempt <= 2; attempt++) {
      const liveRun = await sleuth(env, ["scan", "-o", "json", "--fail-on", "none"]);
      assert.equal(liveRun.code, 0, liveRun.stderr);
      live = JSON.parse(liveRun.stdout) as Report;
      const archive = join(mkdtempSync(join(tmpdir(), "kubesleuth-e2e-")), "cluster.tar.gz");
      const snap = await sleuth(env, ["snapshot", "-o", archive]);
      assert.equal(snap.code, 0, snap.stderr);
      const offlineRun = await sleuth(env, ["scan", archive, "-o", "json", "--fail-on", "none"]);
      assert.equal(offlineRun.code, 0, offlineRun.stderr);
      offline = JSON.parse(offlineRun.stdout) as Report;
      if (isDeepStrictEqual(findingKeys(live), findingKeys(offline))) break;
      if (attempt === 1) console.log(`# live and offline differ (the cluster moved between them): scanning again`);
    }
  }, { timeout: 1_800_000 });

  it("both reports match the published schema", () => {
    assert.deepEqual(schemaErrors(live), []);
    assert.deepEqual(schemaErrors(offline), []);
  });

  for (const s of scenarios) {
    it(`${s.name}: ${s.description}`, async () => {
      if (s.checkState) await s.checkState(env);
      for (const e of s.expect) {
        assert.ok(hasFinding(live, e), `live scan lacks ${e.code} ${e.subject} (${e.area})${e.evidence ? ` with evidence ${e.evidence.join(", ")}` : ""}${e.impact ? ` and impact ${e.impact.join(", ")}` : ""}; it has:\n${describeFindings(live)}`);
        assert.ok(hasFinding(offline, e), `offline scan lacks ${e.code} ${e.subject} (${e.area}); it has:\n${describeFindings(offline)}`);
        for (const [name, report] of [["live", live], ["offline", offline]] as const) {
          const missing = missingDetail(report, e);
          assert.deepEqual(missing, [], `${name} scan: ${e.code} ${e.subject} lacks ${missing.join(", ")}`);
        }
      }
      if (s.healthy) {
        for (const report of [live, offline]) {
          const bad = report.findings.filter((f) => (f.severity === "error" || f.severity === "critical") && concerns(f, s));
          assert.deepEqual(bad.map((f) => `${f.code} ${subjectOf(f)}`), [], `healthy scenario ${s.name} got error findings`);
        }
      }
      assert.ok(s.expect.length > 0 || s.healthy || s.checkState, `scenario ${s.name} asserts nothing`);
    });
  }

  it("live and offline scans find the same things", () => {
    assert.deepEqual(findingKeys(offline), findingKeys(live));
  });

  it("read-only: the audit log shows no create, update, patch or delete by kubesleuth's identity", async () => {
    // The audit backend is blocking, so events of the scans are on disk; re-read once to be safe.
    await new Promise((r) => setTimeout(r, 500));
    const events = readFileSync(env.auditLog, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { user?: { username?: string }; verb?: string; requestURI?: string; stageTimestamp?: string });
    const mine = events.filter((e) => e.user?.username === env.sleuthUser && Date.parse(e.stageTimestamp ?? "") >= scanStartedAt - 1000);
    assert.ok(mine.length > 0, "the audit log has kubesleuth's requests (the policy logs reads at Metadata)");
    const writes = mine.filter((e) => /^(create|update|patch|delete|deletecollection)$/.test(e.verb ?? ""));
    assert.deepEqual(writes.map((e) => `${e.verb} ${e.requestURI}`), []);
    const verbs = [...new Set(mine.map((e) => e.verb))].sort();
    assert.ok(verbs.every((v) => v === "get" || v === "list"), `kubesleuth used only get/list, saw ${verbs.join(", ")}`);
  });
});
