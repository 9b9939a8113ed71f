// Canary: Secret values (data, stringData, kubectl's last-applied annotation) and the kubeconfig token
// must appear nowhere — not in the snapshot, the archive's bytes, the progress messages, nor errors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { KubeObject } from "../../model/kube.js";
import type { Snapshot } from "../../model/snapshot.js";
import { writeArchive } from "../archive/write-archive.js";
import { REDACTED } from "../redact.js";
import { loadLive } from "./load-live.js";
import { loadSnapshot } from "../snapshot/load-snapshot.js";
import { startFakeApiServer, writeKubeconfig } from "./testing/fake-api-server.js";
import { sampleCluster } from "./testing/sample-cluster.js";

const TOKEN = "canary-bearer-token-e4c1a7f2";
const CANARIES = {
  data: "canary-data-value-3f9b2d71",
  binary: "canary-binary-value-0a6e4c88",
  stringData: "canary-stringdata-value-b5d2e019",
  appliedOnly: "canary-applied-only-value-77c3f1aa",
  tls: "canary-tls-key-value-1d8e5b40",
  registry: "canary-registry-password-5c2a9e13",
  registryUser: "canary-registry-user-8b1f04d6",
};

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/** Every form a canary could take in output: plain, base64, base64 of base64, base64url. */
function forms(value: string): string[] {
  return [value, b64(value), b64(b64(value)), b64url(value)];
}

function canarySecrets(): KubeObject[] {
  const applied = JSON.stringify({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db-creds", namespace: "shop" },
    data: { password: b64(CANARIES.data) },
    stringData: { "api-key": CANARIES.stringData, extra: CANARIES.appliedOnly },
    type: "Opaque",
  });
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name: "db-creds", namespace: "shop", annotations: { "kubectl.kubernetes.io/last-applied-configuration": `${applied}\n`, team: "payments" } },
      data: { password: b64(CANARIES.data), blob: b64(`\u0000\u0001${CANARIES.binary}\u00ff`) },
      stringData: { "api-key": CANARIES.stringData },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name: "web-tls", namespace: "ops" },
      data: { "tls.crt": b64("-----BEGIN CERTIFICATE-----"), "tls.key": b64(CANARIES.tls) },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/dockerconfigjson",
      metadata: { name: "registry-pull", namespace: "shop" },
      data: {
        ".dockerconfigjson": b64(
          JSON.stringify({ auths: { "https://registry.example.com:5000/v2/": { username: CANARIES.registryUser, password: CANARIES.registry, auth: b64(`${CANARIES.registryUser}:${CANARIES.registry}`) } } }),
        ),
      },
    },
  ];
}

function serialize(snapshot: Snapshot): string {
  return JSON.stringify({ ...snapshot, objects: Object.fromEntries(snapshot.objects) });
}

function assertClean(where: string, text: string | Buffer): void {
  const haystack = Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8");
  for (const [name, value] of Object.entries(CANARIES)) {
    for (const form of forms(value)) assert.equal(haystack.indexOf(form), -1, `${where} holds the ${name} canary (${form})`);
  }
  for (const form of forms(TOKEN)) assert.equal(haystack.indexOf(form), -1, `${where} holds the bearer token`);
}

describe("secret canary", () => {
  it("no Secret value nor the token reaches the snapshot, the progress messages or the archive; keys and type survive", async () => {
    const fake = await startFakeApiServer({ objects: [...sampleCluster(), ...canarySecrets()], token: TOKEN });
    const kubeconfig = writeKubeconfig({ server: fake.url, token: TOKEN, caPem: fake.caPem });
    const dir = mkdtempSync(join(tmpdir(), "kubesleuth-canary-"));
    const progress: string[] = [];
    try {
      const snapshot = await loadLive({ kubeconfig: kubeconfig.path, kinds: ["Secret", "Pod", "Namespace"], pageSize: 1, onProgress: (m) => progress.push(m) });
      const archive = join(dir, "capture.tar.gz");
      await writeArchive(snapshot, archive, { serverUrl: fake.url });

      assertClean("JSON.stringify(snapshot)", serialize(snapshot));
      assertClean("progress messages", progress.join("\n"));
      const compressed = readFileSync(archive);
      assertClean("the archive (gzip)", compressed);
      const tarBytes = gunzipSync(compressed);
      assertClean("the archive (tar)", tarBytes);
      assert.deepEqual(readdirSync(dir), ["capture.tar.gz"]);

      // Keys and type survive, values are the marker.
      const secrets = snapshot.objects.get("Secret")!;
      const dbCreds = secrets.find((s) => s.metadata.name === "db-creds")!;
      assert.equal(dbCreds.type, "Opaque");
      assert.deepEqual(dbCreds.data, { password: REDACTED, blob: REDACTED });
      assert.deepEqual(dbCreds.stringData, { "api-key": REDACTED });
      assert.equal(dbCreds.metadata.annotations!["kubectl.kubernetes.io/last-applied-configuration"], REDACTED);
      assert.equal(dbCreds.metadata.annotations!.team, "payments");
      const tls = secrets.find((s) => s.metadata.name === "web-tls")!;
      assert.equal(tls.type, "kubernetes.io/tls");
      assert.deepEqual(Object.keys(tls.data as object), ["tls.crt", "tls.key"]);
      // A pull Secret keeps only its credential-free summary (registries and which fields are set), in the
      // snapshot, the archive, and the snapshot read back from the archive.
      const expectedSummary = {
        key: ".dockerconfigjson",
        parses: true,
        entries: [{ registry: "registry.example.com:5000", hasAuth: true, hasUsername: true, hasPassword: true, hasIdentityToken: false }],
      };
      assert.deepEqual(secrets.find((s) => s.metadata.name === "registry-pull")!.registryAuth, expectedSummary);
      const reread = await loadSnapshot([archive]);
      assertClean("the snapshot read back from the archive", serialize(reread));
      assert.deepEqual(reread.objects.get("Secret")!.find((s) => s.metadata.name === "registry-pull")!.registryAuth, expectedSummary);
      const tarText = tarBytes.toString("utf8");
      assert.ok(tarText.includes('"tls.key"') && tarText.includes('"api-key"') && tarText.includes("kubernetes.io/tls"), "keys and type are in the archive");
    } finally {
      await fake.close();
      kubeconfig.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("no Secret value nor the token reaches an error or a coverage note when Secret lists fail", async () => {
    const fake = await startFakeApiServer({
      objects: [...sampleCluster(), ...canarySecrets()],
      token: TOKEN,
      faults: [{ resource: "secrets", respond: 500, onContinue: true }],
    });
    const kubeconfig = writeKubeconfig({ server: fake.url, token: TOKEN, caPem: fake.caPem });
    try {
      const snapshot = await loadLive({ kubeconfig: kubeconfig.path, kinds: ["Secret", "Pod"], pageSize: 1, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
      assert.equal(snapshot.coverage.Secret!.status, "partial");
      assertClean("the partial snapshot", serialize(snapshot));
    } finally {
      await fake.close();
      kubeconfig.cleanup();
    }
    // The token never reaches a thrown error either: server gone, credentials rejected.
    const rejecting = await startFakeApiServer({ token: "another-token" });
    try {
      for (const server of [fake.url, rejecting.url]) {
        const config = writeKubeconfig({ server, token: TOKEN, caPem: fake.caPem ?? rejecting.caPem });
        try {
          await assert.rejects(loadLive({ kubeconfig: config.path, kinds: ["Secret"], retry: { attempts: 1 } }), (error: Error) => {
            assertClean("the SourceError", `${error.message}\n${error.stack ?? ""}\n${String((error.cause as Error | undefined)?.message)}`);
            return true;
          });
        } finally {
          config.cleanup();
        }
      }
    } finally {
      await rejecting.close();
    }
  });
});
