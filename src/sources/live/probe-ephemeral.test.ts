// The ephemeral-container probe against the fake API server. Expected request shape from kubectl
// debug (staging/src/k8s.io/kubectl/pkg/cmd/debug: the ephemeral container with name, image,
// imagePullPolicy IfNotPresent and targetContainerName, sent as a strategic-merge patch of
// spec.ephemeralContainers to the pods/<name>/ephemeralcontainers subresource); the state to wait for
// from the Pod API (status.ephemeralContainerStatuses[].state.terminated); the log from pods/log with
// container=<name>; verdicts from the probe script's result line (nc -z exit 0 = connected).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KubeConfig } from "@kubernetes/client-node";
import type { KubeObject } from "../../model/kube.js";
import { probeCommand } from "./probe.js";
import { DEFAULT_PROBE_IMAGE, runEphemeralProbe } from "./probe-ephemeral.js";
import { withFakeKubeConfig, type FakeApiOptions, type FakeApiServer } from "./testing/fake-api-server.js";

const request = { namespace: "web", pod: "storefront-1", container: "app", host: "orders.shop.svc", port: 80 };
const pod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "storefront-1", namespace: "web" },
  spec: { containers: [{ name: "app", image: "gcr.io/distroless/static" }] },
  status: { phase: "Running" },
} as KubeObject;
const NAME = "kubesleuth-probe-test1";

function withServer(options: FakeApiOptions, body: (server: FakeApiServer, kc: KubeConfig) => Promise<void>): Promise<void> {
  return withFakeKubeConfig({ objects: [pod], ...options }, body);
}

const fast = { name: NAME, pollMs: 10, waitMs: 2_000 };

describe("ephemeral probe", () => {
  it("PATCHes pods/<pod>/ephemeralcontainers with the kubectl debug shape, waits for termination, reads the container's log", async () => {
    await withServer({ ephemeral: { terminateAfterGets: 2 }, logs: { [`web/storefront-1/${NAME}`]: "kubesleuth-probe tool=nc rc=0\n" } }, async (server, kc) => {
      const outcome = await runEphemeralProbe(kc, request, fast);
      assert.equal(outcome.verdict, "connected");
      assert.equal(outcome.tool, "nc");
      assert.equal(outcome.added, true);
      const patch = server.requests.filter((r) => r.method === "PATCH");
      assert.equal(patch.length, 1);
      assert.equal(patch[0]!.path, "/api/v1/namespaces/web/pods/storefront-1/ephemeralcontainers");
      assert.equal(patch[0]!.contentType, "application/strategic-merge-patch+json");
      assert.deepEqual(JSON.parse(patch[0]!.body!), {
        spec: {
          ephemeralContainers: [
            { name: NAME, image: DEFAULT_PROBE_IMAGE, imagePullPolicy: "IfNotPresent", command: probeCommand(request), targetContainerName: "app", terminationMessagePolicy: "File" },
          ],
        },
      });
      // The fake reports "waiting" for the first 2 GETs, "terminated" on the third: exactly 3 reads.
      assert.equal(server.requests.filter((r) => r.method === "GET" && r.resource === "pods").length, 3);
      const logs = server.requests.filter((r) => r.resource === "pods/log");
      assert.deepEqual(logs.map((r) => r.query.container), [NAME]);
      // The order: the write first, then the reads.
      assert.equal(server.requests.findIndex((r) => r.method === "PATCH"), 0);
      assert.match(outcome.command, /^kubectl debug -n web storefront-1 --image=busybox:1\.36 --target=app -c kubesleuth-probe-test1 -- /);
    });
  });

  it("uses the --probe-image and classifies a refused connection as failed", async () => {
    const log = "nc: orders.shop.svc (10.96.0.20:80): Connection refused\nkubesleuth-probe tool=nc rc=1\n";
    await withServer({ ephemeral: { terminateAfterGets: 0 }, logs: { [`web/storefront-1/${NAME}`]: log } }, async (server, kc) => {
      const outcome = await runEphemeralProbe(kc, request, { ...fast, image: "registry.local/tools/netshoot:1" });
      assert.equal(outcome.verdict, "failed");
      assert.match(outcome.detail, /Connection refused/);
      assert.equal((JSON.parse(server.requests.find((r) => r.method === "PATCH")!.body!) as { spec: { ephemeralContainers: Array<{ image: string }> } }).spec.ephemeralContainers[0]!.image, "registry.local/tools/netshoot:1");
    });
  });

  it("a container that exits non-zero without a result line is an error, not a verdict", async () => {
    await withServer({ ephemeral: { terminateAfterGets: 0, exitCode: 127 }, logs: { [`web/storefront-1/${NAME}`]: "sh: can't open 'x'\n" } }, async (_server, kc) => {
      const outcome = await runEphemeralProbe(kc, request, fast);
      assert.equal(outcome.verdict, "error");
      assert.match(outcome.detail, /exited with 127/);
    });
  });

  it("stops waiting at the bound and says what state the container is in", async () => {
    await withServer({ ephemeral: { terminateAfterGets: "never", waitingReason: "ErrImagePull" } }, async (server, kc) => {
      const outcome = await runEphemeralProbe(kc, request, { name: NAME, pollMs: 10, waitMs: 100 });
      assert.equal(outcome.verdict, "error");
      assert.match(outcome.detail, /did not finish within 0.1 s \(it is waiting \(ErrImagePull\)\)/);
      assert.equal(outcome.added, true, "the container was added before the wait");
      assert.equal(server.requests.filter((r) => r.resource === "pods/log").length, 0);
    });
  });

  it("a 403 on the subresource: not permitted, nothing added, nothing more asked", async () => {
    const message = 'pods "storefront-1" is forbidden: User "viewer" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "web"';
    await withServer({ faults: [{ resource: "pods/ephemeralcontainers", respond: 403, message }] }, async (server, kc) => {
      const outcome = await runEphemeralProbe(kc, request, fast);
      assert.equal(outcome.verdict, "error");
      assert.equal(outcome.detail, "not permitted (needs patch on pods/ephemeralcontainers)");
      assert.equal(outcome.output, message);
      assert.equal(outcome.added, false);
      assert.deepEqual(server.requests.map((r) => r.resource), ["pods/ephemeralcontainers"]);
    });
  });
});
