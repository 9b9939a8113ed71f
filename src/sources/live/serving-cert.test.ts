// readServingCertificate against a local https server whose certificate openssl makes in the test.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readServingCertificate } from "./serving-cert.js";

const dir = mkdtempSync(join(tmpdir(), "ks-serving-cert-"));
const run = (args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });

describe("readServingCertificate", () => {
  let server: https.Server;
  let port = 0;
  before(async () => {
    // A CA, and a serving certificate it signs for CN=kube-apiserver with SANs DNS:kubernetes, DNS:localhost, IP:127.0.0.1, valid 10 days.
    run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "30", "-subj", "/CN=test-ca"]);
    run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/O=system:masters/CN=kube-apiserver"]);
    writeFileSync(join(dir, "ext.cnf"), "subjectAltName=DNS:kubernetes,DNS:localhost,IP:127.0.0.1\n");
    run(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "10", "-extfile", "ext.cnf"]);
    server = https.createServer({ key: readFileSync(join(dir, "server.key")), cert: readFileSync(join(dir, "server.crt")) }, (_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads subject, issuer, SANs and validity, trusted with the right CA", async () => {
    const cert = await readServingCertificate(`https://127.0.0.1:${port}`, readFileSync(join(dir, "ca.crt")));
    assert.ok(cert);
    assert.equal(cert.error, undefined);
    assert.equal(cert.host, "127.0.0.1");
    assert.equal(cert.port, port);
    assert.equal(cert.subject, "O=system:masters, CN=kube-apiserver");
    assert.equal(cert.issuer, "CN=test-ca");
    assert.deepEqual(cert.subjectAltNames, ["DNS:kubernetes", "DNS:localhost", "IP Address:127.0.0.1"]);
    // openssl -days 10: notAfter is 10 days after notBefore.
    assert.equal(Date.parse(cert.notAfter) - Date.parse(cert.notBefore), 10 * 24 * 3600 * 1000);
    assert.equal(cert.trusted, true);
    assert.equal(cert.trustError, undefined);
  });

  it("still reads the certificate without a CA, and reports it untrusted", async () => {
    const cert = await readServingCertificate(`https://127.0.0.1:${port}`, undefined);
    assert.ok(cert);
    assert.equal(cert.subject, "O=system:masters, CN=kube-apiserver");
    assert.equal(cert.trusted, false);
    // The server sends only its leaf, whose issuer is in no trust store: OpenSSL's X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE.
    assert.equal(cert.trustError, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("dials a DNS name with SNI and verifies the name against the SANs", async () => {
    // localhost is a SAN; the chain verifies.
    const ok = await readServingCertificate(`https://localhost:${port}`, readFileSync(join(dir, "ca.crt")));
    assert.equal(ok?.trusted, true);
    assert.equal(ok?.host, "localhost");
  });

  it("records a refused connection as an error, and skips http", async () => {
    const closed = https.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const cert = await readServingCertificate(`https://127.0.0.1:${freePort}`, undefined, 2000);
    assert.match(cert?.error ?? "", /ECONNREFUSED/);
    assert.equal(await readServingCertificate("http://127.0.0.1:8080", undefined), undefined);
  });
});
