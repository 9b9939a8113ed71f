import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiRequestError, type ApiClient } from "./api-client.js";
import { filterMetricsText, parseHealthChecks, readControlPlane } from "./control-plane.js";
import { createSnapshotBuilder } from "../snapshot-builder.js";
import { writeArchive } from "../archive/write-archive.js";
import { loadSnapshot } from "../snapshot/load-snapshot.js";

// The answer of kube-apiserver v1.36.3 to /readyz?verbose with etcd stopped (this repository's test cluster), shortened.
const READYZ_ETCD_DOWN = "[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n[+]informer-sync ok\n[+]poststarthook/start-apiserver-admission-initializer ok\n[+]shutdown ok\nreadyz check failed\n";

function stubClient(answers: Record<string, { status: number; text: string } | "unreachable">): ApiClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    serverUrl: "https://127.0.0.1:6443",
    asked,
    getJson: () => Promise.reject(new Error("not used")),
    getText: () => Promise.reject(new Error("not used")),
    async getAnyStatus(path, query) {
      const key = `${path}${"verbose" in query ? "?verbose" : ""}`;
      asked.push(key);
      const answer = answers[key];
      if (answer === undefined || answer === "unreachable") throw new ApiRequestError("unreachable", path, "connect ECONNREFUSED 127.0.0.1:6443");
      return { ...answer, bytes: Buffer.byteLength(answer.text) };
    },
    scrub: (m) => m,
    close: () => {},
  };
}

describe("parseHealthChecks", () => {
  it("reads [+]/[-] lines by name, ignores the summary line", () => {
    const checks = parseHealthChecks(READYZ_ETCD_DOWN);
    assert.deepEqual(
      checks.filter((c) => !c.ok).map((c) => c.name),
      ["etcd", "etcd-readiness"],
    );
    assert.equal(checks.length, 7);
    assert.equal(checks.find((c) => c.name === "poststarthook/start-apiserver-admission-initializer")?.ok, true);
  });
});

describe("filterMetricsText", () => {
  it("keeps the analyzers' families with their # TYPE lines, drops the rest", () => {
    const text = [
      "# HELP go_goroutines Number of goroutines",
      "# TYPE go_goroutines gauge",
      "go_goroutines 312",
      "# TYPE apiserver_request_duration_seconds histogram",
      'apiserver_request_duration_seconds_bucket{verb="GET",le="+Inf"} 3',
      'apiserver_request_duration_seconds_sum{verb="GET"} 0.2',
      'apiserver_request_duration_seconds_count{verb="GET"} 3',
      'apiserver_current_inflight_requests{request_kind="readOnly"} 1',
    ].join("\n");
    assert.equal(
      filterMetricsText(text),
      '# TYPE apiserver_request_duration_seconds histogram\napiserver_request_duration_seconds_bucket{verb="GET",le="+Inf"} 3\napiserver_request_duration_seconds_count{verb="GET"} 3\napiserver_current_inflight_requests{request_kind="readOnly"} 1\n',
    );
  });
});

describe("readControlPlane", () => {
  it("keeps a failing readyz's checks (HTTP 500 is the answer, not an error) and a 403 on /metrics as not collected", async () => {
    const client = stubClient({
      "/livez?verbose": { status: 200, text: "[+]ping ok\nlivez check passed\n" },
      "/readyz?verbose": { status: 500, text: READYZ_ETCD_DOWN },
      "/healthz?verbose": { status: 500, text: "[-]etcd failed: reason withheld\nhealthz check failed\n" },
      "/version": { status: 200, text: '{"major":"1","minor":"36","gitVersion":"v1.36.3"}' },
      "/metrics": { status: 403, text: '{"kind":"Status","reason":"Forbidden"}' },
    });
    const data = await readControlPlane(client, { metrics: true });
    const readyz = data.health.find((h) => h.path === "/readyz")!;
    assert.equal(readyz.status, 500);
    assert.equal(readyz.ok, false);
    assert.deepEqual(readyz.checks.filter((c) => !c.ok).map((c) => c.line), ["[-]etcd failed: reason withheld", "[-]etcd-readiness failed: reason withheld"]);
    assert.equal(data.version?.gitVersion, "v1.36.3");
    assert.equal(data.metrics, undefined);
    assert.match(data.metricsNote ?? "", /forbidden \(HTTP 403\)/);
    assert.equal(data.unreachable, undefined);
  });

  it("no answer at all: unreachable, metrics not asked", async () => {
    const client = stubClient({});
    const data = await readControlPlane(client, { metrics: true });
    assert.match(data.unreachable ?? "", /ECONNREFUSED/);
    assert.ok(!client.asked.includes("/metrics"));
  });
});

describe("control-plane data in a kubesleuth archive", () => {
  it("round-trips through write and load", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ks-cp-"));
    try {
      const builder = createSnapshotBuilder({ kind: "live", locations: ["https://k8s.example:6443"], formats: ["live"] });
      builder.setCapturedAt("2024-05-01T12:00:00.000Z");
      builder.add({ apiVersion: "v1", kind: "Node", metadata: { name: "node-a" } });
      builder.setCoverage("/metrics", "forbidden", "not collected: forbidden (HTTP 403)");
      const data = {
        health: [{ path: "/readyz", status: 500, ok: false, checks: parseHealthChecks(READYZ_ETCD_DOWN) }],
        version: { gitVersion: "v1.36.3" },
        metrics: { text: 'apiserver_current_inflight_requests{request_kind="readOnly"} 1\n', bytes: 2000000 },
      };
      builder.setControlPlane(data);
      const file = join(dir, "snap.tar.gz");
      await writeArchive(builder.build(), file, { serverUrl: "https://k8s.example:6443" });
      const loaded = await loadSnapshot([file]);
      assert.deepEqual(loaded.controlPlane, data);
      assert.equal(loaded.coverage["/metrics"]?.status, "forbidden");
      assert.equal(loaded.objects.has("/metrics"), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
