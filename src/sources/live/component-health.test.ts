// readComponentHealth against a local https server with a self-signed certificate openssl makes in the test,
// answering as k8s.io/apiserver/pkg/server/healthz does (`[+]name ok` lines; 500 and `[-]name failed: reason withheld` when one fails).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeArchive } from "../archive/write-archive.js";
import { createSnapshotBuilder } from "../snapshot-builder.js";
import { loadSnapshot } from "../snapshot/load-snapshot.js";
import { readComponentHealth } from "./component-health.js";

const dir = mkdtempSync(join(tmpdir(), "ks-component-health-"));
const run = (args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });

const HEALTHY = "[+]ping ok\n[+]log ok\n[+]leaderElection ok\nhealthz check passed\n";
const FAILING = "[+]ping ok\n[+]log ok\n[-]leaderElection failed: reason withheld\nhealthz check failed\n";

describe("readComponentHealth", () => {
  let server: https.Server;
  let base = "";
  const requests: string[] = [];
  let failing = false;
  before(async () => {
    // Self-signed, as kube-scheduler makes for itself without --tls-cert-file.
    run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.crt", "-days", "10", "-subj", "/CN=localhost@1700000000"]);
    server = https.createServer({ key: readFileSync(join(dir, "server.key")), cert: readFileSync(join(dir, "server.crt")) }, (req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url !== "/healthz?verbose") res.writeHead(404).end();
      else if (failing) res.writeHead(500).end(FAILING);
      else res.end(HEALTHY);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("GETs /healthz?verbose over an unverified self-signed certificate and records the checks", async () => {
    failing = false;
    requests.length = 0;
    const data = await readComponentHealth("kube-scheduler", `${base}/`);
    assert.deepEqual(requests, ["GET /healthz?verbose"]);
    assert.equal(data.name, "kube-scheduler");
    assert.equal(data.url, base);
    assert.equal(data.status, 200);
    assert.equal(data.ok, true);
    assert.equal(data.certificateVerified, false);
    assert.deepEqual(data.checks.map((c) => `${c.name}=${c.ok}`), ["ping=true", "log=true", "leaderElection=true"]);
    assert.equal(data.error, undefined);
  });

  it("records a failing answer (HTTP 500) with the failed check", async () => {
    failing = true;
    const data = await readComponentHealth("kube-scheduler", base.replace("https://", "https://user:secret@"));
    assert.equal(data.url, base);
    assert.equal(data.status, 500);
    assert.equal(data.ok, false);
    assert.deepEqual(data.checks.filter((c) => !c.ok).map((c) => c.line), ["[-]leaderElection failed: reason withheld"]);
    assert.equal(data.error, "HTTP 500");
  });

  it("rides in a kubesleuth archive's control-plane data", async () => {
    failing = true;
    const components = [await readComponentHealth("kube-scheduler", base)];
    const builder = createSnapshotBuilder({ kind: "live", locations: ["https://k8s.example:6443"], formats: ["live"] });
    builder.add({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "kube-scheduler", namespace: "kube-system" }, spec: { holderIdentity: "cp-1", leaseDurationSeconds: 15, renewTime: "2026-11-28T11:00:00.000000Z" } });
    builder.setControlPlane({ health: [], components });
    const file = join(dir, "snap.tar.gz");
    await writeArchive(builder.build(), file, { serverUrl: "https://k8s.example:6443" });
    const loaded = await loadSnapshot([file]);
    assert.deepEqual(loaded.controlPlane?.components, components);
  });

  it("records a refused connection instead of throwing; http has no certificate to verify", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const data = await readComponentHealth("kube-controller-manager", `http://127.0.0.1:${port}`, 2000);
    assert.equal(data.ok, false);
    assert.equal(data.status, undefined);
    assert.equal(data.certificateVerified, undefined);
    assert.match(data.error ?? "", /ECONNREFUSED/);
  });
});
