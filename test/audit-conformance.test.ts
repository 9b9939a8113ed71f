// `kubesleuth audit` against public audit logs: the falco k8s_audit trace corpus parses (the malformed file
// reported, not fatal), and the audit2rbac demo log's 403s for alice yield the Role audit2rbac's README shows.
// Expectations come from each folder's SOURCE.txt / README excerpt, never from kubesleuth's output.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { loadAll } from "js-yaml";
import { readAuditFile, type MalformedLine } from "../src/sources/audit/read-audit-log.js";
import { AuditAggregator } from "../src/run/audit.js";
import type { PolicyRule, RoleBindingObject, RoleObject } from "../src/engines/rbac/index.js";
import { repoRoot } from "./cli-harness.js";
import { runCli } from "./cli-harness.js";

const conformance = join(repoRoot, "..", "shared", "conformance");
const falcoDir = join(conformance, "falco-k8s-audit", "trace_files");
const demoLog = join(conformance, "audit2rbac", "demo.log");

describe("falco k8s_audit trace corpus (falcosecurity/falco test/trace_files/k8s_audit)", () => {
  it("every file parses; 52 lines = 51 audit Events + the malformed fal_01_003.json, reported and skipped", async () => {
    const files = readdirSync(falcoDir).filter((f) => f.endsWith(".json")).sort();
    // SOURCE.txt: 47 files, 52 JSON lines, fal_01_003.json a malformed {"kind":0} negative case.
    assert.equal(files.length, 47);
    const aggregator = new AuditAggregator();
    const malformed: MalformedLine[] = [];
    let events = 0;
    let lines = 0;
    const notAudit: string[] = [];
    for (const f of files) {
      const s = await readAuditFile(join(falcoDir, f), { onEvent: (e, l) => aggregator.add(e, l), onMalformed: (m) => malformed.push(m) });
      events += s.events;
      lines += s.lines;
      if (s.notAuditLog) notAudit.push(basename(s.file));
    }
    const report = aggregator.finish();
    console.log(`falco corpus: ${files.length} files, ${lines} lines, ${events} events, ${malformed.length} malformed (${malformed.map((m) => `${basename(m.file)}:${m.line}`).join(", ")}), ${report.requests} requests`);
    assert.equal(lines, 52);
    assert.equal(events, 51);
    assert.deepEqual(malformed.map((m) => `${basename(m.file)}:${m.line}`), ["fal_01_003.json:1"]);
    assert.match(malformed[0]!.reason, /kind is 0/);
    assert.deepEqual(notAudit, ["fal_01_003.json"]);
    // Requests = distinct auditIDs (counted here with plain JSON.parse). Two trace files are edited copies of
    // another's event with the same auditID (anonymous/some-user_creates_namespace_foo, the two
    // *_privileged_2nd_container pods): an auditID is one request, so those count once, as duplicates.
    const ids = new Set<string>();
    for (const f of files) {
      for (const line of readFileSync(join(falcoDir, f), "utf8").split("\n")) {
        if (!line.trim()) continue;
        const e = JSON.parse(line) as { kind?: unknown; auditID?: string };
        if (e.kind === "Event" && e.auditID) ids.add(e.auditID);
      }
    }
    assert.equal(report.requests, ids.size);
    assert.equal(report.duplicates, events - ids.size);
  });

  it("the CLI over the whole corpus: exit 0, the malformed file named in one warning line", async () => {
    const files = readdirSync(falcoDir).filter((f) => f.endsWith(".json")).sort().map((f) => join(falcoDir, f));
    const r = await runCli(["audit", ...files, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.trim().split("\n");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /fal_01_003\.json: not an audit log/);
    assert.equal(JSON.parse(r.stdout).files.length, 47);
  });
});

/** A rule set as (apiGroup, resource, verb, resourceName|*) tuples: rules compared as sets. */
function tuples(rules: readonly PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const v of r.verbs ?? []) for (const n of r.resourceNames?.length ? r.resourceNames : ["*"]) out.add(`${g}|${res}|${v}|${n}`);
    for (const u of r.nonResourceURLs ?? []) for (const v of r.verbs ?? []) out.add(`url|${u}|${v}`);
  }
  return [...out].sort();
}

describe("audit2rbac demo log (liggitt/audit2rbac testdata/demo.log)", () => {
  it("403 counts per (user, verb, resource) match SOURCE.txt", async () => {
    const aggregator = new AuditAggregator();
    await readAuditFile(demoLog, { onEvent: (e, l) => aggregator.add(e, l) });
    const report = aggregator.finish();
    const counts = new Map<string, number>();
    for (const g of report.forbidden) {
      const key = `${g.user.name} ${g.action.verb} ${g.action.resource}`;
      counts.set(key, (counts.get(key) ?? 0) + g.count);
    }
    // SOURCE.txt: alice list configmaps/pods/secrets 403 x1 each; bob list nodes 403 x1, list pods 403 x3;
    // system:serviceaccount:ns1:sa1 list nodes 403 x1, list pods 403 x3.
    assert.deepEqual(Object.fromEntries([...counts].sort()), {
      "alice list configmaps": 1,
      "alice list pods": 1,
      "alice list secrets": 1,
      "bob list nodes": 1,
      "bob list pods": 3,
      "system:serviceaccount:ns1:sa1 list nodes": 1,
      "system:serviceaccount:ns1:sa1 list pods": 3,
    });
  });

  it("alice's 403s yield the Role of audit2rbac's README (rules compared as sets; verbs expanded as audit2rbac)", async () => {
    const aggregator = new AuditAggregator();
    await readAuditFile(demoLog, { onEvent: (e, l) => aggregator.add(e, l) });
    const report = aggregator.finish({ expandVerbs: true });
    const alice = report.grants.find((g) => g.user.name === "alice");
    assert.ok(alice, "a grant for alice");
    const roles = alice.objects.filter((o) => o.kind === "Role") as RoleObject[];
    const bindings = alice.objects.filter((o) => o.kind === "RoleBinding");

    const text = readFileSync(join(conformance, "audit2rbac", "README_expected_alice.txt"), "utf8");
    const block = /```yaml\n([\s\S]*?)```/.exec(text)![1]!;
    const expected = loadAll(block.replace(/^ {4}/gm, "")) as { kind: string; metadata: { namespace?: string }; rules?: PolicyRule[]; subjects?: { kind: string; name: string }[] }[];
    const expectedRole = expected.find((o) => o.kind === "Role")!;
    const expectedBinding = expected.find((o) => o.kind === "RoleBinding")!;

    assert.equal(roles.length, 1);
    assert.equal(roles[0]!.metadata.namespace, expectedRole.metadata.namespace);
    assert.deepEqual(tuples(roles[0]!.rules ?? []), tuples(expectedRole.rules ?? []));
    assert.equal(bindings.length, 1);
    const subjects = (bindings[0] as RoleBindingObject).subjects!.map((s) => `${s.kind}/${s.name}`);
    assert.deepEqual(subjects, expectedBinding.subjects!.map((s) => `${s.kind}/${s.name}`));
    assert.equal(alice.objects.some((o) => o.kind === "ClusterRole"), false);
  });

  it("the CLI: --user alice --expand-verbs -o yaml prints only alice's Role and RoleBinding, ready for kubectl apply", async () => {
    const r = await runCli(["audit", demoLog, "--user", "alice", "--expand-verbs", "-o", "yaml"]);
    assert.equal(r.code, 0, r.stderr);
    const docs = loadAll(r.stdout) as { kind: string; metadata: { namespace?: string } }[];
    assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.namespace}`), ["Role/ns1", "RoleBinding/ns1"]);
  });
});
