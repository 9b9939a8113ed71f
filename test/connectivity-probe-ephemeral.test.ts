// `diagnose connectivity --probe --allow-ephemeral`: when the exec probe finds no tool (or no shell),
// an ephemeral container is added (the only write), and only then; a refusal is "not permitted";
// KWOK pods are never patched. The exec session is a fake connector, the API server the fake one;
// the exec results are what the runtime reports (a distroless image: `exec: "sh": executable file
// not found in $PATH`, a Failure Status without an ExitCode cause).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Writable } from "node:stream";
import type { KubeConfig, V1Status } from "@kubernetes/client-node";
import { needsEphemeral, planProbe, runConnectivityProbe } from "../src/cli/commands/diagnose-connectivity.js";
import { diagnoseConnectivity } from "../src/engines/connectivity/index.js";
import { buildIndex } from "../src/indexes/build-index.js";
import type { KubeObject } from "../src/model/kube.js";
import type { ExecConnector } from "../src/sources/live/probe.js";
import { withFakeKubeConfig, type FakeApiOptions, type FakeApiServer } from "../src/sources/live/testing/fake-api-server.js";
import { snapshotFromYaml } from "../src/testing/load-fixture.js";
import { runCli } from "./cli-harness.js";

const request = { namespace: "web", pod: "storefront-1", container: "app", host: "orders.shop.svc", port: 80 };
const podRef = { kind: "Pod", namespace: "web", name: "storefront-1" };
const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "storefront-1", namespace: "web" }, spec: { containers: [{ name: "app", image: "app:1" }] }, status: { phase: "Running" } } as KubeObject;
const NAME = "kubesleuth-probe-abcde";

function exec(stdout: string, status: V1Status): ExecConnector {
  return {
    exec: async (_ns, _pod, _container, _command, out: Writable | null, _err, _in, _tty, done?: (s: V1Status) => void) => {
      out?.write(Buffer.from(stdout));
      setImmediate(() => done?.(status));
      return { close() {} } as never;
    },
  };
}
const NO_TOOL = exec("kubesleuth-probe tool=none rc=127\n", { status: "Success" });
const DISTROLESS = exec("", { status: "Failure", message: 'exec: "sh": executable file not found in $PATH: unknown', reason: "InternalError" });

function withServer(options: FakeApiOptions, body: (server: FakeApiServer, kc: KubeConfig) => Promise<void>): Promise<void> {
  return withFakeKubeConfig({ objects: [pod], ...options }, body);
}

const connects = { ephemeral: { terminateAfterGets: 0 }, logs: { [`web/storefront-1/${NAME}`]: "kubesleuth-probe tool=nc rc=0\n" } } satisfies FakeApiOptions;
const fast = { name: NAME, pollMs: 10, waitMs: 2_000 };

describe("diagnose connectivity --probe --allow-ephemeral", () => {
  it("without --allow-ephemeral a missing tool stays unknown and nothing is written", async () => {
    await withServer(connects, async (server, kc) => {
      const result = await runConnectivityProbe(kc, request, podRef, { allowEphemeral: false, exec: NO_TOOL, ...fast });
      assert.equal(result.status, "unknown");
      assert.match(result.summary, /no nc, curl or wget in container app \(--allow-ephemeral would add/);
      assert.equal(server.requests.length, 0);
    });
  });

  it("with it, no tool -> an ephemeral container probes; the result says it was the only write and cannot be removed", async () => {
    await withServer(connects, async (server, kc) => {
      const result = await runConnectivityProbe(kc, request, podRef, { allowEphemeral: true, exec: NO_TOOL, probeImage: "busybox:1.36", ...fast });
      assert.equal(result.status, "passed");
      assert.match(result.summary, /^connected from pod storefront-1 via ephemeral container kubesleuth-probe-abcde \(image busybox:1\.36, targeting app\) to orders\.shop\.svc:80: nc connected/);
      assert.match(result.summary, /only write: added ephemeral container kubesleuth-probe-abcde to pod storefront-1 \(ephemeral containers cannot be removed/);
      assert.match(result.command!, /^kubectl debug -n web storefront-1 --image=busybox:1\.36 --target=app -c kubesleuth-probe-abcde/);
      assert.equal(server.requests.filter((r) => r.method === "PATCH").length, 1);
    });
  });

  it("a distroless image (no sh) also goes to the ephemeral container; a refused connection fails the hop", async () => {
    const refused = { ...connects, logs: { [`web/storefront-1/${NAME}`]: "nc: orders.shop.svc (10.96.0.20:80): Connection refused\nkubesleuth-probe tool=nc rc=1\n" } };
    await withServer(refused, async (server, kc) => {
      const result = await runConnectivityProbe(kc, request, podRef, { allowEphemeral: true, exec: DISTROLESS, ...fast });
      assert.equal(result.status, "failed");
      assert.match(result.summary, /Connection refused/);
      assert.equal(server.requests.filter((r) => r.method === "PATCH").length, 1);
    });
  });

  it("an exec that is forbidden is not a missing tool: no ephemeral container", async () => {
    const forbidden = exec("", { status: "Failure", message: 'pods "storefront-1" is forbidden: User "viewer" cannot create resource "pods/exec"', reason: "Forbidden" });
    await withServer(connects, async (server, kc) => {
      const result = await runConnectivityProbe(kc, request, podRef, { allowEphemeral: true, exec: forbidden, ...fast });
      assert.equal(result.status, "unknown");
      assert.match(result.summary, /forbidden/);
      assert.equal(server.requests.length, 0);
    });
    assert.equal(needsEphemeral({ verdict: "error", command: "", output: "", detail: 'exec failed: exec: "sh": executable file not found in $PATH' }), true);
    assert.equal(needsEphemeral({ verdict: "failed", command: "", output: "", detail: "nc could not connect" }), false);
  });

  it("403 on pods/ephemeralcontainers: unknown, not permitted, and no claim that anything was written", async () => {
    await withServer({ faults: [{ resource: "pods/ephemeralcontainers", respond: 403 }] }, async (_server, kc) => {
      const result = await runConnectivityProbe(kc, request, podRef, { allowEphemeral: true, exec: NO_TOOL, ...fast });
      assert.equal(result.status, "unknown");
      assert.equal(result.summary, "probe not possible: not permitted (needs patch on pods/ephemeralcontainers)");
      assert.equal(result.need, "patch permission on pods/ephemeralcontainers");
    });
  });

  it("a pod on a KWOK node: unknown with the reason, planned without any request (nothing patched)", () => {
    const yaml = `
apiVersion: v1
kind: Node
metadata: { name: kwok-node-0, annotations: { kwok.x-k8s.io/node: fake } }
---
apiVersion: v1
kind: Pod
metadata: { name: storefront-1, namespace: web, labels: { app: storefront } }
spec: { nodeName: kwok-node-0, containers: [{ name: app, image: app:1 }] }
status: { phase: Running, podIP: 10.244.0.5 }
---
apiVersion: v1
kind: Service
metadata: { name: orders, namespace: shop }
spec: { clusterIP: 10.96.0.20, selector: { app: orders }, ports: [{ port: 80, targetPort: 8080 }] }
`;
    const index = buildIndex(snapshotFromYaml(yaml));
    const target = { type: "dns" as const, name: "orders.shop.svc" };
    const d = diagnoseConnectivity(index, { type: "object", ref: podRef }, target, {});
    const plan = planProbe(index, d, target, true);
    assert.ok("result" in plan, "no probe request is planned");
    assert.equal(plan.result.status, "unknown");
    assert.match(plan.result.summary, /KWOK node kwok-node-0 \(simulated, no container runtime: neither exec nor an ephemeral container can run; nothing was written\)/);
  });

  it("--help says it is the only write and cannot be undone; --probe-image needs --allow-ephemeral", async () => {
    const help = await runCli(["diagnose", "connectivity", "--help"]);
    assert.match(help.stdout, /THIS IS THE ONLY WRITE KUBESLEUTH PERFORMS, and only\s+with both flags/);
    assert.match(help.stdout, /Ephemeral containers cannot be removed/);
    assert.match(help.stdout, /--probe-image <image>/);
    const bad = await runCli(["diagnose", "connectivity", "shop/deploy/web", "api.shop", "--probe", "--probe-image", "busybox:1.36", "--snapshot", "test/fixtures/reach/cluster.yaml"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--probe-image needs --allow-ephemeral/);
  });
});
