// Contract: the same objects read live (fake API server) and offline (`kubectl get -o json` files) are identical.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { KubeObject } from "../../model/kube.js";
import type { Snapshot } from "../../model/snapshot.js";
import { snapshotFromYaml } from "../../testing/load-fixture.js";
import { loadLive } from "./load-live.js";
import { startFakeApiServer, writeKubeconfig } from "./testing/fake-api-server.js";

const FILES = ["pods", "services", "nodes", "events", "secrets"].map((name) => fileURLToPath(new URL(`./fixtures/contract/${name}.json`, import.meta.url)));
const KINDS = ["Pod", "Service", "Node", "Event", "Secret"];

/** The offline reader: sources/snapshot's loadSnapshot when it exists, else the test fixture loader (JSON is YAML). */
async function loadOffline(t: TestContext): Promise<Snapshot> {
  const readerPath = "../snapshot/load-snapshot.js";
  try {
    const reader = (await import(readerPath)) as { loadSnapshot: (paths: string[]) => Promise<Snapshot> | Snapshot };
    t.diagnostic("offline side: sources/snapshot loadSnapshot");
    return await reader.loadSnapshot(FILES);
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    t.diagnostic("offline side: testing/load-fixture snapshotFromYaml (sources/snapshot/load-snapshot.ts not present)");
    return snapshotFromYaml(FILES.map((f) => readFileSync(f, "utf8")).join("\n---\n"), "contract fixtures");
  }
}

describe("live and offline sources", () => {
  it("give identical objects for the same cluster", async (t) => {
    const items = FILES.flatMap((f) => (JSON.parse(readFileSync(f, "utf8")) as { items: KubeObject[] }).items);
    const fake = await startFakeApiServer({ objects: items, token: "contract-token" });
    const kubeconfig = writeKubeconfig({ server: fake.url, token: "contract-token", caPem: fake.caPem });
    let live: Snapshot;
    try {
      live = await loadLive({ kubeconfig: kubeconfig.path, kinds: KINDS, pageSize: 1 });
    } finally {
      await fake.close();
      kubeconfig.cleanup();
    }
    const offline = await loadOffline(t);

    for (const kind of KINDS) {
      const liveObjects = live.objects.get(kind) ?? [];
      assert.equal(liveObjects.length, 1, `${kind}: one object live`);
      assert.deepStrictEqual(liveObjects, offline.objects.get(kind), `${kind}: live and offline objects differ`);
      assert.equal(live.coverage[kind]!.count, offline.coverage[kind]!.count);
    }
    const pod = live.objects.get("Pod")![0]!;
    assert.equal(typeof pod.metadata.creationTimestamp, "string", "timestamps stay strings");
    assert.equal(live.objects.get("Secret")![0]!.data !== undefined, true);
  });
});
