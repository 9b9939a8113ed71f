// Control-plane faults on the real control plane (issue 8, cases 5 and 7): the API server's metrics read and
// reported; an admission webhook with failurePolicy Fail and no endpoints blocking a Deployment's pods; the
// scheduler stopped (its Lease goes stale, new pods stay Pending); etcd stopped (readyz names it).
//
// Every fault is undone in the same test (and again in `after`, in case a test failed half-way): processes are
// restarted with the exact command line up.sh gave them (read from /proc/<pid>/cmdline), the pid files are
// updated so down.sh stops the new processes, and the objects created here are deleted. After the etcd outage
// the API server is restarted too: its latency histograms are cumulative and would keep that outage. Named `zy-` so it runs
// after the scenario files and before zz-apiserver-fault (files run in sorted order, one at a time), which
// breaks the API server for good.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Finding, Report } from "../../src/model/finding.js";
import { apply, getJson, kubectl, readClusterEnv, sleep, sleuth, waitFor, type ClusterEnv } from "./harness.js";
import { schemaErrors } from "../report-schema.js";

const WEBHOOK_NS = "e2e-cp-webhook";
const WEBHOOK_CONFIG = "e2e-cp-blocker";
const WEBHOOK_NAME = "deny.e2e-cp.kubesleuth.test";
const SCHED_NS = "e2e-cp-sched";
/** Leader election for the scheduler restarted by this test: short, so the Lease is stale a few seconds after a kill. */
const LEASE_SECONDS = 4;

function pidFile(env: ClusterEnv, component: string): string {
  return join(env.dir, "pids", `${component}.pid`);
}

function pidOf(env: ClusterEnv, component: string): number {
  return Number(readFileSync(pidFile(env, component), "utf8").trim());
}

function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    return state !== undefined && state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Stops a component up.sh started and returns its command line, to start it again as it was. */
async function stopComponent(env: ClusterEnv, component: string, signal: NodeJS.Signals): Promise<string[]> {
  const pid = pidOf(env, component);
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  assert.ok(args[0]?.endsWith(`/${component}`), `pid ${pid} runs ${component} (${args[0]})`);
  process.kill(pid, signal);
  // As down.sh: a graceful stop gets 10 s (the API server drains its requests and watches longer), then SIGKILL.
  const exited = await waitFor(`${component} (pid ${pid}) to exit`, () => !alive(pid), 10_000, 200).then(() => true, () => false);
  if (!exited) {
    process.kill(pid, "SIGKILL");
    await waitFor(`${component} (pid ${pid}) to exit after SIGKILL`, () => !alive(pid), 10_000, 200);
  }
  return args;
}

/** Starts a component detached (it must survive this test file, like up.sh's), logging where up.sh logs it. */
function startComponent(env: ClusterEnv, component: string, args: string[]): number {
  const log = openSync(join(env.dir, "logs", `${component}.log`), "a");
  const child = spawn(args[0]!, args.slice(1), { detached: true, stdio: ["ignore", log, log] });
  child.unref();
  writeFileSync(pidFile(env, component), `${child.pid}\n`);
  return child.pid!;
}

function readyzOk(env: ClusterEnv): boolean {
  return kubectl(env, ["get", "--raw", "/readyz"], { allowFailure: true }).trim() === "ok";
}

async function scanJson(env: ClusterEnv, args: string[], kubeconfig?: string): Promise<Report> {
  const result = await sleuth(env, ["scan", "-o", "json", "--fail-on", "none", ...args], kubeconfig);
  assert.equal(result.code, 0, `scan exit ${result.code}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as Report;
  assert.deepEqual(schemaErrors(report), []);
  return report;
}

function findingsWithCode(report: Report, code: string): Finding[] {
  return report.findings.filter((f) => f.code === code);
}

/** Every value in a finding's evidence (strings and numbers), to look facts up in. */
function evidenceValues(finding: Finding): unknown[] {
  return finding.evidence.map((e) => e.value);
}

describe("control-plane faults on the real control plane", () => {
  let env: ClusterEnv;
  /** Restorers still owed, run in `after` if a test did not get to them. */
  const pending = new Map<string, () => Promise<void>>();

  before(() => {
    env = readClusterEnv();
  });

  after(async () => {
    for (const [what, restore] of pending) {
      try {
        await restore();
      } catch (error) {
        console.error(`restoring ${what} failed: ${String(error)}`);
      }
    }
  });

  it("(d) the API server's metrics are read: latency percentiles in `health -o json`, /metrics forbidden for the read-only identity is coverage, no load finding on the idle cluster", async (t) => {
    const result = await sleuth(env, ["health", "-o", "json"], env.adminKubeconfig);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as {
      serverVersion: string;
      endpoints: { path: string; ok: boolean; failed: string[] }[];
      metrics: { collected: boolean; requests: { key: Record<string, string>; count: number; p50: number; p90: number; p99: number }[]; etcd: unknown[] };
    };
    assert.equal(summary.serverVersion, env.raw.KS_KUBE_VERSION);
    assert.deepEqual(summary.endpoints.map((e) => [e.path, e.ok]), [["/livez", true], ["/readyz", true], ["/healthz", true]]);
    assert.equal(summary.metrics.collected, true);
    assert.ok(summary.metrics.requests.length > 0 && summary.metrics.etcd.length > 0);
    // Facts from the API server itself, read after kubesleuth's scrape: counters only grow, so each row's count is at
    // most the sum of apiserver_request_duration_seconds_count over the series of that verb/resource/scope now.
    const metrics = spawnSync(env.kubectl, ["--kubeconfig", env.adminKubeconfig, "get", "--raw", "/metrics"], { encoding: "utf8", timeout: 60_000, maxBuffer: 256 * 1024 * 1024 }).stdout;
    assert.ok(metrics.includes("apiserver_request_duration_seconds_count{"), "kubectl read /metrics");
    for (const row of summary.metrics.requests) {
      assert.ok(row.p50 <= row.p90 && row.p90 <= row.p99, `percentiles ordered: ${JSON.stringify(row)}`);
      const [resource, ...group] = row.key.resource!.split(".");
      let later = 0;
      for (const line of metrics.split("\n")) {
        if (!line.startsWith("apiserver_request_duration_seconds_count{")) continue;
        const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (labels.verb === row.key.verb && labels.resource === resource && labels.group === group.join(".") && labels.scope === row.key.scope && labels.subresource === row.key.subresource) {
          later += Number(line.slice(line.lastIndexOf(" ") + 1));
        }
      }
      assert.ok(row.count > 0 && row.count <= later, `${JSON.stringify(row.key)}: ${row.count} requests, the API server counts ${later} now`);
    }
    t.diagnostic(`slowest: ${JSON.stringify(summary.metrics.requests[0])}`);

    const admin = await scanJson(env, [], env.adminKubeconfig);
    assert.deepEqual(admin.findings.filter((f) => f.area === "control-plane").map((f) => f.code), [], "an idle healthy control plane has no control-plane finding");
    const limited = await scanJson(env, []);
    assert.equal(limited.coverage["/metrics"]?.status, "forbidden", "the read-only identity may not get /metrics: reported, not an error");
  });

  it("(c) a ValidatingWebhookConfiguration (failurePolicy Fail) whose Service has no endpoints blocks a Deployment's pods: found with the webhook as root cause", async (t) => {
    const restore = async (): Promise<void> => {
      kubectl(env, ["delete", "validatingwebhookconfiguration", WEBHOOK_CONFIG, "--ignore-not-found"]);
      kubectl(env, ["delete", "namespace", WEBHOOK_NS, "--ignore-not-found", "--wait=false"]);
    };
    pending.set("webhook", restore);
    kubectl(env, ["create", "namespace", WEBHOOK_NS]);
    apply(env, {
      yaml: `
apiVersion: v1
kind: Service
metadata: { name: blocker, namespace: ${WEBHOOK_NS} }
spec: { selector: { app: no-such-pod }, ports: [{ port: 443, targetPort: 8443 }] }
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: ${WEBHOOK_CONFIG} }
webhooks:
  - name: ${WEBHOOK_NAME}
    clientConfig: { service: { namespace: ${WEBHOOK_NS}, name: blocker, path: /validate } }
    rules: [{ operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods] }]
    failurePolicy: Fail
    # Only this test's namespace: the rest of the cluster keeps working.
    namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${WEBHOOK_NS} } }
    sideEffects: None
    admissionReviewVersions: [v1]
    timeoutSeconds: 5
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${WEBHOOK_NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: web, image: nginx:1.27 }] } }
`,
    });
    try {
      // Kubernetes' own verdict: the ReplicaSet controller's FailedCreate event quoting the API server's webhook error.
      let failedCreate: { message: string; involvedObject: { kind: string; name: string } } | undefined;
      await waitFor("a FailedCreate event from the webhook", () => {
        const events = getJson<{ items: { reason: string; message: string; involvedObject: { kind: string; name: string } }[] }>(env, ["events", "-n", WEBHOOK_NS]).items;
        failedCreate = events.find((e) => e.reason === "FailedCreate" && e.message.includes(`failed calling webhook "${WEBHOOK_NAME}"`));
        return failedCreate !== undefined;
      }, 90_000);
      t.diagnostic(`event: ${failedCreate!.message}`);
      assert.equal(kubectl(env, ["get", "pods", "-n", WEBHOOK_NS, "-o", "name"]).trim(), "", "no pod could be created");

      const report = await scanJson(env, []);
      const [finding, ...more] = findingsWithCode(report, "webhook-backend-unavailable/blocking");
      assert.ok(finding, `a webhook finding; got ${report.findings.map((f) => f.code).join(", ")}`);
      assert.equal(more.length, 0);
      assert.deepEqual(finding.subject, { kind: "ValidatingWebhookConfiguration", name: WEBHOOK_CONFIG });
      assert.equal(finding.severity, "error");
      const values = evidenceValues(finding);
      // clientConfig.service.port defaults to 443 (admissionregistration/v1).
      assert.ok(values.includes(`${WEBHOOK_NS}/blocker:443`), `the Service it calls (${JSON.stringify(values)})`);
      assert.ok(values.includes("Fail"), "its failurePolicy");
      assert.ok(values.includes(failedCreate!.message), "the FailedCreate event the API server's rejection caused");
      const direct = finding.impact.direct.map((r) => `${r.kind}/${r.namespace ?? ""}/${r.name}`);
      assert.ok(direct.includes(`ReplicaSet/${WEBHOOK_NS}/${failedCreate!.involvedObject.name}`), `impact: ${direct.join(", ")}`);
      assert.ok(direct.includes(`Deployment/${WEBHOOK_NS}/web`), `impact: ${direct.join(", ")}`);
    } finally {
      await restore();
      pending.delete("webhook");
    }
    // Restored: pods can be created again outside the webhook (the configuration is gone).
    assert.equal(kubectl(env, ["get", "validatingwebhookconfiguration", WEBHOOK_CONFIG, "--ignore-not-found", "-o", "name"]).trim(), "");
  });

  it(`(b) the scheduler stopped: its Lease (leader election, ${LEASE_SECONDS}s) goes stale and the pods created after are attributed to it`, async (t) => {
    // up.sh runs the scheduler without leader election (no Lease); run it with leader election first, then kill it.
    const original = await stopComponent(env, "kube-scheduler", "SIGTERM");
    const restore = async (): Promise<void> => {
      const pid = pidOf(env, "kube-scheduler");
      if (alive(pid)) {
        process.kill(pid, "SIGKILL");
        await waitFor("the test's scheduler to exit", () => !alive(pid), 30_000, 200);
      }
      startComponent(env, "kube-scheduler", original);
      // The scheduler of up.sh keeps no Lease: the stale one would be a false alarm for later scans.
      kubectl(env, ["delete", "lease", "-n", "kube-system", "kube-scheduler", "--ignore-not-found"]);
      kubectl(env, ["delete", "namespace", SCHED_NS, "--ignore-not-found", "--wait=false"]);
    };
    pending.set("scheduler", restore);
    try {
      const electing = original.map((a) => (a === "--leader-elect=false" ? "--leader-elect=true" : a));
      assert.ok(electing.includes("--leader-elect=true"), "up.sh's scheduler runs with --leader-elect=false");
      electing.push(`--leader-elect-lease-duration=${LEASE_SECONDS}s`, "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=1s");
      const pid = startComponent(env, "kube-scheduler", electing);
      let lease: { spec: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } } | undefined;
      await waitFor("the scheduler to hold its Lease", () => {
        lease = JSON.parse(kubectl(env, ["get", "lease", "-n", "kube-system", "kube-scheduler", "-o", "json"], { allowFailure: true }) || "null") ?? undefined;
        return Boolean(lease?.spec.holderIdentity);
      }, 60_000);
      // A crash: SIGKILL, so the Lease is not released.
      process.kill(pid, "SIGKILL");
      await waitFor("the scheduler to exit", () => !alive(pid), 30_000, 200);

      kubectl(env, ["create", "namespace", SCHED_NS]);
      kubectl(env, ["create", "deployment", "api", "-n", SCHED_NS, "--image=nginx:1.27", "--replicas=2"]);
      let pods: string[] = [];
      await waitFor("the ReplicaSet's pods to exist", () => {
        pods = kubectl(env, ["get", "pods", "-n", SCHED_NS, "-o", "name"]).trim().split("\n").filter(Boolean);
        return pods.length === 2;
      }, 60_000);
      lease = JSON.parse(kubectl(env, ["get", "lease", "-n", "kube-system", "kube-scheduler", "-o", "json"]));
      const renewed = Date.parse(lease!.spec.renewTime!);
      assert.equal(lease!.spec.leaseDurationSeconds, LEASE_SECONDS);
      // Stale once leaseDurationSeconds have passed since the last renewal (client-go leaderelection: a candidate
      // may take the lease over then). Wait one more second for clock granularity.
      await waitFor("the Lease to be older than its duration", () => Date.now() - renewed > (LEASE_SECONDS + 1) * 1000, 30_000, 200);
      await sleep(1000);
      for (const pod of pods) {
        const object = getJson<{ spec: { nodeName?: string }; status: { phase: string; conditions?: unknown[] } }>(env, [pod, "-n", SCHED_NS]);
        assert.equal(object.status.phase, "Pending");
        assert.equal(object.spec.nodeName, undefined, `${pod} is not bound: no scheduler`);
      }

      const report = await scanJson(env, []);
      const [finding] = findingsWithCode(report, "component-lease-stale/schedulerDown");
      assert.ok(finding, `a stale scheduler Lease finding; got ${report.findings.map((f) => f.code).join(", ")}`);
      assert.deepEqual(finding.subject, { kind: "Lease", namespace: "kube-system", name: "kube-scheduler" });
      assert.ok(evidenceValues(finding).includes(lease!.spec.renewTime), "the Lease's renewTime as Kubernetes wrote it");
      assert.ok(evidenceValues(finding).includes(LEASE_SECONDS));
      const direct = finding.impact.direct.map((r) => `pod/${r.name}`);
      for (const pod of pods) assert.ok(direct.includes(pod), `${pod} is attributed to the scheduler (impact: ${direct.join(", ")})`);
      // The Pending pods are not reported elsewhere as their own root cause.
      const elsewhere = report.findings.filter((f) => f !== finding && (f.subject.namespace === SCHED_NS || f.impact.direct.some((r) => r.namespace === SCHED_NS)));
      t.diagnostic(`other findings on ${SCHED_NS}: ${elsewhere.map((f) => f.code).join(", ") || "none"}; related: ${(finding.related ?? []).map((r) => r.code).join(", ") || "none"}`);
    } finally {
      await restore();
      pending.delete("scheduler");
    }
    await waitFor("the restarted scheduler to answer /healthz", () => kubectl(env, ["get", "--raw", "/readyz"], { allowFailure: true }).trim() === "ok", 60_000);
  });

  it("(a) etcd stopped: /readyz names the etcd checks and the scan names etcd as the root cause with the failing checks as evidence", async (t) => {
    const original = await stopComponent(env, "etcd", "SIGTERM");
    const restore = async (): Promise<void> => {
      if (!alive(pidOf(env, "etcd"))) startComponent(env, "etcd", original);
      await waitFor("the API server to be ready again", () => readyzOk(env), 120_000);
    };
    pending.set("etcd", restore);
    try {
      // Kubernetes' own verdict, through kubectl: the failing checks of /readyz?verbose.
      let failing: string[] = [];
      await waitFor("/readyz to report etcd", () => {
        // A 500's body comes on kubectl's stderr, with its newlines escaped.
        const r = spawnSync(env.kubectl, ["--kubeconfig", env.adminKubeconfig, "get", "--raw", "/readyz?verbose"], { encoding: "utf8", timeout: 30_000 });
        failing = [...`${r.stdout}${r.stderr}`.replace(/\\n/g, "\n").matchAll(/\[-\](\S+) failed/g)].map((m) => m[1]!);
        return failing.includes("etcd");
      }, 60_000);
      t.diagnostic(`readyz failing checks: ${failing.join(", ")}`);

      const started = Date.now();
      const result = await sleuth(env, ["scan", "-o", "json", "--fail-on", "none", "--request-timeout", "3s"]);
      t.diagnostic(`scan took ${Date.now() - started} ms, exit ${result.code}`);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as Report;
      assert.deepEqual(schemaErrors(report), []);
      const [finding] = findingsWithCode(report, "apiserver-unhealthy/etcdFailing");
      assert.ok(finding, `etcd named as root cause; got ${report.findings.map((f) => f.code).join(", ")}`);
      assert.equal(finding.severity, "critical");
      assert.deepEqual(finding.subject, { kind: "APIServer", name: "kube-apiserver" });
      const lines = finding.evidence.filter((e) => e.path === "/readyz?verbose").map((e) => String(e.value));
      for (const name of failing) assert.ok(lines.some((l) => l.startsWith(`[-]${name} failed`)), `readyz's failing check ${name} is evidence (${lines.join(" | ")})`);
      t.diagnostic(`coverage not ok: ${Object.entries(report.coverage).filter(([, c]) => c.status !== "ok").map(([k, c]) => `${k}=${c.status}`).join(", ")}`);
    } finally {
      await restore();
      pending.delete("etcd");
    }
    assert.ok(existsSync(pidFile(env, "etcd")) && alive(pidOf(env, "etcd")), "etcd runs again");
    // The API server's histograms now hold the requests that waited for etcd, and they are cumulative: restart it
    // (same command line) so the files that run after this one see a control plane without that past.
    const apiserver = await stopComponent(env, "kube-apiserver", "SIGTERM");
    startComponent(env, "kube-apiserver", apiserver);
    await waitFor("the restarted API server to be ready", () => readyzOk(env), 120_000);
    const restored = await scanJson(env, [], env.adminKubeconfig);
    assert.deepEqual(restored.findings.filter((f) => f.area === "control-plane").map((f) => f.code), [], "restored: no control-plane finding");
  });
});
