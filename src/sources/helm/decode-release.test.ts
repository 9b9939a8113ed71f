// Helm release storage decoding against real Helm-produced Secrets (../shared/conformance/helm-release:
// expected payloads decoded independently with python, see its SOURCE.txt), the ConfigMap driver and
// pre-compression payloads (encoded here as Helm's pkg/storage/driver/util.go does), and sanitizing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { load as loadYaml } from "js-yaml";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../model/kube.js";
import type { HelmRelease } from "../../model/helm-release.js";
import { createSnapshotBuilder } from "../snapshot-builder.js";
import { decodeReleasePayload, decodeStorageEntry, helmStorageOf, parseManifest, type RawHelmRelease } from "./decode-release.js";
import { isSecretKey, sanitizeValues } from "./sanitize-values.js";

const dir = new URL("../../../../shared/conformance/helm-release/", import.meta.url);
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".secret.yaml"))
  .sort()
  .map((f) => ({
    name: f.replace(/\.secret\.yaml$/, ""),
    secret: loadYaml(readFileSync(new URL(f, dir), "utf8")) as KubeObject,
    expected: JSON.parse(readFileSync(new URL(f.replace(/\.secret\.yaml$/, ".decoded.json"), dir), "utf8")) as RawHelmRelease & Record<string, unknown>,
  }));

/** Helm's encodeRelease: JSON -> gzip -> base64. */
const helmEncode = (release: unknown): string => gzipSync(Buffer.from(JSON.stringify(release))).toString("base64");
const b64 = (s: string): string => Buffer.from(s).toString("base64");

describe("Helm release storage: conformance (shared/conformance/helm-release)", () => {
  it("has the two Deckhouse samples", () => assert.equal(cases.length, 2));

  for (const c of cases) {
    it(`${c.name}: the payload decodes byte-exact to the expected JSON`, () => {
      const storage = helmStorageOf(c.secret);
      assert.ok(storage && storage !== "redacted");
      assert.equal(storage.driver, "Secret");
      assert.deepEqual(decodeReleasePayload(storage.encoded), c.expected);
    });

    it(`${c.name}: the sanitized revision keeps what the payload says`, () => {
      const storage = helmStorageOf(c.secret);
      assert.ok(storage && storage !== "redacted");
      const { name, namespace, revision } = decodeStorageEntry(storage);
      const e = c.expected;
      assert.equal(name, e.name);
      assert.equal(namespace, e.namespace);
      assert.equal(revision.revision, e.version);
      assert.equal(revision.status, e.info!.status);
      assert.equal(revision.description, e.info!.description);
      assert.equal(revision.firstDeployed, e.info!.first_deployed);
      assert.equal(revision.lastDeployed, e.info!.last_deployed);
      assert.equal(revision.deleted, undefined, "Helm writes deleted as an empty string until uninstalled");
      assert.deepEqual(revision.chart, { name: e.chart!.metadata!.name, version: e.chart!.metadata!.version, appVersion: e.chart!.metadata!.appVersion });
      assert.equal(revision.storedIn, `Secret/${c.secret.metadata.name}`);
      assert.deepEqual(revision.values, {}, "these releases have no user-supplied values (no config key)");
      // The resources: what the `yaml` package (not the decoder's js-yaml) reads from the expected manifest text.
      const docs = parseAllDocuments(e.manifest ?? "").map((d) => d.toJS() as KubeObject | null).filter((d): d is KubeObject => !!d);
      assert.deepEqual(revision.resources.map((r) => r.object), docs);
      assert.deepEqual(revision.resources.map((r) => r.source), [...(e.manifest ?? "").matchAll(/^# Source: (\S+)$/gm)].map((m) => m[1]));
      // Nothing of the chart (templates, files, default values) is kept.
      assert.ok(!JSON.stringify(revision).includes('"templates"'));
    });
  }

  it("a Secret stored in another namespace than its payload says: the storage namespace files it, the payload's is kept", () => {
    const c = cases.find((x) => x.secret.metadata.namespace !== x.expected.namespace);
    assert.ok(c, "the with_deprecated sample has metadata.namespace appns and payload namespace default");
    const builder = createSnapshotBuilder({ kind: "snapshot", locations: ["t"] });
    builder.add(c.secret);
    const [release] = builder.build().objects.get("HelmRelease") as HelmRelease[];
    assert.equal(release?.metadata.namespace, c.secret.metadata.namespace);
    assert.equal(release?.metadata.name, c.expected.name);
    assert.equal(release?.releaseNamespace, c.expected.namespace);
  });
});

describe("Helm release storage: drivers and encodings", () => {
  const payload = { name: "web", namespace: "shop", version: 4, info: { status: "deployed", description: "Upgrade complete" }, chart: { metadata: { name: "web", version: "1.2.3" } }, manifest: "" };

  it("ConfigMap driver: data.release holds Helm's string once-encoded (starts H4sI)", () => {
    const cm: KubeObject = { kind: "ConfigMap", metadata: { name: "web.v4", namespace: "shop", labels: { owner: "helm", name: "web" } }, data: { release: helmEncode(payload) } };
    const storage = helmStorageOf(cm);
    assert.ok(storage && storage !== "redacted");
    assert.ok(storage.encoded.startsWith("H4sI"));
    assert.equal(decodeStorageEntry(storage).revision.storedIn, "ConfigMap/web.v4");
    assert.deepEqual(decodeReleasePayload(storage.encoded), payload);
  });

  it("legacy payloads without gzip (first bytes are not 1f 8b 08) are read as plain JSON", () => {
    assert.deepEqual(decodeReleasePayload(b64(JSON.stringify(payload))), payload);
  });

  it("damaged payloads fail with a message that does not quote the payload", () => {
    assert.throws(() => decodeReleasePayload(b64("{not json secret-canary")), (e: Error) => !e.message.includes("secret-canary"));
    const truncated = helmEncode(payload).slice(0, 40);
    assert.throws(() => decodeReleasePayload(truncated), /gzip/);
  });

  it("objects that are not Helm storage are not taken for it", () => {
    assert.equal(helmStorageOf({ kind: "Secret", type: "Opaque", metadata: { name: "x" }, data: { release: "eA==" } }), undefined);
    assert.equal(helmStorageOf({ kind: "ConfigMap", metadata: { name: "x", labels: { owner: "me" } }, data: { release: "x" } }), undefined);
  });
});

describe("Helm release sanitizing", () => {
  it("secret-looking keys: words of the key, not substrings; keys naming a Secret or a file are kept", () => {
    for (const k of ["password", "dbPassword", "DB_PASSWORD", "api-key", "apiKey", "tls.key", "token", "clientSecret", "credentials", "caCert", "auth", "privateKey"]) assert.ok(isSecretKey(k), k);
    for (const k of ["keyspace", "monkey", "image", "tag", "secretName", "passwordFile", "existingSecretRef", "tokenPath", "enabled", "author"]) assert.ok(!isSecretKey(k), k);
  });

  it("values: strings and numbers under secret-looking keys become markers, booleans stay; credential-shaped strings anywhere", () => {
    const values = sanitizeValues({
      image: { tag: "2.9.0" },
      db: { password: "hunter2", port: 5432 },
      auth: { enabled: true, users: [{ name: "a", token: "t0k" }], pin: 1234 },
      url: "postgres://app:s3cr3t@db:5432/app",
      note: "-----BEGIN RSA PRIVATE KEY-----\nMII...",
    }) as Record<string, Record<string, unknown>>;
    const text = JSON.stringify(values);
    for (const secret of ["hunter2", "t0k", "1234", "s3cr3t", "MII"]) assert.ok(!text.includes(secret), secret);
    assert.equal(values.image!.tag, "2.9.0");
    assert.equal(values.db!.port, 5432);
    assert.equal(values.auth!.enabled, true);
    assert.match(String(values.db!.password), /^<redacted by kubesleuth> #[0-9a-f]{8}$/);
  });

  it("equal secret values get equal markers, different ones different markers (so a diff sees a change)", () => {
    const a = sanitizeValues({ password: "one" }) as { password: string };
    const b = sanitizeValues({ password: "one" }) as { password: string };
    const c = sanitizeValues({ password: "two" }) as { password: string };
    assert.equal(a.password, b.password);
    assert.notEqual(a.password, c.password);
  });

  it("rendered Secrets in the manifest lose their data and stringData values; other objects are kept whole", () => {
    const { resources } = parseManifest(
      "---\n# Source: c/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  pw: aHVudGVyMg==\nstringData:\n  token: hunter3\n---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  mode: fast\n",
    );
    const text = JSON.stringify(resources);
    assert.ok(!text.includes("aHVudGVyMg==") && !text.includes("hunter3"));
    assert.deepEqual(resources.map((r) => [r.source, r.object.kind, Object.keys((r.object.data ?? r.object.stringData) as object)]), [
      ["c/templates/secret.yaml", "Secret", ["pw"]],
      ["c/templates/cm.yaml", "ConfigMap", ["mode"]],
    ]);
    assert.deepEqual(resources[1]!.object.data, { mode: "fast" });
  });

  it("other rendered objects: env literals with secret-looking names and credential-shaped strings become markers", () => {
    const { resources } = parseManifest(
      "---\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: app:1\n        env:\n        - name: DB_PASSWORD\n          value: hunter4\n        - name: DB_HOST\n          value: db\n        - name: DSN_URL\n          value: postgres://u:hunter5@db/x\n",
    );
    const text = JSON.stringify(resources);
    assert.ok(!text.includes("hunter4") && !text.includes("hunter5"), text);
    assert.ok(text.includes('"value":"db"') && text.includes('"image":"app:1"'));
  });

  it("a manifest that is not YAML: the error names the template and line, never the text", () => {
    const r = parseManifest("---\n# Source: c/templates/a.yaml\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: c/templates/b.yaml\nkind: Secret\ndata: [unclosed-canary-77\n");
    assert.deepEqual(r.resources.map((x) => x.object.metadata.name), ["a"]);
    assert.match(r.error ?? "", /^manifest c\/templates\/b\.yaml: invalid YAML at line \d+$/);
  });
});

describe("Helm releases through the snapshot builder and the archive (canary)", () => {
  const CANARY_VALUE = "canary-helm-values-9d3e71c2";
  const CANARY_SECRET = "canary-helm-manifest-secret-4b8a06f1";
  const release = {
    name: "shop",
    namespace: "shop",
    version: 2,
    info: { status: "deployed", description: "Upgrade complete", first_deployed: "2026-11-20T08:00:00Z", last_deployed: "2026-11-20T08:30:00Z" },
    chart: { metadata: { name: "shop", version: "1.0.0" }, values: { db: { password: CANARY_VALUE } } },
    config: { db: { password: CANARY_VALUE, host: "db" } },
    manifest: `---\n# Source: shop/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: shop-db\ndata:\n  password: ${b64(CANARY_SECRET)}\nstringData:\n  url: postgres://app:${CANARY_SECRET}@db/app\n`,
  };
  const forms = (v: string): string[] => [v, b64(v), b64(b64(v)), Buffer.from(v).toString("base64url")];

  it("the release survives, the planted values appear nowhere in the snapshot JSON nor the archive bytes", async () => {
    const { mkdtempSync, readFileSync: read } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { gunzipSync } = await import("node:zlib");
    const { writeArchive } = await import("../archive/write-archive.js");
    const { loadSnapshot } = await import("../snapshot/load-snapshot.js");
    const builder = createSnapshotBuilder({ kind: "live", locations: ["https://x"] });
    builder.add({ apiVersion: "v1", kind: "Secret", type: "helm.sh/release.v1", metadata: { name: "sh.helm.release.v1.shop.v2", namespace: "shop", labels: { owner: "helm", name: "shop" } }, data: { release: b64(helmEncode(release)) } });
    builder.add({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "shop.v1", namespace: "shop", labels: { owner: "helm", name: "shop" } }, data: { release: helmEncode({ ...release, version: 1, info: { ...release.info, status: "superseded" } }) } });
    const snapshot = builder.build();
    const json = JSON.stringify({ ...snapshot, objects: Object.fromEntries(snapshot.objects) });
    for (const v of [...forms(CANARY_VALUE), ...forms(CANARY_SECRET)]) assert.ok(!json.includes(v), `snapshot contains ${v}`);
    const [rec] = snapshot.objects.get("HelmRelease") as HelmRelease[];
    assert.deepEqual(rec?.revisions.map((r) => [r.revision, r.status, r.storedIn]), [[1, "superseded", "ConfigMap/shop.v1"], [2, "deployed", "Secret/sh.helm.release.v1.shop.v2"]]);
    assert.equal((rec?.revisions[1]?.values.db as { host: string }).host, "db");

    const file = join(mkdtempSync(join(tmpdir(), "ks-helm-")), "a.tar.gz");
    await writeArchive(snapshot, file, { serverUrl: "https://x" });
    const bytes = gunzipSync(read(file)).toString("latin1");
    for (const v of [...forms(CANARY_VALUE), ...forms(CANARY_SECRET)]) assert.ok(!bytes.includes(v), `archive contains ${v}`);
    // Read back: the archive's HelmRelease objects, not the (redacted) storage, give the same releases; nothing skipped.
    const back = await loadSnapshot([file]);
    assert.deepEqual(back.objects.get("HelmRelease"), snapshot.objects.get("HelmRelease"));
    assert.deepEqual(back.skipped, []);
    assert.equal(back.coverage.HelmRelease?.status, "ok");
  });

  it("a HelmRelease object from a file is sanitized like a decoded payload (values, rendered Secrets, env literals)", () => {
    const builder = createSnapshotBuilder({ kind: "snapshot", locations: ["hand-made.yaml"] });
    builder.add({
      apiVersion: "kubesleuth.dev/v1",
      kind: "HelmRelease",
      metadata: { name: "x", namespace: "y" },
      releaseNamespace: "y",
      revisions: [
        {
          revision: 1, status: "deployed", chart: { name: "x", version: "1" }, storedIn: "Secret/s", hooks: [],
          values: { apiToken: CANARY_VALUE },
          resources: [
            { object: { kind: "Secret", metadata: { name: "s" }, stringData: { k: CANARY_SECRET } } },
            { object: { kind: "Deployment", metadata: { name: "d" }, spec: { template: { spec: { containers: [{ name: "c", env: [{ name: "API_TOKEN", value: CANARY_SECRET }] }] } } } } },
          ],
        },
      ],
    });
    const text = JSON.stringify(builder.build().objects.get("HelmRelease"));
    assert.ok(!text.includes(CANARY_VALUE) && !text.includes(CANARY_SECRET), text);
  });

  it("release Secrets whose payload another collector redacted: listed as skipped, coverage partial", () => {
    const builder = createSnapshotBuilder({ kind: "snapshot", locations: ["bundle"] });
    builder.add({ apiVersion: "v1", kind: "Secret", type: "helm.sh/release.v1", metadata: { name: "sh.helm.release.v1.a.v1", namespace: "x" }, data: { release: "***HIDDEN***" } });
    builder.add({ apiVersion: "v1", kind: "Secret", type: "helm.sh/release.v1", metadata: { name: "sh.helm.release.v1.b.v1", namespace: "x" }, data: { release: b64(helmEncode({ ...release, name: "b", version: 1 })) } });
    const s = builder.build();
    assert.equal(s.coverage.HelmRelease?.status, "partial");
    assert.equal(s.coverage.HelmRelease?.count, 1);
    assert.deepEqual(s.skipped.map((x) => x.location), ["Secret x/sh.helm.release.v1.a.v1"]);
  });
});

describe("Helm releases from offline inputs", () => {
  it("a cluster-info dump directory with the release Secrets added (kubectl get secrets -o json beside the dump)", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { loadSnapshot } = await import("../snapshot/load-snapshot.js");
    const dir = mkdtempSync(join(tmpdir(), "ks-helm-dump-"));
    mkdirSync(join(dir, "shop"));
    writeFileSync(join(dir, "nodes.json"), JSON.stringify({ kind: "NodeList", apiVersion: "v1", items: [{ metadata: { name: "n1" } }] }));
    writeFileSync(join(dir, "shop", "pods.json"), JSON.stringify({ kind: "PodList", apiVersion: "v1", items: [] }));
    writeFileSync(join(dir, "shop", "replication-controllers.json"), JSON.stringify({ kind: "ReplicationControllerList", apiVersion: "v1", items: [] }));
    const release = { name: "web", namespace: "shop", version: 1, info: { status: "deployed" }, chart: { metadata: { name: "web", version: "1.0.0" } }, manifest: "" };
    writeFileSync(join(dir, "shop", "secrets.json"), JSON.stringify({ kind: "SecretList", apiVersion: "v1", items: [{ type: "helm.sh/release.v1", metadata: { name: "sh.helm.release.v1.web.v1", namespace: "shop" }, data: { release: b64(helmEncode(release)) } }] }));
    const s = await loadSnapshot([dir]);
    assert.deepEqual(s.source.formats, ["cluster-info-dump"]);
    const [web] = s.objects.get("HelmRelease") as HelmRelease[];
    assert.deepEqual([web?.metadata.namespace, web?.metadata.name, web?.revisions[0]?.status], ["shop", "web", "deployed"]);
    assert.equal(s.objects.get("Secret")?.[0]?.data && (s.objects.get("Secret")![0]!.data as Record<string, string>).release, "<redacted by kubesleuth>");
  });
});
