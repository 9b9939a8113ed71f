// Contract: the same objects read live (fake API server) and offline (`kubectl get -o json` files) are
// identical, and a live capture written as an archive reads back the same.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KubeObject } from "../../model/kube.js";
import type { Snapshot } from "../../model/snapshot.js";
import { snapshotFromYaml } from "../../testing/load-fixture.js";
import { writeArchive } from "../archive/write-archive.js";
import { loadLive } from "./load-live.js";
import { startFakeApiServer, writeKubeconfig } from "./testing/fake-api-server.js";

const FILES = ["pods", "services", "nodes", "events", "secrets"].map((name) => fileURLToPath(new URL(`./fixtures/contract/${name}.json`, import.meta.url)));
const KINDS = ["Pod", "Service", "Node", "Event", "Secret"];

type LoadSnapshot = (paths: string[]) => Promise<Snapshot>;

/** sources/snapshot's loadSnapshot, imported by a computed path so this test builds before that reader lands. */
async function snapshotReader(): Promise<LoadSnapshot | undefined> {
  const readerPath = "../snapshot/load-snapshot.js";
  try {
    return ((await import(readerPath)) as { loadSnapshot: LoadSnapshot }).loadSnapshot;
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    return undefined;
  }
}

/** The offline reader: sources/snapshot's loadSnapshot when it exists, else the test fixture loader (JSON is YAML). */
async function loadOffline(t: TestContext): Promise<Snapshot> {
  const loadSnapshot = await snapshotReader();
  if (loadSnapshot) {
    t.diagnostic("offline side: sources/snapshot loadSnapshot");
    return loadSnapshot(FILES);
  }
  t.diagnostic("offline side: testing/load-fixture snapshotFromYaml (sources/snapshot/load-snapshot.ts not present)");
  return snapshotFromYaml(FILES.map((f) => readFileSync(f, "utf8")).join("\n---\n"), "contract fixtures");
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

  it("read back from a kubesleuth archive give the live snapshot's objects, coverage and logs", async (t) => {
    const loadSnapshot = await snapshotReader();
    if (!loadSnapshot) return t.skip("sources/snapshot/load-snapshot.ts not present yet");
    const items = FILES.flatMap((f) => (JSON.parse(readFileSync(f, "utf8")) as { items: KubeObject[] }).items);
    const fake = await startFakeApiServer({
      objects: items,
      token: "contract-token",
      absentKinds: ["Ingress", "IngressClass"],
      faults: [{ resource: "configmaps", respond: 403 }],
      logs: { "shop/web-7d9f8b6c5d-x2k4p/web": "listening on :8080\n", "shop/web-7d9f8b6c5d-x2k4p/web/previous": "panic: db unreachable\n" },
    });
    const kubeconfig = writeKubeconfig({ server: fake.url, token: "contract-token", caPem: fake.caPem });
    const dir = mkdtempSync(join(tmpdir(), "kubesleuth-contract-"));
    try {
      const live = await loadLive({ kubeconfig: kubeconfig.path, kinds: [...KINDS, "Ingress", "ConfigMap"], logs: true });
      const archive = join(dir, "capture.tar.gz");
      await writeArchive(live, archive, { serverUrl: fake.url });
      const back = await loadSnapshot([archive]);
      assert.deepStrictEqual(new Map(back.objects), new Map(live.objects));
      assert.deepStrictEqual(back.coverage, live.coverage);
      assert.deepStrictEqual(
        back.logs.map((l) => [l.namespace, l.pod, l.container, l.previous, l.text]),
        live.logs.map((l) => [l.namespace, l.pod, l.container, l.previous, l.text]),
      );
      assert.equal(back.capturedAt, live.capturedAt);
      assert.equal(back.serverVersion, live.serverVersion);
    } finally {
      await fake.close();
      kubeconfig.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
