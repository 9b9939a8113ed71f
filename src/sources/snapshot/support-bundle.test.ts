// troubleshoot.sh support bundles, against /work/shared/conformance/troubleshoot-support-bundle (real k3s
// bundle from replicatedhq/troubleshoot testdata; see its SOURCE.txt). Expected numbers come from
// listing the archive (tar tzf) and jq over its files, not from this reader.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { extract } from "tar";
import type { KubeObject } from "../../model/kube.js";
import type { Snapshot } from "../../model/snapshot.js";
import { SourceError } from "../errors.js";
import { detectSnapshotFormat, loadSnapshot } from "./load-snapshot.js";

const conformance = (path: string): string => fileURLToPath(new URL(`../../../../shared/conformance/${path}`, import.meta.url));
const BUNDLE = conformance("troubleshoot-support-bundle/support-bundle.tar.gz");
const MISSING_VERSION = conformance("troubleshoot-support-bundle/missing-version.tar.gz");
const DUMP_DIR = conformance("kubectl-cluster-info-dump/dir-mode-all-namespaces");
const DUMP_STDOUT = conformance("kubectl-cluster-info-dump/stdout-mode-namespaces-default.txt");

function counts(snapshot: Snapshot): Record<string, number> {
  return Object.fromEntries([...snapshot.objects].map(([kind, list]) => [kind, list.length]));
}

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), "kubesleuth-bundle-"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("support bundle (conformance)", () => {
  it("reads cluster-resources, pods/logs, cluster_version.json; passes over all-logs/ symlinks", async () => {
    const s = await loadSnapshot([BUNDLE]);
    assert.deepEqual(s.source.formats, ["support-bundle"]);
    assert.equal(s.serverVersion, "v1.24.4+k3s1"); // cluster-info/cluster_version.json
    const c = counts(s);
    // jq '.items|length' over cluster-resources/{pods,deployments,replicasets,services,events,jobs,pvcs,roles,rolebindings}/*.json
    assert.equal(c.Pod, 8);
    assert.equal(c.Deployment, 5);
    assert.equal(c.ReplicaSet, 6);
    assert.equal(c.Service, 4);
    assert.equal(c.Event, 5);
    assert.equal(c.Job, 2);
    assert.equal(c.Node, 1);
    assert.equal(c.Namespace, 4);
    assert.equal(c.StorageClass, 1);
    // custom-resources/<crd>/<ns>.yaml (YAML sequences of objects)
    assert.equal(c.HelmChart, 2);
    assert.equal(c.Addon, 12);
    // cluster-resources/pods/logs holds 19 regular .log files, 8 of them <container>-previous.log;
    // the 18 all-logs/ entries and static-hi.log are symlinks to them and must not double-count
    assert.equal(s.logs.length, 19);
    assert.equal(s.logs.filter((l) => l.previous).length, 8);
    const hello = s.logs.filter((l) => l.pod === "nginx-deployment-7986654d4-ztx2g" && l.container === "hello");
    assert.deepEqual(hello.map((l) => l.previous), [false, true]);
    assert.equal(s.logs.find((l) => l.pod === "static-hi")?.text, "hi static!\n\n"); // 12 bytes
    // groups.json, resources.json, auth-cani-list/ and analysis.json are not objects and not errors
    assert.deepEqual(s.skipped, []);
    // bundle objects carry managedFields; they are dropped as kubectl drops them
    assert.ok([...s.objects.values()].flat().every((o) => !("managedFields" in o.metadata)));
  });

  it("reads the extracted directory exactly like the archive", async () => {
    const dir = join(work, "extracted");
    await import("node:fs/promises").then((fs) => fs.mkdir(dir));
    await extract({ file: BUNDLE, cwd: dir });
    const [fromArchive, fromDir] = await Promise.all([loadSnapshot([BUNDLE]), loadSnapshot([dir])]);
    assert.deepEqual(fromDir.objects, fromArchive.objects);
    assert.deepEqual(
      fromDir.logs.map(({ origin: _o, ...l }) => l),
      fromArchive.logs.map(({ origin: _o, ...l }) => l),
    );
    assert.deepEqual(fromDir.coverage, fromArchive.coverage);
    assert.deepEqual(fromDir.skipped, []);
  });

  it("missing-version.tar.gz: a bundle without version.yaml and without cluster-resources is an error", async () => {
    // SOURCE.txt: negative case, "bundle without version.yaml". The archive holds only
    // support-bundle/analysis.json: nothing Kubernetes to analyze, so loading fails with one line
    // that still says what the input was taken for.
    assert.deepEqual(await detectSnapshotFormat(MISSING_VERSION), { format: "support-bundle", container: "tar.gz" });
    await assert.rejects(loadSnapshot([MISSING_VERSION]), (e: unknown) => {
      assert.ok(e instanceof SourceError);
      assert.equal(e.message, `${MISSING_VERSION}: no Kubernetes objects found (support-bundle)`);
      return true;
    });
  });

  it("version.yaml is not required: the same bundle without it loads the same objects", async () => {
    const dir = join(work, "no-version");
    await import("node:fs/promises").then((fs) => fs.mkdir(dir));
    await extract({ file: BUNDLE, cwd: dir, filter: (path) => !path.endsWith("version.yaml") });
    const [full, withoutVersion] = await Promise.all([loadSnapshot([BUNDLE]), loadSnapshot([dir])]);
    assert.deepEqual(withoutVersion.source.formats, ["support-bundle"]);
    assert.deepEqual(withoutVersion.objects, full.objects);
  });
});

describe("support bundle details", () => {
  it("collector errors set coverage; <c>-previous.log is told apart from a container named so", async () => {
    const root = join(work, "synthetic", "support-bundle-2026-01-01T00_00_00");
    const fs = await import("node:fs/promises");
    const write = async (path: string, content: string): Promise<void> => {
      await fs.mkdir(join(root, path, ".."), { recursive: true });
      await fs.writeFile(join(root, path), content);
    };
    const pod = {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { name: "web", namespace: "default" },
      spec: { containers: [{ name: "app" }, { name: "sync-previous" }] },
    };
    await write("version.yaml", "apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\nspec:\n  versionNumber: v0.100.0\n");
    await write("cluster-resources/pods/default.json", JSON.stringify({ kind: "PodList", apiVersion: "v1", items: [pod] }));
    await write("cluster-resources/secrets-errors.json", JSON.stringify(['secrets is forbidden: User "x" cannot list resource "secrets"']));
    await write("cluster-resources/pods/logs/default/web/app.log", "now\n");
    await write("cluster-resources/pods/logs/default/web/app-previous.log", "before\n");
    await write("cluster-resources/pods/logs/default/web/sync-previous.log", "sync\n");
    await write("cluster-resources/pods/logs/default/web/sync-previous-previous.log", "sync before\n");
    await write("cluster-resources/deployments/default.json", '{"kind": "DeploymentList", "items": [');
    const s = await loadSnapshot([join(work, "synthetic")]);
    assert.deepEqual(s.source.formats, ["support-bundle"]);
    assert.deepEqual(s.coverage.Secret, { count: 0, status: "forbidden", note: 'support bundle collector: secrets is forbidden: User "x" cannot list resource "secrets"' });
    assert.equal(s.coverage.Deployment?.status, "partial");
    assert.deepEqual(
      s.logs.map((l) => [l.container, l.previous, l.text]),
      [
        ["app", false, "now\n"],
        ["app", true, "before\n"],
        ["sync-previous", false, "sync\n"],
        ["sync-previous", true, "sync before\n"],
      ],
    );
    assert.deepEqual(
      s.skipped.map((k) => [k.location.slice(join(work, "synthetic").length + 1), k.reason]),
      [["support-bundle-2026-01-01T00_00_00/cluster-resources/deployments/default.json", "1:38: Unexpected end of JSON input"]],
    );
  });
});

describe("cluster-info dump and support bundle hold the same cluster (conformance)", () => {
  // The dump was made by real kubectl against a mock API server serving this bundle's objects
  // (kubectl-cluster-info-dump/SOURCE.txt), so after normalization both must give the same objects.
  // Compared kinds: the intersection of what each format collects.
  //   dump:   Node, Event, ReplicationController, Service, DaemonSet, Deployment, ReplicaSet, Pod
  //   bundle: Node, Event, Service, Deployment, ReplicaSet, Pod, and many more (no DaemonSet or
  //           ReplicationController collector in troubleshoot v0.50, so the dump's empty lists of
  //           those have nothing to be compared with)
  // Normalization that makes them equal: managedFields are dropped (kubectl cluster-info dump prints
  // without them, the bundle keeps them); list metadata (resourceVersion of the List) is not kept.
  const COMPARED = ["Node", "Event", "Service", "Deployment", "ReplicaSet", "Pod"];

  const byKey = (list: readonly KubeObject[] | undefined): Map<string, KubeObject> =>
    new Map((list ?? []).map((o) => [`${o.metadata.namespace ?? ""}/${o.metadata.name}`, o]));

  it("directory mode: same objects (by kind/namespace/name and content), same coverage, same current logs", async () => {
    const [dump, bundle] = await Promise.all([loadSnapshot([DUMP_DIR]), loadSnapshot([BUNDLE])]);
    for (const kind of COMPARED) {
      const a = byKey(dump.objects.get(kind));
      const b = byKey(bundle.objects.get(kind));
      assert.ok(a.size > 0, `${kind}: the dump has some`);
      assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), `${kind}: same names`);
      for (const [key, object] of a) assert.deepEqual(object, b.get(key), `${kind} ${key}`);
      assert.deepEqual(dump.coverage[kind], bundle.coverage[kind], `${kind} coverage`);
    }
    // The mock served each container's current log from the bundle's <container>.log; previous logs
    // are not part of a dump.
    assert.equal(dump.logs.length, 10);
    for (const log of dump.logs) {
      const same = bundle.logs.find((l) => !l.previous && l.namespace === log.namespace && l.pod === log.pod && l.container === log.container);
      assert.equal(log.text, same?.text, `${log.namespace}/${log.pod}/${log.container}`);
    }
  });

  it("stdout mode (--namespaces default): same objects as the bundle's default namespace and nodes", async () => {
    const [dump, bundle] = await Promise.all([loadSnapshot([DUMP_STDOUT]), loadSnapshot([BUNDLE])]);
    for (const kind of COMPARED) {
      const expected = (bundle.objects.get(kind) ?? []).filter((o) => kind === "Node" || o.metadata.namespace === "default");
      assert.deepEqual(dump.objects.get(kind) ?? [], expected, kind);
    }
  });
});
