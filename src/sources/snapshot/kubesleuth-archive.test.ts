// kubesleuth's own archive (format "kubesleuth-snapshot", formatVersion 1): a .tar.gz with
// kubesleuth-snapshot/{manifest.json, objects/<Kind>.json, logs/<ns>/<pod>/<container>[.previous].log}.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create as createTar } from "tar";
import { SourceError } from "../errors.js";
import { REDACTED } from "../redact.js";
import { createSnapshotBuilder } from "../snapshot-builder.js";
import { writeArchive } from "../archive/write-archive.js";
import { detectSnapshotFormat, loadSnapshot } from "./load-snapshot.js";

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), "kubesleuth-archive-"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Writes the files under <dir>/kubesleuth-snapshot/ and packs them with node-tar into <dir>.tar.gz. */
async function buildArchive(name: string, files: Record<string, string>): Promise<string> {
  const root = join(work, name);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, "kubesleuth-snapshot", path);
    await mkdir(join(full, ".."), { recursive: true });
    await writeFile(full, content);
  }
  const file = `${root}.tar.gz`;
  await createTar({ gzip: true, file, cwd: root, portable: true }, ["kubesleuth-snapshot"]);
  return file;
}

const list = (items: unknown[]): string => JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 2);

function manifest(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    format: "kubesleuth-snapshot",
    formatVersion: 1,
    capturedAt: "2026-11-20T09:30:00Z",
    server: { url: "https://10.0.0.1:6443", version: "v1.31.2" },
    tool: { name: "kubesleuth", version: "0.1.0" },
    coverage: {
      Pod: { count: 2, status: "ok" },
      Service: { count: 0, status: "ok" },
      Secret: { count: 0, status: "forbidden", note: "secrets is forbidden: User \"dev\" cannot list resource \"secrets\"" },
      Ingress: { count: 0, status: "absent", note: "networking.k8s.io/v1 not served" },
      Node: { count: 1, status: "partial", note: "list interrupted" },
    },
    logs: 3,
    namespaces: null,
    ...overrides,
  });
}

describe("kubesleuth archive", () => {
  it("reads objects, logs, coverage, capture time and server version from a node-tar built archive", async () => {
    const file = await buildArchive("full", {
      "manifest.json": manifest(),
      "objects/Pod.json": list([
        { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "shop" }, spec: { containers: [{ name: "app" }] } },
        // items of objects/<Kind>.json take the kind from the file name if they lack it
        { metadata: { name: "web-2", namespace: "shop" }, spec: { containers: [{ name: "app" }] } },
      ]),
      "objects/Service.json": list([]),
      "objects/Node.json": list([{ apiVersion: "v1", kind: "Node", metadata: { name: "n1" } }]),
      "logs/shop/web-1/app.log": "started\n",
      "logs/shop/web-1/app.previous.log": "panic: boom\n",
      "logs/shop/web-2/app.log": "",
    });
    assert.deepEqual(await detectSnapshotFormat(file), { format: "kubesleuth-archive", container: "tar.gz" });
    const s = await loadSnapshot([file]);
    assert.deepEqual(s.source.formats, ["kubesleuth-archive"]);
    assert.equal(s.capturedAt, "2026-11-20T09:30:00Z");
    assert.equal(s.serverVersion, "v1.31.2");
    assert.deepEqual(
      s.objects.get("Pod")!.map((p) => `${p.kind} ${p.metadata.namespace}/${p.metadata.name}`),
      ["Pod shop/web-1", "Pod shop/web-2"],
    );
    assert.deepEqual(s.coverage, {
      Ingress: { count: 0, status: "absent", note: "networking.k8s.io/v1 not served" },
      Node: { count: 1, status: "partial", note: "list interrupted" },
      Pod: { count: 2, status: "ok" },
      Secret: { count: 0, status: "forbidden", note: 'secrets is forbidden: User "dev" cannot list resource "secrets"' },
      Service: { count: 0, status: "ok" },
    });
    assert.deepEqual(
      s.logs.map((l) => [l.pod, l.container, l.previous, l.text]),
      [
        ["web-1", "app", false, "started\n"],
        ["web-1", "app", true, "panic: boom\n"],
        ["web-2", "app", false, ""],
      ],
    );
    assert.deepEqual(s.skipped, []);
  });

  it("marks a kind partial when the archive holds fewer objects than the manifest lists", async () => {
    const file = await buildArchive("short", {
      "manifest.json": manifest({ coverage: { Pod: { count: 3, status: "ok" } }, logs: 0 }),
      "objects/Pod.json": list([{ apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "x" }, spec: { containers: [] } }]),
    });
    const s = await loadSnapshot([file]);
    assert.deepEqual(s.coverage.Pod, { count: 1, status: "partial", note: "manifest lists 3, archive holds 1" });
  });

  it("refuses a formatVersion it does not know", async () => {
    const file = await buildArchive("future", {
      "manifest.json": manifest({ formatVersion: 2 }),
      "objects/Pod.json": list([{ apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "x" }, spec: { containers: [] } }]),
    });
    await assert.rejects(loadSnapshot([file]), (e: unknown) => {
      assert.ok(e instanceof SourceError);
      assert.equal(e.message, `${file}!kubesleuth-snapshot/manifest.json: kubesleuth archive formatVersion 2 is not supported (this kubesleuth reads formatVersion 1)`);
      return true;
    });
  });

  it("skips a broken objects file with its position and marks that kind partial", async () => {
    const file = await buildArchive("broken", {
      "manifest.json": manifest({ coverage: { Pod: { count: 1, status: "ok" }, Service: { count: 1, status: "ok" } }, logs: 0 }),
      "objects/Pod.json": list([{ apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "x" }, spec: { containers: [] } }]),
      "objects/Service.json": '{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Service", "metadata": {"name": "s"}}',
    });
    const s = await loadSnapshot([file]);
    assert.equal(s.objects.get("Pod")?.length, 1);
    assert.equal(s.coverage.Service?.status, "partial");
    assert.deepEqual(s.skipped, [{ location: `${file}!kubesleuth-snapshot/objects/Service.json`, reason: "1:94: Unexpected end of JSON input" }]);
  });

  it("round-trips what writeArchive writes", async () => {
    const builder = createSnapshotBuilder({ kind: "live", locations: ["https://k8s.example:6443"] });
    builder.add({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n", labels: { app: "a" } }, spec: { containers: [{ name: "c" }] } });
    builder.add({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n" }, data: { token: "c2VjcmV0" } });
    builder.add({ apiVersion: "v1", kind: "Event", metadata: { name: "e", namespace: "n" }, involvedObject: { kind: "Pod", name: "p" }, reason: "BackOff" });
    builder.addLog({ namespace: "n", pod: "p", container: "c", previous: true, text: "oom\n" });
    builder.setCoverage("NetworkPolicy", "forbidden", "403");
    builder.markListed("Service");
    builder.setCapturedAt("2026-11-21T10:00:00Z");
    builder.setServerVersion("v1.30.0");
    const original = builder.build();
    const file = join(work, "round-trip.tar.gz");
    await writeArchive(original, file, { serverUrl: "https://k8s.example:6443" });
    const s = await loadSnapshot([file]);
    assert.deepEqual(s.objects, original.objects);
    assert.deepEqual(s.coverage, original.coverage);
    assert.deepEqual(
      s.logs.map(({ origin: _o, ...l }) => l),
      original.logs,
    );
    assert.equal(s.capturedAt, original.capturedAt);
    assert.equal(s.serverVersion, original.serverVersion);
    assert.deepEqual(s.objects.get("Secret")![0]!.data, { token: REDACTED });
  });
});
