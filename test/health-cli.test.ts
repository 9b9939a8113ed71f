// `kubesleuth health` offline: on a kubesleuth archive that carries the API server's data, and on an input without it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./cli-harness.js";
import { createSnapshotBuilder } from "../src/sources/snapshot-builder.js";
import { writeArchive } from "../src/sources/archive/write-archive.js";

describe("kubesleuth health", () => {
  it("reads an archive's health checks and computes latency percentiles from its metrics", async () => {
    const builder = createSnapshotBuilder({ kind: "live", locations: ["https://k8s.example:6443"], formats: ["live"] });
    builder.setCapturedAt("2024-05-14T10:00:00Z");
    builder.add({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    builder.setControlPlane({
      health: [
        { path: "/livez", status: 200, ok: true, checks: [{ name: "etcd", ok: true, line: "[+]etcd ok" }] },
        { path: "/readyz", status: 500, ok: false, checks: [{ name: "etcd", ok: false, line: "[-]etcd failed: reason withheld" }] },
      ],
      version: { gitVersion: "v1.36.3" },
      metrics: {
        bytes: 1000,
        // 10 GETs of pods: 4 in (0, 0.1], 6 in (0.1, 0.2]. p50: rank 5 in (0.1, 0.2]: 0.1 + 0.1*(5-4)/6 = 0.11667;
        // p90: rank 9: 0.1 + 0.1*5/6 = 0.18333; p99: rank 9.9: 0.1 + 0.1*5.9/6 = 0.19833.
        text: [
          'apiserver_request_duration_seconds_bucket{group="",resource="pods",scope="resource",subresource="",verb="GET",le="0.1"} 4',
          'apiserver_request_duration_seconds_bucket{group="",resource="pods",scope="resource",subresource="",verb="GET",le="0.2"} 10',
          'apiserver_request_duration_seconds_bucket{group="",resource="pods",scope="resource",subresource="",verb="GET",le="+Inf"} 10',
          'apiserver_current_inflight_requests{request_kind="readOnly"} 2',
        ].join("\n"),
      },
    });
    const file = join(mkdtempSync(join(tmpdir(), "kubesleuth-health-")), "snap.tar.gz");
    await writeArchive(builder.build(), file, { serverUrl: "https://k8s.example:6443" });

    const r = await runCli(["health", file, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.serverVersion, "v1.36.3");
    assert.deepEqual(summary.endpoints.map((e: { path: string; failed: string[] }) => [e.path, e.failed]), [["/livez", []], ["/readyz", ["etcd"]]]);
    const [row] = summary.metrics.requests;
    assert.deepEqual(row.key, { verb: "GET", resource: "pods", subresource: "", scope: "resource" });
    assert.equal(row.count, 10);
    assert.ok(Math.abs(row.p50 - 0.11667) < 1e-4 && Math.abs(row.p90 - 0.18333) < 1e-4 && Math.abs(row.p99 - 0.19833) < 1e-4, JSON.stringify(row));
    assert.deepEqual(summary.metrics.inflight, { readOnly: 2 });

    const text = await runCli(["health", file]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /\/readyz\s+FAILING: etcd/);
  });

  it("an input without API server data: one line, exit 2", async () => {
    const r = await runCli(["health", "fixtures/clusters/healthy"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kubesleuth: this input holds no API server health data\n/);
  });
});
