// kubectl cluster-info dump, against /work/shared/conformance/kubectl-cluster-info-dump (real kubectl
// v1.32.4 output; see its SOURCE.txt). Expected numbers were counted in the files with jq and grep,
// not taken from this reader.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSnapshot } from "./load-snapshot.js";

const conformance = (path: string): string => fileURLToPath(new URL(`../../../../shared/conformance/${path}`, import.meta.url));
const DIR_MODE = conformance("kubectl-cluster-info-dump/dir-mode-all-namespaces");
const STDOUT_MODE = conformance("kubectl-cluster-info-dump/stdout-mode-namespaces-default.txt");

function counts(snapshot: Awaited<ReturnType<typeof loadSnapshot>>): Record<string, number> {
  return Object.fromEntries([...snapshot.objects].map(([kind, list]) => [kind, list.length]));
}

describe("cluster-info dump (conformance)", () => {
  it("directory mode: nodes.json, <ns>/*.json and <ns>/<pod>/logs.txt", async () => {
    const s = await loadSnapshot([DIR_MODE]);
    assert.deepEqual(s.source.formats, ["cluster-info-dump"]);
    // jq '.items|length' over nodes.json and */<resource>.json
    assert.deepEqual(counts(s), { Deployment: 5, Event: 5, Node: 1, Pod: 8, ReplicaSet: 6, Service: 4 });
    // the empty lists still say "listed, none there"
    assert.deepEqual(s.coverage.DaemonSet, { count: 0, status: "ok" });
    assert.deepEqual(s.coverage.ReplicationController, { count: 0, status: "ok" });
    // grep -c "==== START" */*/logs.txt: 10 blocks, none of them a request error
    assert.equal(s.logs.length, 10);
    assert.ok(s.logs.every((l) => !l.previous));
    const lb = s.logs.find((l) => l.pod === "svclb-traefik-8ea5448e-d2m74" && l.container === "lb-tcp-443");
    assert.ok(lb?.text.startsWith("+ trap exit TERM INT\n"));
    assert.ok(lb?.text.endsWith("+ mkfifo /pause\n"));
    assert.deepEqual(s.skipped, []);
  });

  it("stdout mode: concatenated Lists and log blocks in one file", async () => {
    const s = await loadSnapshot([STDOUT_MODE]);
    assert.deepEqual(s.source.formats, ["cluster-info-dump"]);
    // NodeList 1, EventList 5, ReplicationControllerList 0, ServiceList 1, DaemonSetList 0, DeploymentList 1, ReplicaSetList 2, PodList 1
    assert.deepEqual(counts(s), { Deployment: 1, Event: 5, Node: 1, Pod: 1, ReplicaSet: 2, Service: 1 });
    assert.deepEqual(
      s.logs.map((l) => `${l.namespace}/${l.pod}/${l.container}`),
      ["default/nginx-deployment-7986654d4-ztx2g/hello", "default/nginx-deployment-7986654d4-ztx2g/nginx"],
    );
  });

  it("stdout mode holds the same objects and logs as directory mode, for its namespace", async () => {
    const [dirMode, stdout] = await Promise.all([loadSnapshot([DIR_MODE]), loadSnapshot([STDOUT_MODE])]);
    for (const [kind, list] of stdout.objects) {
      const fromDir = (dirMode.objects.get(kind) ?? []).filter((o) => list.some((x) => x.metadata.name === o.metadata.name && x.metadata.namespace === o.metadata.namespace));
      assert.deepEqual(list, fromDir, kind);
    }
    for (const log of stdout.logs) {
      const same = dirMode.logs.find((l) => l.namespace === log.namespace && l.pod === log.pod && l.container === log.container);
      assert.equal(log.text, same?.text);
    }
  });
});

describe("cluster-info dump log blocks that are errors", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubesleuth-dump-"));
    await mkdir(join(dir, "ns1/web-1"), { recursive: true });
    await writeFile(join(dir, "nodes.json"), JSON.stringify({ kind: "NodeList", apiVersion: "v1", metadata: {}, items: [] }, null, 4));
    await writeFile(join(dir, "ns1/pods.json"), JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items: [] }, null, 4));
    await writeFile(
      join(dir, "ns1/web-1/logs.txt"),
      [
        "==== START logs for container init of pod ns1/web-1 ====",
        'Create log request error: pods "web-1" not found',
        "==== END logs for container init of pod ns1/web-1 ====",
        "==== START logs for container app of pod ns1/web-1 ====",
        'Request log error: container "app" in pod "web-1" is waiting to start: ContainerCreating',
        "==== END logs for container app of pod ns1/web-1 ====",
        "==== START logs for container sidecar of pod ns1/web-1 ====",
        "ready",
        "==== END logs for container sidecar of pod ns1/web-1 ====",
        "",
      ].join("\n"),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("records no log for a block holding only kubectl's request error, and lists it as skipped", async () => {
    const s = await loadSnapshot([dir]);
    assert.deepEqual(s.source.formats, ["cluster-info-dump"]);
    assert.deepEqual(
      s.logs.map((l) => [l.container, l.text]),
      [["sidecar", "ready\n"]],
    );
    assert.deepEqual(
      s.skipped.map((k) => [k.location.slice(dir.length + 1), k.reason]),
      [
        ["ns1/web-1/logs.txt:1", 'no log for container init of pod ns1/web-1: Create log request error: pods "web-1" not found'],
        ["ns1/web-1/logs.txt:4", 'no log for container app of pod ns1/web-1: Request log error: container "app" in pod "web-1" is waiting to start: ContainerCreating'],
      ],
    );
  });
});
