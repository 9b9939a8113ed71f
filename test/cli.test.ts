// The CLI end to end, in-process: exit codes, output formats, bad input, colour, diagnose, inspect.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, runCli } from "./cli-harness.js";
import { schemaErrors } from "./report-schema.js";

const EXAMPLE = "examples/shop-cluster";
const HEALTHY = "fixtures/clusters/healthy";
const tmp = (): string => mkdtempSync(join(tmpdir(), "kubesleuth-cli-"));

describe("cli", () => {
  it("--help teaches: commands, examples, exit codes", async () => {
    const r = await runCli(["--help"]);
    assert.equal(r.code, 0);
    for (const word of ["scan", "diagnose", "inspect", "snapshot", "Examples:", "Exit codes"]) assert.ok(r.stdout.includes(word), word);
  });

  it("scan of a healthy snapshot: exit 0, schema-valid JSON, nothing at error or above", async () => {
    const r = await runCli(["scan", HEALTHY, "-o", "json"]);
    assert.equal(r.stderr, "");
    const report = JSON.parse(r.stdout);
    assert.deepEqual(schemaErrors(report), []);
    assert.equal(report.summary.error + report.summary.critical, 0);
    assert.equal(r.code, 0);
  });

  it("scan of the example cluster exits 1 (findings at error) and 0 with --fail-on none", async () => {
    const r = await runCli(["scan", EXAMPLE, "-o", "json"]);
    assert.equal(r.code, 1);
    assert.deepEqual(schemaErrors(JSON.parse(r.stdout)), []);
    assert.equal((await runCli(["scan", EXAMPLE, "--fail-on", "none"])).code, 0);
  });

  it("--snapshot is the same as a positional path", async () => {
    const a = await runCli(["scan", EXAMPLE, "-o", "json"]);
    const b = await runCli(["scan", "--snapshot", EXAMPLE, "-o", "json"]);
    assert.deepEqual(JSON.parse(a.stdout).findings, JSON.parse(b.stdout).findings);
  });

  it("an unknown output format exits 2 and lists the valid ones", async () => {
    const r = await runCli(["scan", EXAMPLE, "-o", "yaml"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown output format "yaml"/);
    assert.match(r.stderr, /text, json, markdown/);
  });

  it("malformed JSON: one line naming the file, exit 2, no stack", async () => {
    const dir = tmp();
    const file = join(dir, "pods.json");
    writeFileSync(file, '{"apiVersion":"v1","kind":"List","items":[{"kind":"Pod",}]}');
    const r = await runCli(["scan", file]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.ok(!r.stderr.includes("    at "), "no stack trace");
  });

  it("a missing path and a directory with nothing Kubernetes in it exit 2", async () => {
    assert.equal((await runCli(["scan", "/nonexistent/kubesleuth"])).code, 2);
    const dir = tmp();
    writeFileSync(join(dir, "notes.txt"), "hello");
    const r = await runCli(["scan", dir]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  });

  it("a truncated archive exits 2 with one line naming it", async () => {
    const { readFileSync } = await import("node:fs");
    const { create } = await import("tar");
    const dir = tmp();
    // A whole archive of the example cluster, then its first half.
    const whole = join(dir, "whole.tar.gz");
    await create({ gzip: true, file: whole, cwd: repoRoot }, ["examples/shop-cluster"]);
    const bundle = readFileSync(whole);
    const file = join(dir, "bundle.tar.gz");
    writeFileSync(file, bundle.subarray(0, Math.floor(bundle.length / 2)));
    const r = await runCli(["scan", file]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(r.stderr.includes(file), r.stderr);
  });

  it("an unreachable API server exits 2 with one line naming the endpoint", async () => {
    const dir = tmp();
    const kc = join(dir, "config");
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    writeFileSync(kc, "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: secret-token-value}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n");
    const r = await runCli(["scan", "--kubeconfig", kc]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /127\.0\.0\.1:1/);
    assert.ok(!r.stderr.includes("secret-token-value"));
  });

  it("an unknown command or flag exits 2", async () => {
    assert.equal((await runCli(["frobnicate"])).code, 2);
    assert.equal((await runCli(["scan", EXAMPLE, "--frob"])).code, 2);
  });

  it("colour only on a TTY, never with NO_COLOR", async () => {
    const esc = "\u001b[";
    const tty = await runCli(["scan", EXAMPLE], { stdoutIsTTY: true });
    assert.ok(tty.stdout.includes(esc), "TTY gets colour");
    const noColor = await runCli(["scan", EXAMPLE], { stdoutIsTTY: true, env: { NO_COLOR: "1" } });
    assert.ok(!noColor.stdout.includes(esc), "NO_COLOR honoured");
    const pipe = await runCli(["scan", EXAMPLE]);
    assert.ok(!pipe.stdout.includes(esc), "no colour into a pipe");
  });

  it("markdown output renders every finding", async () => {
    const json = JSON.parse((await runCli(["scan", EXAMPLE, "-o", "json"])).stdout);
    const md = (await runCli(["scan", EXAMPLE, "-o", "markdown"])).stdout;
    assert.ok(md.startsWith("# kubesleuth report"));
    for (const f of json.findings) assert.ok(md.includes(`\`${f.code}\``), f.code);
  });

  it("--only and --skip select analyzers; an unknown analyzer is a usage error", async () => {
    const only = JSON.parse((await runCli(["scan", EXAMPLE, "-o", "json", "--only", "service-selects-no-pods"])).stdout);
    assert.ok(only.findings.length > 0);
    assert.ok(only.findings.every((f: { analyzer: string }) => f.analyzer === "service-selects-no-pods"));
    const skip = JSON.parse((await runCli(["scan", EXAMPLE, "-o", "json", "--skip", "service-selects-no-pods"])).stdout);
    assert.ok(skip.findings.every((f: { analyzer: string }) => f.analyzer !== "service-selects-no-pods"));
    assert.equal((await runCli(["scan", EXAMPLE, "--only", "no-such-thing"])).code, 2);
  });

  it("a config file suppresses by code and namespace; a bad one exits 2 naming the dot path", async () => {
    const dir = tmp();
    const good = join(dir, "good.yaml");
    writeFileSync(good, "suppressions:\n  - code: service-selects-no-pods/noMatch\n");
    const r = JSON.parse((await runCli(["scan", EXAMPLE, "-o", "json", "--config", good])).stdout);
    assert.ok(r.findings.every((f: { code: string }) => f.code !== "service-selects-no-pods/noMatch"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "suppressions:\n  - code: x\n    colour: red\n");
    const b = await runCli(["scan", EXAMPLE, "--config", bad]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /suppressions\[0\]\.colour/);
  });

  it("--stats adds per-analyzer timings", async () => {
    const r = JSON.parse((await runCli(["scan", EXAMPLE, "-o", "json", "--stats"])).stdout);
    assert.ok(r.stats.analyzers.length > 0);
    assert.deepEqual(schemaErrors(r), []);
  });

  it("-n limits the scan to one namespace", async () => {
    const r = JSON.parse((await runCli(["scan", EXAMPLE, "-o", "json", "-n", "payments"])).stdout);
    assert.ok(r.findings.length > 0);
    assert.ok(r.findings.every((f: { subject: { namespace?: string } }) => !f.subject.namespace || f.subject.namespace === "payments"));
  });

  it("-l keeps only matching pods, marks Pod coverage partial, and invents no 'selects no pods' finding", async () => {
    // payments-api's selector has a typo: it selects nothing in the full scan. With -l on an unrelated
    // label, every Service's pods may simply have been filtered out: nothing may be concluded from absence.
    const r = JSON.parse((await runCli(["scan", EXAMPLE, "-o", "json", "-l", "app.kubernetes.io/name=checkout"])).stdout);
    assert.equal(r.coverage.Pod.status, "partial");
    assert.match(r.coverage.Pod.note, /app.kubernetes.io\/name=checkout/);
    assert.ok(r.findings.every((f: { code: string }) => f.code !== "service-selects-no-pods/noMatch"), JSON.stringify(r.findings.map((f: { code: string }) => f.code)));
    const text = (await runCli(["scan", EXAMPLE, "-l", "app.kubernetes.io/name=checkout"])).stdout;
    assert.match(text, /Incomplete: 1 kind\(s\) not fully read \(partial: Pod\)/);
  });

  it("inspect -o json lists kinds with counts, coverage and the reference time", async () => {
    const r = await runCli(["inspect", EXAMPLE, "-o", "json"]);
    assert.equal(r.code, 0);
    const out = JSON.parse(r.stdout);
    assert.ok(out.kinds.Pod > 0 && out.kinds.Node > 0);
    assert.equal(out.coverage.Pod.status, "ok");
    assert.ok(!Number.isNaN(Date.parse(out.now)));
  });

  it("diagnose walks an object's graph and prints what was ruled out and the root cause", async () => {
    const r = await runCli(["diagnose", "svc/checkout", "-n", "shop", "--snapshot", EXAMPLE]);
    assert.ok(r.stdout.includes("Dependency graph"), r.stdout);
    assert.ok(r.stdout.includes("Investigation"));
    assert.match(r.stdout, /✓/, "some checks passed (ruled out)");
    assert.match(r.stdout, /Root cause/);
    assert.equal(r.code, 1);
  });

  it("diagnose of a missing object or a bad reference exits 2", async () => {
    assert.equal((await runCli(["diagnose", "svc/nope", "-n", "shop", "--snapshot", EXAMPLE])).code, 2);
    const bad = await runCli(["diagnose", "gizmo/x", "--snapshot", EXAMPLE]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown kind/);
  });

  it("a kubeconfig without the requested context exits 2 naming it", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "k"));
    const kc = join(dir, "k", "config");
    writeFileSync(kc, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\ncurrent-context: ''\n");
    const r = await runCli(["scan", "--kubeconfig", kc, "--context", "prod"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /prod/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  });
});
