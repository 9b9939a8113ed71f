// A large `kubectl get pods -A -o json` file loads through the streaming scanner. The 2 GB proof
// (bigger than any JS string) lives in bench/; this keeps the path exercised at ~80 MB.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSnapshot } from "./load-snapshot.js";
import { writeGeneratedPodList } from "./test-support.js";

describe("large pod list", () => {
  let dir: string;
  let file: string;
  let written: { pods: number; bytes: number };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubesleuth-large-"));
    file = join(dir, "pods.json");
    written = await writeGeneratedPodList(file, 80_000_000);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads every pod of an ~80 MB List streamed item by item", async (t) => {
    const started = performance.now();
    const progress: string[] = [];
    const s = await loadSnapshot([file], { onProgress: (m) => progress.push(m) });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(s.objects.get("Pod")?.length, written.pods);
    assert.deepEqual(s.source.formats, ["kubectl-json"]);
    assert.ok(progress.length >= 2, "progress was reported");
    // Bench note (2-core shared machine, Node 20): 80 MB / 8,160 pods in 0.46 s = 174 MB/s end to end
    // (scan + JSON.parse per item + normalize + builder). Same code on a generated 2.1 GB file:
    // 214,114 pods in 12.3 s = 171 MB/s, heap 1.1 GB. stream-json (parser+pick+streamArray) did ~42 MB/s.
    t.diagnostic(`${(written.bytes / 1e6).toFixed(0)} MB, ${written.pods} pods in ${seconds.toFixed(2)} s = ${(written.bytes / 1e6 / seconds).toFixed(0)} MB/s`);
  });
});
