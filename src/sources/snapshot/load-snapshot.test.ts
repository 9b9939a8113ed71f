import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm, symlink, truncate, writeFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { create as createTar } from "tar";
import { SourceError } from "../errors.js";
import { REDACTED } from "../redact.js";
import { loadSnapshot } from "./load-snapshot.js";
import { writeZip } from "./test-support.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubesleuth-load-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, content);
  return path;
}

async function rejects(paths: string[], pattern: RegExp): Promise<SourceError> {
  try {
    await loadSnapshot(paths);
  } catch (e) {
    assert.ok(e instanceof SourceError, `expected SourceError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one line");
    return e;
  }
  assert.fail(`no error for ${paths.join(", ")}`);
}

function names(snapshot: Awaited<ReturnType<typeof loadSnapshot>>, kind: string): string[] {
  return (snapshot.objects.get(kind) ?? []).map((o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name));
}

const pod = (name: string, ns = "default", extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns }, spec: { containers: [{ name: "c" }] }, ...extra });

describe("loadSnapshot: kubectl output", () => {
  it("reads a single object, a v1 List and a typed list whose items lack kind/apiVersion", async () => {
    const single = await file("single.json", JSON.stringify(pod("one"), null, 2));
    const list = await file("list.json", JSON.stringify({ apiVersion: "v1", items: [pod("two"), { ...pod("svc"), kind: "Service" }], kind: "List", metadata: {} }, null, 4));
    const typed = await file(
      "typed.json",
      JSON.stringify({ kind: "DeploymentList", apiVersion: "apps/v1", metadata: {}, items: [{ metadata: { name: "d", namespace: "default" }, spec: {} }] }),
    );
    const s = await loadSnapshot([single, list, typed]);
    assert.deepEqual(names(s, "Pod"), ["default/one", "default/two"]);
    assert.deepEqual(names(s, "Service"), ["default/svc"]);
    const d = s.objects.get("Deployment")![0]!;
    assert.equal(d.kind, "Deployment");
    assert.equal(d.apiVersion, "apps/v1");
    assert.deepEqual(s.source, { kind: "snapshot", locations: [single, list, typed], formats: ["kubectl-json", "kubectl-json", "kubectl-json"] });
    assert.equal(s.coverage.Deployment?.status, "ok");
  });

  it("reads multi-document YAML with Lists, empty documents and comments", async () => {
    const path = await file(
      "multi.yaml",
      [
        "# generated",
        "---",
        "apiVersion: v1",
        "kind: Namespace",
        "metadata:",
        "  name: shop",
        "---",
        "---",
        "apiVersion: v1",
        "kind: PodList",
        "items:",
        "- metadata: {name: a, namespace: shop, creationTimestamp: 2026-01-01T00:00:00Z}",
        "  spec: {containers: [{name: c}]}",
        "",
      ].join("\n"),
    );
    const s = await loadSnapshot([path]);
    assert.deepEqual(names(s, "Namespace"), ["shop"]);
    assert.deepEqual(names(s, "Pod"), ["shop/a"]);
    // unquoted timestamps stay strings, as from the API server
    assert.equal(s.objects.get("Pod")![0]!.metadata.creationTimestamp, "2026-01-01T00:00:00Z");
    assert.deepEqual(s.source.formats, ["kubectl-yaml"]);
  });

  it("reads a directory recursively, with .gz files, and skips a broken file inside it", async () => {
    await file("tree/a/pods.json", JSON.stringify({ kind: "PodList", apiVersion: "v1", items: [pod("x")] }));
    await file("tree/b/c/svc.yaml", "kind: Service\napiVersion: v1\nmetadata: {name: s, namespace: default}\n");
    await file("tree/d/nodes.json.gz", gzipSync(JSON.stringify({ kind: "Node", apiVersion: "v1", metadata: { name: "n1" } })));
    await file("tree/e/broken.json", '{\n  "kind": "Pod",\n  "metadata": {"name": }\n}\n');
    await file("tree/e/notes.md", "# not Kubernetes");
    await file("tree/e/package.json", '{"name": "something", "version": "1.0.0"}');
    const s = await loadSnapshot([join(dir, "tree")]);
    assert.deepEqual(names(s, "Pod"), ["default/x"]);
    assert.deepEqual(names(s, "Service"), ["default/s"]);
    assert.deepEqual(names(s, "Node"), ["n1"]);
    assert.deepEqual(
      s.skipped.map((k) => [k.location.slice(dir.length + 1), k.reason]),
      [
        ["tree/e/broken.json", "3:24: Unexpected token '}'"],
        ["tree/e/package.json", "no Kubernetes objects (no value with kind and metadata.name, and no List)"],
      ],
    );
  });

  it("reads a gzip-compressed single file by content, whatever its name", async () => {
    const path = await file("pods.json.gz", gzipSync(JSON.stringify({ kind: "List", apiVersion: "v1", items: [pod("z")] })));
    const renamed = await file("download.bin", gzipSync("kind: Pod\napiVersion: v1\nmetadata: {name: y, namespace: default}\n"));
    const s = await loadSnapshot([path, renamed]);
    assert.deepEqual(names(s, "Pod"), ["default/y", "default/z"]);
  });

  it("normalizes events.k8s.io/v1 Events to the core v1 shape and drops managedFields", async () => {
    const path = await file(
      "events.json",
      JSON.stringify({
        kind: "EventList",
        apiVersion: "events.k8s.io/v1",
        items: [
          {
            metadata: { name: "e1", namespace: "default", managedFields: [{ manager: "kubelet" }] },
            eventTime: "2026-01-01T00:00:00.000000Z",
            reportingController: "default-scheduler",
            reportingInstance: "default-scheduler-node1",
            action: "Scheduling",
            reason: "FailedScheduling",
            regarding: { kind: "Pod", namespace: "default", name: "web-1" },
            note: "0/3 nodes are available",
            type: "Warning",
            deprecatedCount: 4,
            deprecatedLastTimestamp: "2026-01-01T00:05:00Z",
            series: { count: 4, lastObservedTime: "2026-01-01T00:05:00.000000Z" },
          },
        ],
      }),
    );
    const s = await loadSnapshot([path]);
    assert.deepEqual(s.objects.get("Event"), [
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: "e1", namespace: "default" },
        involvedObject: { kind: "Pod", namespace: "default", name: "web-1" },
        reason: "FailedScheduling",
        message: "0/3 nodes are available",
        type: "Warning",
        count: 4,
        lastTimestamp: "2026-01-01T00:05:00Z",
        eventTime: "2026-01-01T00:00:00.000000Z",
        series: { count: 4, lastObservedTime: "2026-01-01T00:05:00.000000Z" },
        reportingComponent: "default-scheduler",
        reportingInstance: "default-scheduler-node1",
        action: "Scheduling",
      },
    ]);
  });

  it("redacts Secrets (through the builder)", async () => {
    const path = await file("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\ndata: {password: c2VjcmV0}\n");
    const s = await loadSnapshot([path]);
    assert.deepEqual(s.objects.get("Secret")![0]!.data, { password: REDACTED });
  });

  it("merges several inputs, the newer resourceVersion winning", async () => {
    const a = await file("merge/a.json", JSON.stringify({ ...pod("p"), metadata: { name: "p", namespace: "default", resourceVersion: "5" }, status: { phase: "Pending" } }));
    const b = await file("merge/b.json", JSON.stringify({ ...pod("p"), metadata: { name: "p", namespace: "default", resourceVersion: "9" }, status: { phase: "Running" } }));
    const s = await loadSnapshot([b, a]);
    assert.equal((s.objects.get("Pod")![0] as { status?: { phase?: string } }).status?.phase, "Running");
  });
});

describe("loadSnapshot: bad input", () => {
  it("names file, line and column of malformed JSON", async () => {
    const path = await file("bad.json", '{\n    "apiVersion": "v1",\n    "items": [\n        {"kind": "Pod", "metadata": {"name": "a"}},\n        {"kind": "Pod" "metadata": {}}\n    ]\n}\n');
    await rejects([path], new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5:24: Expected ',' or '\\}' after property value`));
  });

  it("names file, line and column of malformed YAML", async () => {
    const path = await file("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   namespace: b\n");
    await rejects([path], /bad\.yaml:5:\d+: bad indentation/);
  });

  it("reports a truncated JSON file with the position where it ends", async () => {
    const path = await file("cut.json", JSON.stringify({ kind: "List", apiVersion: "v1", items: [pod("a"), pod("b")] }, null, 2).slice(0, 150));
    await rejects([path], /cut\.json:\d+:\d+: Unexpected end of JSON input$/);
  });

  it("refuses a missing path, an empty file, a binary file and a file with no Kubernetes object", async () => {
    await rejects([join(dir, "nope.json")], /nope\.json: no such file or directory$/);
    await rejects([await file("empty.json", "")], /empty\.json: empty file$/);
    await rejects([await file("blob.bin", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]))], /blob\.bin: unknown format/);
    await rejects([await file("config.json", '{"name": "not kubernetes"}')], /config\.json: no Kubernetes objects/);
  });

  it("refuses a directory with nothing Kubernetes in it, naming the first skipped file", async () => {
    await file("docs/readme.md", "hello");
    await file("docs/data.json", "[1, 2, 3]");
    await rejects([join(dir, "docs")], /docs: no Kubernetes objects found; first skipped file: .*data\.json: no Kubernetes objects/);
  });

  it("refuses truncated archives (tar.gz, tar, tar.xz, zip)", async () => {
    const pods = JSON.stringify({ kind: "PodList", apiVersion: "v1", items: Array.from({ length: 200 }, (_, i) => pod(`p${i}`)) });
    await file("arch/kube/pods.json", pods);
    const tgz = join(dir, "whole.tar.gz");
    await createTar({ gzip: true, file: tgz, cwd: join(dir, "arch") }, ["kube"]);
    const plain = join(dir, "whole.tar");
    await createTar({ file: plain, cwd: join(dir, "arch") }, ["kube"]);
    const zip = join(dir, "whole.zip");
    await writeZip(zip, [{ name: "kube/pods.json", data: pods }]);
    for (const path of [tgz, plain, zip]) assert.equal(names(await loadSnapshot([path]), "Pod").length, 200, path);
    for (const [path, pattern] of [
      [tgz, /whole\.tar\.gz\.cut: truncated compressed data/],
      [plain, /whole\.tar\.cut: damaged or truncated tar archive/],
      [zip, /whole\.zip\.cut: damaged or truncated zip archive/],
      // no xz encoder needed: cut a copy of a real .tar.xz
      [fileURLToPath(new URL("../../../../shared/conformance/openshift-must-gather/must-gather-metal.tar.xz", import.meta.url)), /must-gather-metal\.tar\.xz\.cut: truncated compressed data/],
    ] as const) {
      const cut = join(dir, `${basename(path)}.cut`);
      await copyFile(path, cut);
      await truncate(cut, Math.floor((await stat(cut)).size * 0.5));
      await rejects([cut], pattern);
    }
  });

  it("does not follow symlinks: inside the tree they are duplicates, outside they are reported", async () => {
    await file("links/real/pod.json", JSON.stringify(pod("l")));
    await file("outside/pod.json", JSON.stringify(pod("o")));
    await symlink(join(dir, "links/real/pod.json"), join(dir, "links/dup.json"));
    await symlink(join(dir, "outside/pod.json"), join(dir, "links/out.json"));
    const s = await loadSnapshot([join(dir, "links")]);
    assert.deepEqual(names(s, "Pod"), ["default/l"]);
    assert.deepEqual(s.skipped.map((k) => k.reason), ["symbolic link to outside the input, not followed"]);
  });
});
