import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../model/kube.js";
import { TLS_CERTIFICATE_ANNOTATION, tlsCertificateRecord } from "../model/tls.js";
import { certificateRecord } from "./tls-record.js";
import { REDACTED } from "./redact.js";
import { createSnapshotBuilder } from "./snapshot-builder.js";
import { writeArchive } from "./archive/write-archive.js";
import { loadSnapshot } from "./snapshot/load-snapshot.js";

const certs = JSON.parse(readFileSync(new URL("../../fixtures/tls/test-certificates.json", import.meta.url), "utf8")) as Record<string, { crt: string | null; key: string }>;
const blog = certs.blog!;
const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
/** The base64 body lines of a PEM key: any of them in the output would be a leak. */
const keyBodyLines = (pem: string): string[] => pem.split("\n").filter((l) => l && !l.startsWith("-----"));

function tlsSecret(crt: string, key: string): KubeObject {
  return { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls", metadata: { name: "blog-tls", namespace: "blog" }, data: { "tls.crt": b64(crt), "tls.key": b64(key) } };
}

describe("certificateRecord", () => {
  it("reads subject, SANs and validity of the leaf, and checks the key (values from the generator's inputs, fixtures/tls)", () => {
    const r = certificateRecord(blog.crt!, blog.key);
    assert.equal(r.subject, "CN=blog.example.org");
    assert.deepEqual(r.dnsNames, ["blog.example.org"]);
    assert.equal(r.notBefore, "2024-01-01T00:00:00.000Z");
    assert.equal(r.notAfter, "2036-01-01T00:00:00.000Z");
    assert.equal(r.keyMatches, true);
    assert.equal(r.certificates, 1);
  });
  it("a key of another certificate does not match", () => {
    assert.equal(certificateRecord(blog.crt!, certs.other!.key).keyMatches, false);
  });
  it("garbage in tls.crt and tls.key: errors in kubesleuth's words, no exception", () => {
    assert.match(certificateRecord("not a certificate", undefined).certificateError ?? "", /no PEM certificate/);
    const broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert.match(certificateRecord(broken, undefined).certificateError ?? "", /does not parse/);
    const r = certificateRecord(blog.crt!, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n");
    assert.equal(r.keyError, "tls.key does not parse as a PEM private key");
    assert.equal(r.keyMatches, undefined);
  });
});

describe("TLS Secrets through the snapshot builder (canary: the key never appears)", () => {
  it("the redacted Secret carries the record, and neither the key PEM nor its base64 appears anywhere", () => {
    const builder = createSnapshotBuilder({ kind: "live", locations: ["test"] });
    builder.add(tlsSecret(blog.crt!, blog.key));
    const snapshot = builder.build();
    const secret = snapshot.objects.get("Secret")![0]!;
    assert.deepEqual(secret.data, { "tls.crt": REDACTED, "tls.key": REDACTED });
    const record = tlsCertificateRecord(secret.metadata.annotations);
    assert.equal(record?.keyMatches, true);
    assert.deepEqual(record?.dnsNames, ["blog.example.org"]);
    const text = JSON.stringify({ ...snapshot, objects: [...snapshot.objects] });
    assert.ok(!text.includes(b64(blog.key)), "base64 of tls.key in the snapshot");
    for (const line of keyBodyLines(blog.key)) assert.ok(!text.includes(line), "a line of tls.key in the snapshot");
  });

  it("archives carry the record: written and read back, the Secret still has it and the key is nowhere in the archive", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubesleuth-tls-test-"));
    try {
      const builder = createSnapshotBuilder({ kind: "live", locations: ["https://k8s.example"], formats: ["live"] });
      builder.setCapturedAt("2026-01-01T00:00:00.000Z");
      builder.add(tlsSecret(blog.crt!, blog.key));
      builder.markListed("Secret");
      const file = join(dir, "a.tar.gz");
      await writeArchive(builder.build(), file, { serverUrl: "https://k8s.example" });
      const raw = readFileSync(file);
      const { gunzipSync } = await import("node:zlib");
      const tar = gunzipSync(raw).toString("latin1");
      assert.ok(!tar.includes(b64(blog.key)));
      for (const line of keyBodyLines(blog.key)) assert.ok(!tar.includes(line), "a line of tls.key in the archive");
      const back = await loadSnapshot([file]);
      const secret = back.objects.get("Secret")![0]!;
      assert.equal(secret.data && (secret.data as Record<string, string>)["tls.key"], REDACTED);
      const record = tlsCertificateRecord(secret.metadata.annotations);
      assert.equal(record?.keyMatches, true);
      assert.equal(record?.notAfter, "2036-01-01T00:00:00.000Z");
      assert.equal(secret.metadata.annotations?.[TLS_CERTIFICATE_ANNOTATION], JSON.stringify(certificateRecord(blog.crt!, blog.key)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
