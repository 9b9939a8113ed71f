import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SourceError } from "../errors.js";
import type { Snapshot } from "../../model/snapshot.js";
import { loadLive, type LiveOptions } from "./load-live.js";
import { startFakeApiServer, writeKubeconfig, type FakeApiOptions, type FakeApiServer } from "./testing/fake-api-server.js";
import { sampleCluster } from "./testing/sample-cluster.js";

const TOKEN = "fake-bearer-token-7f3a9c";
const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };

interface Capture {
  snapshot: Snapshot;
  server: FakeApiServer;
  progress: string[];
  milliseconds: number;
}

async function capture(server: FakeApiOptions, live: Partial<LiveOptions> = {}): Promise<Capture> {
  const fake = await startFakeApiServer({ objects: sampleCluster(), token: TOKEN, ...server });
  const kubeconfig = writeKubeconfig({ server: fake.url, token: TOKEN, caPem: fake.caPem });
  const progress: string[] = [];
  const started = Date.now();
  try {
    const snapshot = await loadLive({
      kubeconfig: kubeconfig.path,
      kinds: ["Namespace", "Node", "Pod", "Service", "Event"],
      retry: FAST_RETRY,
      onProgress: (m) => progress.push(m),
      ...live,
    });
    return { snapshot, server: fake, progress, milliseconds: Date.now() - started };
  } finally {
    await fake.close();
    kubeconfig.cleanup();
  }
}

async function captureError(server: FakeApiOptions, live: Partial<LiveOptions> = {}): Promise<SourceError> {
  try {
    await capture(server, live);
  } catch (error) {
    assert.ok(error instanceof SourceError, `expected a SourceError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected loadLive to throw");
}

function names(snapshot: Snapshot, kind: string): string[] {
  return (snapshot.objects.get(kind) ?? []).map((o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name));
}

function serialized(snapshot: Snapshot): string {
  return JSON.stringify({ ...snapshot, objects: Object.fromEntries(snapshot.objects) });
}

describe("loadLive", () => {
  it("lists every needed kind page by page with limit and continue", async () => {
    const before = new Date().toISOString();
    const { snapshot, server } = await capture({}, { pageSize: 3 });
    const podRequests = server.requests.filter((r) => r.resource === "pods");
    assert.equal(podRequests.length, 3, "7 pods at limit=3 are 3 pages");
    assert.ok(podRequests.every((r) => r.query.limit === "3"));
    assert.deepEqual(podRequests.map((r) => Boolean(r.query.continue)), [false, true, true]);
    assert.deepEqual(names(snapshot, "Pod"), ["ops/agent-1", "ops/agent-2", "shop/db-0", "shop/db-1", "shop/web-1", "shop/web-2", "shop/web-3"]);
    assert.deepEqual(snapshot.coverage.Pod, { count: 7, status: "ok" });
    assert.deepEqual(snapshot.coverage.Event, { count: 1, status: "ok" });
    assert.equal(snapshot.serverVersion, "v1.31.2");
    assert.ok(snapshot.capturedAt! >= before && snapshot.capturedAt! <= new Date().toISOString());
    assert.deepEqual(snapshot.source, { kind: "live", locations: [server.url], formats: ["live"] });
    assert.ok(server.requests.every((r) => r.authorized), "every request carries the kubeconfig's token");
  });

  it("gives list items apiVersion and kind and drops managedFields, like kubectl get -o json", async () => {
    const { snapshot } = await capture({}, { kinds: ["Pod", "Ingress"] });
    const pod = snapshot.objects.get("Pod")![0]!;
    assert.equal(pod.apiVersion, "v1");
    assert.equal(pod.kind, "Pod");
    assert.deepEqual(Object.keys(pod).slice(0, 2), ["apiVersion", "kind"]);
    assert.equal("managedFields" in pod.metadata, false);
    assert.equal(typeof pod.metadata.creationTimestamp, "string", "timestamps stay strings");
  });

  it("marks a kind forbidden on a 403 and goes on", async () => {
    const { snapshot } = await capture({ faults: [{ resource: "events", respond: 403, message: 'events is forbidden: User "dev" cannot list resource "events"' }] });
    assert.equal(snapshot.coverage.Event!.status, "forbidden");
    assert.match(snapshot.coverage.Event!.note!, /cannot list resource "events"/);
    assert.equal(snapshot.coverage.Pod!.status, "ok");
    assert.equal(names(snapshot, "Pod").length, 7);
  });

  it("marks a kind absent when discovery does not serve its API, without listing it", async () => {
    const { snapshot, server } = await capture({ absentKinds: ["Ingress", "IngressClass"] }, { kinds: ["Ingress", "Pod"] });
    assert.equal(snapshot.coverage.Ingress!.status, "absent");
    assert.match(snapshot.coverage.Ingress!.note!, /networking\.k8s\.io/);
    assert.equal(server.requests.filter((r) => r.resource === "ingresses").length, 0);
  });

  it("marks a kind absent on a 404 list even when discovery claimed it", async () => {
    const { snapshot } = await capture({ faults: [{ resource: "ingresses", respond: 404 }] }, { kinds: ["Ingress", "Pod"] });
    assert.equal(snapshot.coverage.Ingress!.status, "absent");
    assert.equal(snapshot.coverage.Pod!.status, "ok");
  });

  it("finds a kind kubesleuth does not know (a CRD's) by discovery, and marks an unknown one absent", async () => {
    const certificate = { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "tls", namespace: "shop" }, spec: { secretName: "tls" } };
    const { snapshot } = await capture(
      { objects: [...sampleCluster(), certificate], extraResources: [{ group: "cert-manager.io", version: "v1", resource: "certificates", kind: "Certificate", namespaced: true }] },
      { kinds: ["Certificate", "VerticalPodAutoscaler"] },
    );
    assert.deepEqual(snapshot.objects.get("Certificate"), [certificate]);
    assert.equal(snapshot.coverage.VerticalPodAutoscaler!.status, "absent");
  });

  it("retries a 429 after the Retry-After delay", async () => {
    const { snapshot, server, milliseconds } = await capture({ faults: [{ resource: "pods", respond: 429, times: 1, retryAfterSeconds: 1 }] }, { kinds: ["Pod"] });
    assert.equal(snapshot.coverage.Pod!.status, "ok");
    assert.equal(server.requests.filter((r) => r.resource === "pods").length, 2);
    assert.ok(milliseconds >= 1000, `waited ${milliseconds} ms, Retry-After was 1 s`);
  });

  it("retries a 500 twice and then succeeds", async () => {
    const { snapshot, server } = await capture({ faults: [{ resource: "services", respond: 500, times: 2 }] });
    assert.equal(snapshot.coverage.Service!.status, "ok");
    assert.equal(server.requests.filter((r) => r.resource === "services").length, 3);
  });

  it("gives up after the bounded attempts and marks the kind partial", async () => {
    const { snapshot, server } = await capture({ faults: [{ resource: "services", respond: 503 }] }, { retry: { ...FAST_RETRY, attempts: 3 } });
    assert.equal(server.requests.filter((r) => r.resource === "services").length, 3);
    assert.equal(snapshot.coverage.Service!.status, "partial");
    assert.match(snapshot.coverage.Service!.note!, /HTTP 503 .*after 3 attempts/);
    assert.equal(snapshot.coverage.Pod!.status, "ok");
  });

  it("times out a hanging request, retries it once only, and goes on", async () => {
    const { snapshot, server, milliseconds } = await capture(
      { faults: [{ resource: "nodes", respond: "hang" }] },
      { timeoutMs: 300, retry: { ...FAST_RETRY, attempts: 4 } },
    );
    assert.equal(server.requests.filter((r) => r.resource === "nodes").length, 2);
    assert.equal(snapshot.coverage.Node!.status, "partial");
    assert.match(snapshot.coverage.Node!.note!, /no answer within 300 ms/);
    assert.equal(snapshot.coverage.Pod!.status, "ok");
    assert.ok(milliseconds < 5000, `took ${milliseconds} ms`);
  });

  it("stops asking a hung server: after a list times out and /version does not answer either, the other kinds are partial at once", async () => {
    const { snapshot, server, milliseconds } = await capture(
      { faults: [{ resource: "nodes", respond: "hang" }, { resource: "/version", respond: "hang", skip: 1 }] },
      { kinds: ["ConfigMap", "Node", "Pod", "Service"], concurrency: 1, timeoutMs: 300, retry: { ...FAST_RETRY, attempts: 4 } },
    );
    assert.equal(snapshot.coverage.ConfigMap!.status, "ok", "read before the server hung");
    assert.equal(snapshot.coverage.Node!.status, "partial");
    assert.equal(snapshot.coverage.Pod!.status, "partial");
    assert.match(snapshot.coverage.Pod!.note!, /stopped answering/);
    assert.equal(snapshot.coverage.Service!.status, "partial");
    assert.equal(server.requests.filter((r) => r.resource === "pods" || r.resource === "services").length, 0, "no request for the remaining kinds");
    assert.ok(milliseconds < 5000, `took ${milliseconds} ms`);
  });

  it("restarts a list once when its continue token expired (410)", async () => {
    const { snapshot, server } = await capture({ faults: [{ resource: "pods", respond: 410, onContinue: true, times: 1 }] }, { kinds: ["Pod"], pageSize: 3 });
    assert.deepEqual(snapshot.coverage.Pod, { count: 7, status: "ok" });
    assert.deepEqual(server.requests.filter((r) => r.resource === "pods").map((r) => Boolean(r.query.continue)), [false, true, false, true, true]);
  });

  it("marks the list partial when the continue token expires again after the restart", async () => {
    const { snapshot } = await capture({ faults: [{ resource: "pods", respond: 410, onContinue: true, times: 2 }] }, { kinds: ["Pod"], pageSize: 3 });
    assert.equal(snapshot.coverage.Pod!.status, "partial");
    assert.equal(snapshot.coverage.Pod!.count, 3);
    assert.match(snapshot.coverage.Pod!.note!, /expired twice/);
  });

  it("lists namespaced kinds in the namespace only, cluster-scoped kinds whole, and applies -l to Pods only", async () => {
    const { snapshot, server } = await capture({}, { namespace: "shop", labelSelector: "app=web" });
    assert.deepEqual(names(snapshot, "Pod"), ["shop/web-1", "shop/web-2", "shop/web-3"]);
    assert.deepEqual(names(snapshot, "Node"), ["node-a"]);
    assert.deepEqual(names(snapshot, "Namespace"), ["ops", "shop"]);
    const paths = server.requests.filter((r) => !r.path.startsWith("/apis") && r.path !== "/version" && r.path !== "/api/v1");
    for (const r of paths) {
      if (["pods", "services", "events"].includes(r.resource)) assert.match(r.path, /^\/api\/v1\/namespaces\/shop\//);
      assert.equal(r.query.labelSelector, r.resource === "pods" ? "app=web" : undefined, r.path);
    }
    assert.deepEqual(snapshot.coverage.Pod, { count: 3, status: "partial", note: "only pods matching -l app=web" });
  });

  it("reads log tails of unhealthy pods only, byte-capped, with the previous container of a restarted one", async () => {
    const { snapshot, server } = await capture(
      {
        logs: {
          "shop/web-2/app": Array.from({ length: 150 }, (_, i) => `line ${i}`).join("\n") + "\n",
          "shop/web-2/app/previous": "panic: boom\n",
          "shop/db-0/app": "x".repeat(5000),
          "ops/agent-2/app": "probe failing\n",
        },
      },
      { logs: true, kinds: ["Service"], logLimitBytes: 1024 },
    );
    const logRequests = server.requests.filter((r) => r.resource === "pods/log");
    assert.deepEqual(logRequests.map((r) => `${r.path.split("/")[4]}/${r.path.split("/")[6]}${r.query.previous ? " previous" : ""}`).sort(), [
      "ops/agent-2",
      "shop/db-0",
      "shop/web-2",
      "shop/web-2 previous",
    ]);
    assert.ok(logRequests.every((r) => r.query.tailLines === "100" && r.query.limitBytes === "1024" && r.query.container === "app"));
    assert.ok(snapshot.objects.get("Pod"), "logs imply listing Pods");
    const web2 = snapshot.logs.find((l) => l.pod === "web-2" && !l.previous)!;
    assert.equal(web2.text.split("\n").length - 1, 100);
    assert.equal(web2.truncated, true);
    const db0 = snapshot.logs.find((l) => l.pod === "db-0")!;
    assert.equal(db0.text.length, 1024);
    assert.equal(db0.truncated, true);
    assert.deepEqual(snapshot.logs.find((l) => l.previous), { namespace: "shop", pod: "web-2", container: "app", previous: true, text: "panic: boom\n", origin: "live" });
  });

  it("caps the number of pods whose logs are read and says so", async () => {
    const { snapshot, server } = await capture({ logs: { "ops/agent-2/app": "x\n" } }, { logs: true, kinds: [], maxLogPods: 1 });
    assert.deepEqual(server.requests.filter((r) => r.resource === "pods/log").map((r) => r.path), ["/api/v1/namespaces/ops/pods/agent-2/log"]);
    assert.ok(snapshot.skipped.some((s) => s.location === "pod logs" && /3 unhealthy pods; logs read for the first 1/.test(s.reason)));
  });

  it("stops reading logs after a 403 and records it once", async () => {
    const { snapshot, server } = await capture({ faults: [{ resource: "pods/log", respond: 403 }] }, { logs: true, kinds: [], concurrency: 1 });
    assert.equal(server.requests.filter((r) => r.resource === "pods/log").length, 1);
    assert.deepEqual(snapshot.logs, []);
    assert.equal(snapshot.skipped.filter((s) => s.location === "pod logs").length, 1);
  });

  it("throws a one-line SourceError naming the endpoint when the server is unreachable", async () => {
    const fake = await startFakeApiServer({ token: TOKEN });
    const url = fake.url;
    await fake.close();
    const kubeconfig = writeKubeconfig({ server: url, token: TOKEN, caPem: fake.caPem });
    try {
      await assert.rejects(
        loadLive({ kubeconfig: kubeconfig.path, kinds: ["Pod"], retry: FAST_RETRY }),
        (error: unknown) => {
          assert.ok(error instanceof SourceError);
          assert.equal(error.location, url);
          assert.match(error.message, new RegExp(`^${url.replace(/[.]/g, "\\.")}: cannot reach the API server: .*ECONNREFUSED`));
          assert.doesNotMatch(error.message, /\n/);
          assert.ok(!error.message.includes(TOKEN));
          return true;
        },
      );
    } finally {
      kubeconfig.cleanup();
    }
  });

  it("throws a SourceError naming the endpoint for a host that does not resolve", async () => {
    const kubeconfig = writeKubeconfig({ server: "https://kubesleuth-no-such-host.invalid:6443", token: TOKEN });
    try {
      await assert.rejects(loadLive({ kubeconfig: kubeconfig.path, kinds: ["Pod"], retry: FAST_RETRY, timeoutMs: 5000 }), (error: unknown) => {
        assert.ok(error instanceof SourceError);
        assert.match(error.message, /^https:\/\/kubesleuth-no-such-host\.invalid:6443: cannot reach the API server: /);
        return true;
      });
    } finally {
      kubeconfig.cleanup();
    }
  });

  it("returns a partial snapshot when the server goes away after some lists were read", async () => {
    const { snapshot } = await capture({ faults: [{ resource: "pods", respond: "shutdown" }] }, { concurrency: 1, kinds: ["Namespace", "Node", "Pod", "Service"] });
    assert.equal(snapshot.coverage.Namespace!.status, "ok");
    assert.equal(snapshot.coverage.Node!.status, "ok");
    assert.equal(snapshot.coverage.Pod!.status, "partial");
    assert.equal(snapshot.coverage.Service!.status, "partial");
    assert.match(snapshot.coverage.Service!.note!, /not read: the API server became unreachable/);
    assert.ok(snapshot.skipped.some((s) => /became unreachable/.test(s.reason)));
  });

  it("throws a SourceError when no list could be read before the server went away", async () => {
    const error = await captureError({ faults: [{ resource: "namespaces", respond: "shutdown" }] }, { concurrency: 1, kinds: ["Namespace", "Pod"] });
    assert.match(error.message, /cannot reach the API server/);
  });

  it("throws a SourceError when the credentials are rejected, without the token", async () => {
    const fake = await startFakeApiServer({ token: "the-right-token" });
    const kubeconfig = writeKubeconfig({ server: fake.url, token: TOKEN, caPem: fake.caPem });
    try {
      await assert.rejects(loadLive({ kubeconfig: kubeconfig.path, kinds: ["Pod"], retry: FAST_RETRY }), (error: unknown) => {
        assert.ok(error instanceof SourceError);
        assert.match(error.message, /rejected the credentials of context fake \(HTTP 401/);
        assert.ok(!error.message.includes(TOKEN) && !error.message.includes("the-right-token"));
        return true;
      });
    } finally {
      await fake.close();
      kubeconfig.cleanup();
    }
  });

  it("throws a SourceError on a certificate the kubeconfig does not trust", async (t) => {
    const fake = await startFakeApiServer({ token: TOKEN });
    if (!fake.caPem) {
      await fake.close();
      return t.skip("openssl not available: the fake serves http");
    }
    const kubeconfig = writeKubeconfig({ server: fake.url, token: TOKEN, systemTrust: true });
    try {
      await assert.rejects(loadLive({ kubeconfig: kubeconfig.path, kinds: ["Pod"], retry: FAST_RETRY }), (error: unknown) => {
        assert.ok(error instanceof SourceError);
        assert.match(error.message, /TLS: .*certificate.*\(check certificate-authority of context fake\)$/);
        return true;
      });
      assert.equal(fake.requests.length, 0);
    } finally {
      await fake.close();
      kubeconfig.cleanup();
    }
  });

  it("throws a one-line SourceError for a context the kubeconfig does not have", async () => {
    const fake = await startFakeApiServer({ token: TOKEN });
    const kubeconfig = writeKubeconfig({ server: fake.url, token: TOKEN, caPem: fake.caPem });
    try {
      await assert.rejects(loadLive({ kubeconfig: kubeconfig.path, context: "foo", kinds: ["Pod"] }), (error: unknown) => {
        assert.ok(error instanceof SourceError);
        assert.equal(error.message, `kubeconfig ${kubeconfig.path}: context "foo" not found`);
        return true;
      });
      assert.equal(fake.requests.length, 0);
    } finally {
      await fake.close();
      kubeconfig.cleanup();
    }
  });

  it("never puts the bearer token in the snapshot or the progress messages", async () => {
    const { snapshot, progress } = await capture({ faults: [{ resource: "events", respond: 403 }, { resource: "services", respond: 500 }] }, { logs: true });
    assert.ok(!serialized(snapshot).includes(TOKEN));
    assert.ok(!progress.join("\n").includes(TOKEN));
  });
});
