import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { list } from "tar";
import type { KubeObject } from "../../model/kube.js";
import type { Snapshot } from "../../model/snapshot.js";
import { TOOL_VERSION } from "../../version.js";
import { REDACTED } from "../redact.js";
import { createSnapshotBuilder } from "../snapshot-builder.js";
import { writeArchive } from "./write-archive.js";

async function readArchive(file: string): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  await list({
    file,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on("data", (c: Buffer) => chunks.push(c));
      entry.on("end", () => entries.set(entry.path, Buffer.concat(chunks).toString("utf8")));
    },
  });
  return entries;
}

function sampleSnapshot(): Snapshot {
  const builder = createSnapshotBuilder({ kind: "live", locations: ["https://k8s.example:6443"], formats: ["live"] });
  builder.setCapturedAt("2024-05-01T12:00:00.000Z");
  builder.setServerVersion("v1.31.2");
  builder.add({ apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "shop", creationTimestamp: "2024-05-01T10:00:00Z" }, spec: { containers: [{ name: "app" }] } });
  builder.add({ apiVersion: "v1", kind: "Node", metadata: { name: "node-a" } });
  builder.add({ apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "db", namespace: "shop" }, data: { password: "aHVudGVyMg==" } });
  builder.markListed("Service");
  builder.setCoverage("Event", "forbidden", 'events is forbidden: User "dev" cannot list resource "events"');
  builder.setCoverage("Ingress", "absent", "API group networking.k8s.io is not served");
  builder.setCoverage("ConfigMap", "partial", "HTTP 500 after 4 attempts; 0 objects read");
  builder.addLog({ namespace: "shop", pod: "web-1", container: "app", previous: false, text: "starting\n", origin: "live" });
  builder.addLog({ namespace: "shop", pod: "web-1", container: "app", previous: true, text: "panic: boom\n", origin: "live", truncated: true });
  return builder.build();
}

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "kubesleuth-archive-test-"));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe("writeArchive", () => {
  it("writes manifest.json, one v1 List per kind and the logs under kubesleuth-snapshot/", () =>
    withDir(async (dir) => {
      const file = join(dir, "capture.tar.gz");
      const snapshot = sampleSnapshot();
      await writeArchive(snapshot, file, { serverUrl: "https://k8s.example:6443" });
      const entries = await readArchive(file);
      assert.deepEqual([...entries.keys()].sort(), [
        "kubesleuth-snapshot/logs/shop/web-1/app.log",
        "kubesleuth-snapshot/logs/shop/web-1/app.previous.log",
        "kubesleuth-snapshot/manifest.json",
        "kubesleuth-snapshot/objects/ConfigMap.json",
        "kubesleuth-snapshot/objects/Node.json",
        "kubesleuth-snapshot/objects/Pod.json",
        "kubesleuth-snapshot/objects/Secret.json",
        "kubesleuth-snapshot/objects/Service.json",
      ]);
      assert.deepEqual(JSON.parse(entries.get("kubesleuth-snapshot/manifest.json")!), {
        format: "kubesleuth-snapshot",
        formatVersion: 1,
        capturedAt: "2024-05-01T12:00:00.000Z",
        server: { url: "https://k8s.example:6443", version: "v1.31.2" },
        tool: { name: "kubesleuth", version: TOOL_VERSION },
        coverage: snapshot.coverage,
        logs: 2,
        namespaces: null,
      });
      const pods = JSON.parse(entries.get("kubesleuth-snapshot/objects/Pod.json")!) as { apiVersion: string; kind: string; items: KubeObject[] };
      assert.deepEqual(pods, { apiVersion: "v1", kind: "List", items: snapshot.objects.get("Pod") });
      assert.deepEqual(JSON.parse(entries.get("kubesleuth-snapshot/objects/Service.json")!), { apiVersion: "v1", kind: "List", items: [] }, "listed, none: an empty List");
      assert.deepEqual(JSON.parse(entries.get("kubesleuth-snapshot/objects/Secret.json")!).items[0].data, { password: REDACTED });
      assert.equal(entries.get("kubesleuth-snapshot/logs/shop/web-1/app.previous.log"), "panic: boom\n");
      assert.deepEqual(readdirSync(dir), ["capture.tar.gz"], "no temporary file left");
      assert.equal(statSync(file).mode & 0o077, 0, "readable by the owner only");
    }));

  it("writes large kinds completely (a 5,000-pod List of several MB)", () =>
    withDir(async (dir) => {
      const builder = createSnapshotBuilder({ kind: "live", locations: ["https://k8s.example:6443"] });
      for (let i = 0; i < 5000; i++) {
        builder.add({ apiVersion: "v1", kind: "Pod", metadata: { name: `p-${i}`, namespace: "big", labels: { app: "x".repeat(200) } }, spec: { containers: [{ name: "c" }] } });
      }
      const file = join(dir, "big.tar.gz");
      await writeArchive(builder.build(), file, { serverUrl: "https://k8s.example:6443" });
      const pods = JSON.parse((await readArchive(file)).get("kubesleuth-snapshot/objects/Pod.json")!);
      assert.equal(pods.items.length, 5000);
    }));

  it("records the namespaces the capture was limited to", () =>
    withDir(async (dir) => {
      const file = join(dir, "a.tar.gz");
      await writeArchive(sampleSnapshot(), file, { serverUrl: "https://k8s.example:6443", namespaces: ["shop"] });
      assert.deepEqual(JSON.parse((await readArchive(file)).get("kubesleuth-snapshot/manifest.json")!).namespaces, ["shop"]);
    }));

  it("writes the server URL without userinfo, query or fragment", () =>
    withDir(async (dir) => {
      const file = join(dir, "a.tar.gz");
      await writeArchive(sampleSnapshot(), file, { serverUrl: "https://admin:hunter2@k8s.example:6443/k8s/clusters/c-1?token=abc#frag" });
      const manifest = JSON.parse((await readArchive(file)).get("kubesleuth-snapshot/manifest.json")!);
      assert.equal(manifest.server.url, "https://k8s.example:6443/k8s/clusters/c-1");
      const all = [...(await readArchive(file)).values()].join("\n");
      assert.ok(!all.includes("hunter2") && !all.includes("token=abc"));
    }));

  it("refuses a Secret whose values are not redacted, and writes nothing", () =>
    withDir(async (dir) => {
      const file = join(dir, "a.tar.gz");
      writeFileSync(file, "previous archive");
      const snapshot = sampleSnapshot();
      const leaky: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "leak", namespace: "shop" }, data: { token: "c2VjcmV0" } };
      const objects = new Map(snapshot.objects);
      objects.set("Secret", [...(objects.get("Secret") ?? []), leaky]);
      await assert.rejects(writeArchive({ ...snapshot, objects }, file, { serverUrl: "https://k8s.example" }), (error: Error) => {
        assert.match(error.message, /Secret shop\/leak is not redacted/);
        assert.ok(!error.message.includes("c2VjcmV0"));
        return true;
      });
      assert.deepEqual(readdirSync(dir), ["a.tar.gz"]);
      assert.equal(readFileSync(file, "utf8"), "previous archive", "the existing file is untouched");
    }));

  it("refuses a Secret whose last-applied annotation is not redacted", () =>
    withDir(async (dir) => {
      const snapshot = sampleSnapshot();
      const leaky: KubeObject = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "applied", namespace: "shop", annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"k":"djE="}}' } },
        data: { k: REDACTED },
      };
      const objects = new Map(snapshot.objects);
      objects.set("Secret", [leaky]);
      await assert.rejects(writeArchive({ ...snapshot, objects }, join(dir, "a.tar.gz"), { serverUrl: "https://k8s.example" }), /not redacted/);
      assert.deepEqual(readdirSync(dir), []);
    }));

  it("leaves nothing behind when the target directory does not exist", () =>
    withDir(async (dir) => {
      await assert.rejects(writeArchive(sampleSnapshot(), join(dir, "missing", "a.tar.gz"), { serverUrl: "https://k8s.example" }), /ENOENT/);
      assert.deepEqual(readdirSync(dir), []);
    }));

  it("encodes names that could leave their directory, and keeps long paths", () =>
    withDir(async (dir) => {
      const builder = createSnapshotBuilder({ kind: "live", locations: ["x"] });
      const longPod = `p${"o".repeat(240)}d`;
      builder.addLog({ namespace: "..", pod: "a/b", container: "c", previous: false, text: "1" });
      builder.addLog({ namespace: "ns", pod: longPod, container: "c", previous: false, text: "2" });
      const file = join(dir, "a.tar.gz");
      await writeArchive(builder.build(), file, { serverUrl: "https://k8s.example" });
      const paths = [...(await readArchive(file)).keys()];
      assert.ok(paths.includes("kubesleuth-snapshot/logs/%2E%2E/a%2Fb/c.log"), paths.join(", "));
      assert.ok(paths.includes(`kubesleuth-snapshot/logs/ns/${longPod}/c.log`));
    }));
});
