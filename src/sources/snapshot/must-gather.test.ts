// OpenShift must-gather, against /work/shared/conformance/openshift-must-gather (see its SOURCE.txt).
// The facts in SOURCE.txt (58 namespaces with core/pods.yaml, 235 pods: Running 173, Succeeded 62,
// 6 nodes, 1230 *.log files) are the oracle; the archive is also listed here with node-tar, apart
// from the reader, to derive how many container logs those 1230 files make.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { list } from "tar";
import xzDecompress from "xz-decompress";
import type { Pod } from "../../model/kube.js";
import type { Snapshot } from "../../model/snapshot.js";
import { SourceError } from "../errors.js";
import { detectSnapshotFormat, loadSnapshot } from "./load-snapshot.js";

const conformance = (path: string): string => fileURLToPath(new URL(`../../../../shared/conformance/${path}`, import.meta.url));
const METAL = conformance("openshift-must-gather/must-gather-metal.tar.xz");

/** Every regular file of a .tar.xz with its size, read with node-tar (not with the reader under test). */
async function listTarXz(path: string): Promise<{ path: string; size: number }[]> {
  const entries: { path: string; size: number }[] = [];
  const parser = list({ onReadEntry: (e) => (e.type === "File" ? entries.push({ path: e.path, size: e.size ?? 0 }) : undefined) });
  const tarStream = Readable.fromWeb(
    new xzDecompress.XzReadableStream(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>) as import("node:stream/web").ReadableStream<Uint8Array>,
  );
  await new Promise<void>((resolve, reject) => {
    tarStream.on("error", reject);
    parser.on("end", resolve);
    tarStream.pipe(parser as unknown as NodeJS.WritableStream);
  });
  return entries;
}

describe("must-gather (conformance): must-gather-metal.tar.xz", () => {
  let snapshot: Snapshot;
  let files: { path: string; size: number }[];
  before(async () => {
    [snapshot, files] = await Promise.all([loadSnapshot([METAL]), listTarXz(METAL)]);
  });

  it("is detected as a must-gather, captured at the end time in its timestamp file", () => {
    assert.deepEqual(snapshot.source.formats, ["must-gather"]);
    // must-gather-metal/timestamp: "2021-09-14 16:43:44... +0200 CEST" (start), "2021-09-14 16:44:22.408... +0200 CEST" (end)
    assert.equal(snapshot.capturedAt, "2021-09-14T14:44:22Z");
  });

  it("holds the pods of the 58 namespaces with core/pods.yaml: 235 pods, Running 173, Succeeded 62", () => {
    const podFiles = files.filter((f) => /\/namespaces\/[^/]+\/core\/pods\.yaml$/.test(f.path));
    assert.equal(podFiles.length, 58);
    const namespacesWithPodsYaml = new Set(podFiles.map((f) => f.path.split("/").at(-3)));
    const pods = (snapshot.objects.get("Pod") ?? []) as Pod[];
    assert.equal(pods.length, 235);
    const phases: Record<string, number> = {};
    for (const p of pods) phases[p.status?.phase ?? "?"] = (phases[p.status?.phase ?? "?"] ?? 0) + 1;
    assert.deepEqual(phases, { Running: 173, Succeeded: 62 });
    for (const p of pods) assert.ok(namespacesWithPodsYaml.has(p.metadata.namespace!), p.metadata.namespace);
    assert.equal(snapshot.coverage.Pod?.status, "ok");
  });

  it("holds 6 nodes (cluster-scoped-resources/core/nodes/*.yaml)", () => {
    assert.equal(snapshot.objects.get("Node")?.length, 6);
  });

  it("maps the 1230 *.log files to 443 container logs", () => {
    // The 1230 files are:
    //   9    host_service_logs/masters/<unit>_service.log   node journals, not container logs (skipped, listed once)
    //   416  pods/<pod>/<c>/<c>/logs/current.log            one log per container, kept even when empty
    //   416  pods/<pod>/<c>/<c>/logs/previous.log           the previous instance's log; empty = there was none
    //   389  pods/<pod>/<c>/<c>/logs/previous.insecure.log  oc's retry of the previous log without TLS verification,
    //                                                       written where previous.log came back empty
    // A container gets a previous log when previous.log (or else previous.insecure.log) has text.
    const logs = files.filter((f) => f.path.endsWith(".log"));
    assert.equal(logs.length, 1230);
    const byName = (suffix: string) => logs.filter((f) => f.path.endsWith(`/logs/${suffix}`));
    const host = logs.filter((f) => f.path.includes("/host_service_logs/"));
    assert.equal(host.length, 9);
    assert.equal(byName("current.log").length, 416);
    assert.equal(byName("previous.log").length, 416);
    assert.equal(byName("previous.insecure.log").length, 389);
    const previousWithText = new Set(
      [...byName("previous.log"), ...byName("previous.insecure.log")].filter((f) => f.size > 0).map((f) => f.path.replace(/\/[^/]+$/, "")),
    );
    assert.equal(previousWithText.size, 27);
    const expected = 416 + 27;
    assert.equal(expected, 443);

    assert.equal(snapshot.logs.length, expected);
    assert.equal(snapshot.logs.filter((l) => !l.previous).length, 416);
    assert.equal(snapshot.logs.filter((l) => l.previous).length, 27);
    assert.ok(snapshot.logs.filter((l) => l.previous).every((l) => l.text.length > 0));
    const hostSkip = snapshot.skipped.find((s) => s.location.endsWith("/host_service_logs"));
    assert.equal(hostSkip?.reason, "node service journals (not container logs); 9 files not read");
  });

  it("skips only the non-Kubernetes directories, one line each", () => {
    assert.deepEqual(snapshot.skipped.map((s) => s.location.split("/").at(-1)).sort(), ["etcd_info", "host_service_logs", "ingress_controllers", "monitoring"]);
  });
});

describe("must-gather (conformance): omc-testdata archive formats", () => {
  // Skeleton archives (must-gather.sample/{event-filter.html, namespaces/}): detection only; they
  // hold no object, so loading them is the "nothing Kubernetes" error, naming the detected format.
  for (const [file, container] of [
    ["must-gather.tar", "tar"],
    ["must-gather.tar.gz", "tar.gz"],
    ["must-gather.tar.xz", "tar.xz"],
    ["must-gather.zip", "zip"],
  ] as const) {
    it(`${file}: must-gather in a ${container}`, async () => {
      const path = conformance(`openshift-must-gather/omc-testdata/${file}`);
      assert.deepEqual(await detectSnapshotFormat(path), { format: "must-gather", container });
      await assert.rejects(loadSnapshot([path]), (e: unknown) => {
        assert.ok(e instanceof SourceError);
        assert.equal(e.message, `${path}: no Kubernetes objects found (must-gather)`);
        return true;
      });
    });
  }
});
