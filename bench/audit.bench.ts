// Audit log throughput: generates a synthetic audit log of about --mb megabytes (default 1024) of
// realistic audit.k8s.io/v1 Event lines (several stages per request, Metadata and RequestResponse
// levels, 403s, watches, unlimited LISTs, 429/5xx), optionally gzipped, then reads it exactly as
// `kubesleuth audit` does (readAuditFile + AuditAggregator + finish) and prints MB/s, events/s and peak RSS.
//
//   node --import tsx bench/audit.bench.ts [--mb 1024] [--gzip] [--regenerate] [--floor]
// --floor measures instead the floor: the same file through readline + JSON.parse only, no aggregation.
import { createWriteStream, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { readAuditFile } from "../src/sources/audit/read-audit-log.js";
import { AuditAggregator } from "../src/run/audit.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const targetMb = Number(arg("mb", "1024"));
const gzip = args.includes("--gzip");
const outDir = join(fileURLToPath(new URL(".", import.meta.url)), "out");
const file = join(outDir, `audit-${targetMb}mb.log${gzip ? ".gz" : ""}`);

/** A small deterministic PRNG (mulberry32) so every run generates the same log. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = [
  ["system:serviceaccount:kube-system:replicaset-controller", "kube-controller-manager/v1.36.3 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:replicaset-controller"],
  ["system:node:worker-17", "kubelet/v1.36.3 (linux/amd64) kubernetes/abc"],
  ["system:serviceaccount:monitoring:prometheus", "Prometheus/2.53.0"],
  ["system:serviceaccount:shop:api", "shop-api/1.4.0"],
  ["alice@example.com", "kubectl/v1.36.3 (linux/amd64) kubernetes/abc"],
  ["system:serviceaccount:ops:bad-operator", "bad-operator/0.1"],
] as const;
const RESOURCES = ["pods", "configmaps", "secrets", "services", "endpoints", "events", "nodes", "deployments"];

async function generate(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const raw = createWriteStream(gzip ? `${file}.tmp` : `${file}.tmp`);
  const gz = gzip ? createGzip({ level: 1 }) : undefined;
  if (gz) gz.pipe(raw);
  const sink = gz ?? raw;
  const random = prng(42);
  const target = targetMb * 1024 * 1024;
  let written = 0;
  let buffer = "";
  let t = Date.parse("2026-11-28T00:00:00Z") * 1000;
  let id = 0;
  const flush = async () => {
    written += Buffer.byteLength(buffer);
    if (!sink.write(buffer)) await once(sink, "drain");
    buffer = "";
  };
  const ts = (micros: number) => `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, "0")}Z`;
  while (written < target) {
    t += Math.floor(random() * 2000);
    const [user, agent] = USERS[Math.floor(random() * USERS.length)]!;
    const resource = RESOURCES[Math.floor(random() * RESOURCES.length)]!;
    const ns = resource === "nodes" ? undefined : `team-${Math.floor(random() * 50)}`;
    const r = random();
    const verb = user.includes("bad-operator") && r < 0.5 ? "watch" : r < 0.4 ? "get" : r < 0.6 ? "list" : r < 0.75 ? "watch" : r < 0.9 ? "update" : "create";
    const code = r > 0.995 ? 429 : r > 0.99 ? 503 : user.includes("shop:api") && resource === "secrets" ? 403 : 200;
    const auditID = `00000000-0000-4000-8000-${String(++id).padStart(12, "0")}`;
    const level = verb === "update" || verb === "create" ? "RequestResponse" : "Metadata";
    const apiGroup = resource === "deployments" ? "apps" : "";
    const base = `/api${apiGroup ? `s/${apiGroup}` : ""}/v1${ns ? `/namespaces/${ns}` : ""}/${resource}`;
    const uri = verb === "list" ? `${base}${random() < 0.5 ? "?limit=500" : ""}` : verb === "watch" ? `${base}?allowWatchBookmarks=true&resourceVersion=12345&watch=true` : `${base}/obj-${id % 1000}`;
    const latency = verb === "watch" ? 300_000_000 : Math.floor(1000 + random() * 80_000);
    const common = {
      level,
      auditID,
      requestURI: uri,
      verb,
      user: { username: user, uid: "3b9f5c2e-1111-2222-3333-444455556666", groups: ["system:authenticated"] },
      sourceIPs: ["10.0.3.17"],
      userAgent: agent,
      objectRef: { resource, ...(ns ? { namespace: ns } : {}), ...(verb === "list" || verb === "watch" ? {} : { name: `obj-${id % 1000}` }), apiGroup, apiVersion: "v1" },
      requestReceivedTimestamp: ts(t),
    };
    const annotations = { "authorization.k8s.io/decision": code === 403 ? "forbid" : "allow", "authorization.k8s.io/reason": code === 403 ? "" : 'RBAC: allowed by ClusterRoleBinding "system:controller" of ClusterRole "x"' };
    const body = level === "RequestResponse" ? { requestObject: { kind: "ConfigMap", apiVersion: "v1", metadata: { name: `obj-${id % 1000}`, namespace: ns, labels: { app: "shop", tier: "backend" } }, data: { key: "x".repeat(400) } } } : {};
    if (verb === "watch") {
      buffer += `${JSON.stringify({ kind: "Event", apiVersion: "audit.k8s.io/v1", ...common, stage: "ResponseStarted", responseStatus: { metadata: {}, code: 200 }, stageTimestamp: ts(t + 900), annotations })}\n`;
    }
    buffer += `${JSON.stringify({ kind: "Event", apiVersion: "audit.k8s.io/v1", ...common, stage: "ResponseComplete", ...body, responseStatus: { metadata: {}, code, ...(code === 403 ? { status: "Failure", reason: "Forbidden", message: `${resource} is forbidden` } : {}) }, stageTimestamp: ts(t + latency), annotations })}\n`;
    if (buffer.length > 4 * 1024 * 1024) await flush();
  }
  await flush();
  sink.end();
  await once(raw, "finish");
  const { renameSync } = await import("node:fs");
  renameSync(`${file}.tmp`, file);
}

if (!existsSync(file) || args.includes("--regenerate")) {
  const started = performance.now();
  await generate();
  console.log(`generated ${file}: ${(statSync(file).size / 1024 / 1024).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const size = statSync(file).size;
if (args.includes("--floor")) {
  const { createReadStream } = await import("node:fs");
  const { createInterface } = await import("node:readline");
  const { createGunzip } = await import("node:zlib");
  const t0 = performance.now();
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let lines = 0;
  for await (const line of createInterface({ input: gzip ? raw.pipe(createGunzip()) : raw, crlfDelay: Infinity })) {
    if (line) {
      JSON.parse(line);
      lines++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ floor: "readline + JSON.parse", file, lines, seconds: Number(seconds.toFixed(2)), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }, null, 2));
  process.exit(0);
}
const started = performance.now();
const aggregator = new AuditAggregator();
const summary = await readAuditFile(file, { onEvent: (e, l) => aggregator.add(e, l) });
const readSeconds = (performance.now() - started) / 1000;
const report = aggregator.finish();
const totalSeconds = (performance.now() - started) / 1000;
const rssMb = process.resourceUsage().maxRSS / 1024;
// Throughput in megabytes of log text (after gunzip for .gz), the file size beside it.
const mb = summary.textBytes / 1024 / 1024;
console.log(
  JSON.stringify(
    {
      file,
      gzip: summary.gzip,
      fileMegabytes: Math.round(size / 1024 / 1024),
      textMegabytes: Math.round(mb),
      events: summary.events,
      requests: report.requests,
      forbidden: report.forbiddenTotal,
      readAndAggregateSeconds: Number(readSeconds.toFixed(2)),
      totalSeconds: Number(totalSeconds.toFixed(2)),
      megabytesPerSecond: Number((mb / totalSeconds).toFixed(1)),
      eventsPerSecond: Math.round(summary.events / totalSeconds),
      peakRssMb: Math.round(rssMb),
      node: process.version,
    },
    null,
    2,
  ),
);
