// readEtcdEndpoint against a local http server that answers as etcd does (/health JSON, /metrics text).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readEtcdEndpoint } from "./etcd.js";

const METRICS = [
  "# HELP etcd_mvcc_db_total_size_in_bytes Total size of the underlying database physically allocated in bytes.",
  "# TYPE etcd_mvcc_db_total_size_in_bytes gauge",
  "etcd_mvcc_db_total_size_in_bytes 24576",
  "# HELP etcd_server_quota_backend_bytes Current backend storage quota size in bytes.",
  "# TYPE etcd_server_quota_backend_bytes gauge",
  "etcd_server_quota_backend_bytes 2.147483648e+09",
  "# HELP go_goroutines Number of goroutines that currently exist.",
  "# TYPE go_goroutines gauge",
  "go_goroutines 120",
  "",
].join("\n");

describe("readEtcdEndpoint", () => {
  let server: http.Server;
  let base = "";
  const paths: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      if (req.url === "/health") res.end('{"health":"true","reason":""}');
      else if (req.url === "/metrics") res.end(METRICS);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("GETs /health and /metrics only, and keeps the etcd families", async () => {
    const data = await readEtcdEndpoint(`${base}/`, {});
    assert.deepEqual(paths.sort(), ["GET /health", "GET /metrics"]);
    assert.equal(data.url, base);
    assert.deepEqual(data.health, { status: 200, text: '{"health":"true","reason":""}' });
    assert.ok(data.metrics?.includes("etcd_mvcc_db_total_size_in_bytes 24576"));
    assert.ok(data.metrics?.includes("etcd_server_quota_backend_bytes 2.147483648e+09"));
    assert.ok(!data.metrics?.includes("go_goroutines"));
    assert.equal(data.error, undefined);
  });

  it("drops credentials from the URL it records", async () => {
    const data = await readEtcdEndpoint(base.replace("http://", "http://user:secret@"), {});
    assert.equal(data.url, base);
  });

  it("records a refused connection instead of throwing", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const data = await readEtcdEndpoint(`http://127.0.0.1:${port}`, {}, 2000);
    assert.equal(data.health, undefined);
    assert.equal(data.metrics, undefined);
    assert.match(data.error ?? "", /^\/health: connect ECONNREFUSED .*; \/metrics: connect ECONNREFUSED/);
  });
});
