// Several inputs: parts of one capture merge; captures taken at different times become a time series
// (latest = the snapshot, earlier ones = history, oldest first). The rule is in docs/architecture.md.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSnapshotBuilder } from "../snapshot-builder.js";
import { writeArchive } from "../archive/write-archive.js";
import { restrictSnapshot } from "../restrict.js";
import { buildIndex } from "../../indexes/build-index.js";
import { groupCaptures, loadSnapshot, SAME_CAPTURE_WINDOW_MS } from "./load-snapshot.js";

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), "kubesleuth-series-"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function node(name: string, ready: string, resourceVersion: string): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Node", metadata: { name, resourceVersion }, status: { conditions: [{ type: "Ready", status: ready }] } };
}

async function archive(name: string, capturedAt: string, objects: Record<string, unknown>[]): Promise<string> {
  const builder = createSnapshotBuilder({ kind: "live", locations: ["https://k8s.example:6443"] });
  for (const o of objects) builder.add(o);
  builder.markListed("Node");
  builder.setCapturedAt(capturedAt);
  const file = join(work, `${name}.tar.gz`);
  await writeArchive(builder.build(), file, { serverUrl: "https://k8s.example:6443" });
  return file;
}

const readyOf = (s: { objects: ReadonlyMap<string, readonly unknown[]> }): string =>
  ((s.objects.get("Node")?.[0] as { status: { conditions: { status: string }[] } }).status.conditions[0]!.status);

describe("snapshots over time", () => {
  it("orders captures by capture time whatever the argument order: latest analysed, earlier ones as history", async () => {
    const a = await archive("a", "2026-11-20T09:00:00Z", [node("n1", "True", "10")]);
    const b = await archive("b", "2026-11-20T09:20:00Z", [node("n1", "Unknown", "20")]);
    const c = await archive("c", "2026-11-20T09:40:00Z", [node("n1", "True", "30")]);
    const s = await loadSnapshot([c, a, b]);
    assert.equal(s.capturedAt, "2026-11-20T09:40:00Z");
    assert.equal(readyOf(s), "True");
    assert.deepEqual(s.history?.map((h) => h.capturedAt), ["2026-11-20T09:00:00Z", "2026-11-20T09:20:00Z"]);
    assert.deepEqual(s.history?.map(readyOf), ["True", "Unknown"]);
    assert.deepEqual(s.source.locations, [c, a, b], "the report names every input");
    const index = buildIndex(s);
    assert.deepEqual(index.history.map((h) => h.capturedAt), [Date.parse("2026-11-20T09:00:00Z"), Date.parse("2026-11-20T09:20:00Z")]);
    assert.equal(index.history[1]!.index.get("Node", undefined, "n1")?.metadata.resourceVersion, "20");
    assert.deepEqual(s.history?.map((h) => h.source.locations), [[a], [b]], "each earlier capture keeps its own inputs");
  });

  it("merges inputs captured within the window, and files without a capture time, into one snapshot", async () => {
    const a = await archive("a2", "2026-11-20T09:00:00Z", [node("n1", "True", "10")]);
    const b = await archive("b2", "2026-11-20T09:00:08Z", [node("n2", "True", "11")]);
    const pods = join(work, "pods.json");
    await writeFile(pods, JSON.stringify({ apiVersion: "v1", kind: "PodList", items: [{ metadata: { name: "p", namespace: "x" }, spec: { nodeName: "n1" } }] }));
    const s = await loadSnapshot([a, b, pods]);
    assert.equal(s.history, undefined);
    assert.deepEqual(s.objects.get("Node")?.map((n) => n.metadata.name), ["n1", "n2"]);
    assert.equal(s.objects.get("Pod")?.length, 1);
    assert.equal(s.capturedAt, "2026-11-20T09:00:08Z");
    assert.equal(buildIndex(s).history.length, 0);
  });

  it("groups by a window measured from a capture's first input, undated inputs into the latest capture", () => {
    // 0 s, 8 s (same capture as 0 s), 15 s (more than 10 s after 0 s: a new capture), 22 s (with 15 s).
    const parts = [0, 8_000, 15_000, 22_000, undefined].map((t, i) => ({ capturedAt: t, i }));
    assert.equal(SAME_CAPTURE_WINDOW_MS, 10_000);
    assert.deepEqual(groupCaptures(parts).map((g) => g.map((p) => p.i)), [[0, 1], [2, 3, 4]]);
    assert.deepEqual(groupCaptures([{ capturedAt: undefined, i: 0 }, { capturedAt: undefined, i: 1 }]).map((g) => g.map((p) => p.i)), [[0, 1]]);
  });

  it("-n narrows the earlier captures too", async () => {
    const mk = (ns: string, at: string): Promise<string> => archive(`ns-${ns}-${at.slice(11, 13)}`, at, [{ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: ns } }]);
    const s = await loadSnapshot([await mk("x", "2026-11-20T08:00:00Z"), await mk("y", "2026-11-20T10:00:00Z")]);
    const r = restrictSnapshot(s, { namespace: "x" });
    assert.equal(r.objects.get("Pod")?.length, 0);
    assert.equal(r.history?.[0]?.objects.get("Pod")?.length, 1);
    const r2 = restrictSnapshot(s, { namespace: "y" });
    assert.equal(r2.history?.[0]?.objects.get("Pod")?.length, 0);
  });
});
