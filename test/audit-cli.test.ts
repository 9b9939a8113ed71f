// `kubesleuth audit` end to end in-process: --snapshot explanations, gzipped and plain files together,
// bad input. Expectations reasoned from RBAC semantics and the audit2rbac demo log's contents (SOURCE.txt).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot, runCli } from "./cli-harness.js";

const demoLog = join(repoRoot, "..", "shared", "conformance", "audit2rbac", "demo.log");
const dir = mkdtempSync(join(tmpdir(), "ks-audit-cli-"));

interface Group {
  user: { name: string };
  action: { verb: string; resource?: string; namespace?: string };
  explanation: { verdict: string; minimalGrant?: { verified: boolean; verifiedAgainst: string } };
}

describe("kubesleuth audit", () => {
  it("--snapshot: alice's list pods in ns1, granted by the snapshot's Role, is 'allows now'; her configmaps 403 gets a verified grant", async () => {
    const snapshot = join(dir, "rbac.yaml");
    writeFileSync(
      snapshot,
      `apiVersion: v1
kind: List
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: { name: pod-reader, namespace: ns1 }
  rules: [{ apiGroups: [""], resources: [pods], verbs: [list] }]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: { name: alice-pods, namespace: ns1 }
  roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader }
  subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: alice }]
`,
    );
    const r = await runCli(["audit", demoLog, "--snapshot", snapshot, "--user", "alice", "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { forbidden: Group[]; rbacSource: string; grants: { verified: boolean; covers: number }[] };
    const byResource = Object.fromEntries(report.forbidden.map((g) => [g.action.resource, g.explanation]));
    assert.equal(byResource.pods!.verdict, "rbac-allows-now");
    assert.equal(byResource.configmaps!.verdict, "rbac-denied");
    assert.deepEqual(byResource.configmaps!.minimalGrant, { ...byResource.configmaps!.minimalGrant, verified: true, verifiedAgainst: "snapshot" });
    // One grant for alice covering the two requests RBAC still denies (configmaps, secrets), verified.
    assert.equal(report.grants.length, 1);
    assert.equal(report.grants[0]!.covers, 2);
    assert.equal(report.grants[0]!.verified, true);
    assert.match(report.rbacSource, /rbac\.yaml/);
  });

  it("a gzipped rotated copy and the plain log together: every request counted once (same auditIDs)", async () => {
    const gz = join(dir, "audit-2017-09-11.log.gz");
    writeFileSync(gz, gzipSync(readFileSync(demoLog)));
    const once = JSON.parse((await runCli(["audit", demoLog, "-o", "json"])).stdout);
    const r = await runCli(["audit", demoLog, gz, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const both = JSON.parse(r.stdout);
    // demo.log: 37 Event lines (SOURCE.txt), each its own request.
    assert.equal(once.requests, 37);
    assert.equal(both.events, 74);
    assert.equal(both.requests, 37);
    assert.equal(both.duplicates, 37);
    assert.equal(both.files[1].gzip, true);
  });

  it("bad input: only non-audit files is one line and exit 2; a bad file among good ones is a warning, exit 0", async () => {
    const notAudit = join(dir, "pods.json");
    writeFileSync(notAudit, JSON.stringify({ kind: "PodList", items: [] }));
    const bad = await runCli(["audit", notAudit]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^kubesleuth: .*pods\.json: not an audit log \(line 1: kind is "PodList", not "Event"\)\n/);
    const mixed = await runCli(["audit", demoLog, notAudit, join(dir, "absent.log")]);
    assert.equal(mixed.code, 0, mixed.stderr);
    assert.match(mixed.stderr, /pods\.json: not an audit log/);
    assert.match(mixed.stderr, /absent\.log: no such file/);
    assert.equal((await runCli(["audit"])).code, 2);
    assert.equal((await runCli(["audit", demoLog, "--watch-storm", "ten"])).code, 2);
  });
});
