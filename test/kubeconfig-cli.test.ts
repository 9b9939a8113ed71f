// `kubesleuth kubeconfig` over generated certificates (openssl) and hand-written kubeconfigs. Expected
// validity follows from the -days given to openssl and the `now` passed to the CLI; merge order from
// kubectl's documented rule (the first file to set a name wins); secrets must never be printed.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { runCli } from "./cli-harness.js";

const DAY = 86_400_000;
const TOKEN = "s3cr3t-token-value-0123456789";
const PROXY_PASSWORD = "proxy-pass-98765";
const dir = mkdtempSync(join(tmpdir(), "ks-kubeconfig-"));
let caPem = "";
let issuedAt = 0;

function openssl(args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

before(() => {
  issuedAt = Date.now();
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650", "-subj", "/CN=test-ca"]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "alice.key", "-out", "alice.csr", "-subj", "/CN=alice/O=dev"]);
  openssl(["x509", "-req", "-in", "alice.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "alice.crt", "-days", "10"]);
  caPem = readFileSync(join(dir, "ca.crt"), "utf8");
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  writeFileSync(
    join(dir, "main.yaml"),
    `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster:
    server: https://dev.example.com:6443
    certificate-authority-data: ${b64(caPem)}
- name: files
  cluster:
    server: https://files.example.com
    certificate-authority: ca.crt
- name: lab
  cluster:
    server: https://lab.example.com
    insecure-skip-tls-verify: true
    proxy-url: http://user:${PROXY_PASSWORD}@proxy.example.com:3128
users:
- name: alice
  user:
    client-certificate: alice.crt
    client-key: alice.key
- name: robot
  user:
    token: ${TOKEN}
- name: cloud
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: definitely-not-on-path-kubesleuth
      args: ["--token", "${TOKEN}"]
- name: shell
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: sh
contexts:
- name: dev
  context: { cluster: dev, user: alice, namespace: shop }
- name: lab
  context: { cluster: lab, user: robot }
- name: cloud
  context: { cluster: dev, user: cloud }
- name: shell
  context: { cluster: dev, user: shell }
- name: broken
  context: { cluster: nowhere, user: robot }
`,
  );
  writeFileSync(
    join(dir, "second.yaml"),
    `apiVersion: v1
kind: Config
current-context: other
clusters:
- name: dev
  cluster: { server: https://shadowed.example.com }
- name: extra
  cluster: { server: https://extra.example.com }
users: []
contexts:
- name: extra
  context: { cluster: extra, user: robot }
`,
  );
});

const env = () => ({ PATH: "/usr/bin:/bin", HOME: dir });

describe("kubesleuth kubeconfig", () => {
  it("lists contexts (current marked), clusters, users; certificates with days left; never a secret", async () => {
    // 5 days after issuing: the 10-day client certificate has 4 or 5 whole days left (< 30: expiring, a warning).
    const r = await runCli(["kubeconfig", join(dir, "main.yaml"), "-o", "json"], { env: env(), now: () => issuedAt + 5 * DAY });
    assert.equal(r.stdout.includes(TOKEN), false);
    assert.equal(r.stdout.includes(PROXY_PASSWORD), false);
    const report = JSON.parse(r.stdout);
    assert.equal(report.currentContext, "dev");
    assert.deepEqual(report.contexts.filter((c: { current: boolean }) => c.current).map((c: { name: string }) => c.name), ["dev"]);
    const dev = report.clusters.find((c: { name: string }) => c.name === "dev");
    assert.equal(dev.caVerdicts.length, 1);
    assert.match(dev.caVerdicts[0].subject, /CN=test-ca/);
    assert.equal(dev.caVerdicts[0].state, "valid");
    const alice = report.users.find((u: { name: string }) => u.name === "alice");
    assert.match(alice.clientCertificateVerdicts[0].subject, /CN=alice/);
    assert.equal(alice.clientCertificateVerdicts[0].from, join(dir, "alice.crt")); // relative to the kubeconfig's folder
    assert.ok([4, 5].includes(alice.clientCertificateVerdicts[0].daysLeft));
    assert.equal(alice.clientCertificateVerdicts[0].state, "expiring");
    assert.equal(alice.clientKey, "file");
    assert.equal(report.users.find((u: { name: string }) => u.name === "robot").token, "inline");
    const cloud = report.users.find((u: { name: string }) => u.name === "cloud");
    assert.equal(cloud.exec.resolved, undefined);
    assert.equal(cloud.exec.args, 2);
    assert.match(report.users.find((u: { name: string }) => u.name === "shell").exec.resolved, /\/sh$/);
    // The CA from a file path, relative to the kubeconfig's folder: the same certificate as the inline data.
    const files = report.clusters.find((c: { name: string }) => c.name === "files");
    assert.equal(files.caVerdicts[0].from, join(dir, "ca.crt"));
    assert.equal(files.caVerdicts[0].notAfter, dev.caVerdicts[0].notAfter);
    const lab = report.clusters.find((c: { name: string }) => c.name === "lab");
    assert.equal(lab.insecureSkipTlsVerify, true);
    assert.match(lab.proxyUrl, /^http:\/\/proxy\.example\.com:3128 \(credentials in URL not shown\)$/);
    const problems = report.problems.map((p: { severity: string; about: string }) => `${p.severity} ${p.about}`).sort();
    assert.deepEqual(problems, ["error context/broken", "error user/cloud", "warning cluster/lab", "warning user/alice"]);
    // Errors present: exit 1.
    assert.equal(r.code, 1);
  });

  it("text output: same facts, no secret; expired and not-yet-valid certificates are errors", async () => {
    const later = await runCli(["kubeconfig", join(dir, "main.yaml")], { env: env(), now: () => issuedAt + 20 * DAY });
    assert.equal(later.stdout.includes(TOKEN), false);
    assert.match(later.stdout, /^ +\* +dev +dev +alice +shop$/m);
    assert.match(later.stdout, /client certificate: CN=alice, O=dev, .* EXPIRED (9|10) day\(s\) ago/);
    assert.match(later.stdout, /ERROR {3}user\/alice: client certificate CN=alice, O=dev .* expired/);
    assert.match(later.stdout, /exec: definitely-not-on-path-kubesleuth .*NOT FOUND on PATH/);
    assert.match(later.stdout, /token present/);
    const earlier = await runCli(["kubeconfig", join(dir, "main.yaml"), "-o", "json"], { env: env(), now: () => issuedAt - 2 * DAY });
    const alice = JSON.parse(earlier.stdout).users.find((u: { name: string }) => u.name === "alice");
    assert.equal(alice.clientCertificateVerdicts[0].state, "not-yet-valid");
  });

  it("KUBECONFIG list: merged, the first file to define a name wins; current-context from the first file that sets one", async () => {
    const r = await runCli(["kubeconfig", "-o", "json"], { env: { ...env(), KUBECONFIG: [join(dir, "main.yaml"), join(dir, "absent.yaml"), join(dir, "second.yaml")].join(delimiter) }, now: () => issuedAt });
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.files, [join(dir, "main.yaml"), join(dir, "second.yaml")]);
    assert.deepEqual(report.missingFiles, [join(dir, "absent.yaml")]);
    assert.equal(report.currentContext, "dev");
    assert.equal(report.clusters.find((c: { name: string }) => c.name === "dev").server, "https://dev.example.com:6443");
    assert.ok(report.contexts.some((c: { name: string }) => c.name === "extra"));
  });

  it("bad input: one line, exit 2", async () => {
    writeFileSync(join(dir, "bad.yaml"), `users:\n- name: x\n  user: {token: ${TOKEN}\n`);
    const bad = await runCli(["kubeconfig", join(dir, "bad.yaml")], { env: env() });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.includes(TOKEN), false);
    assert.match(bad.stderr, /invalid YAML/);
    const missing = await runCli(["kubeconfig", join(dir, "nope.yaml")], { env: env() });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /file not found/);
    const noLive = await runCli(["kubeconfig", join(dir, "main.yaml"), "--context", "dev"], { env: env() });
    assert.equal(noLive.code, 2);
  });

  it("--live against a server that is not there: the probe says so (error, exit 1)", async () => {
    writeFileSync(
      join(dir, "dead.yaml"),
      `apiVersion: v1\nkind: Config\ncurrent-context: d\nclusters:\n- name: d\n  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: ${TOKEN}}\ncontexts:\n- name: d\n  context: {cluster: d, user: u}\n`,
    );
    const r = await runCli(["kubeconfig", join(dir, "dead.yaml"), "--live", "--request-timeout", "3s", "-o", "json"], { env: env() });
    assert.equal(r.code, 1);
    assert.equal(r.stdout.includes(TOKEN), false);
    const probe = JSON.parse(r.stdout).probes[0];
    assert.equal(probe.version.answers, false);
    assert.match(probe.version.error, /ECONNREFUSED/);
    assert.equal(probe.auth.status, "error");
  });
});
