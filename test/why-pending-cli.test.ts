// why-pending and fit end to end on test/fixtures/scheduling (no events in the snapshot). Every
// expectation is worked out by hand from kube-scheduler semantics (default profile filters, the
// v1.36 FitError wording documented in src/engines/scheduler/README.md), not copied from output.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./cli-harness.js";

const CLUSTER = "test/fixtures/scheduling/cluster.yaml";
const wp = (...args: string[]) => runCli(["why-pending", ...args, "--snapshot", CLUSTER]);
const json = (stdout: string) => JSON.parse(stdout) as {
  pod: string;
  scheduled: string | null;
  fits: boolean;
  fitsOn: string[];
  message: string | null;
  nodes: { node: string; fits: boolean; failures: { plugin: string; reason: string }[] }[];
  fixes: { description: string; patch?: unknown; command?: string; target?: string; verified: boolean; nodes: string[] }[];
};
const firstFailures = (r: ReturnType<typeof json>) => Object.fromEntries(r.nodes.map((n) => [n.node, n.failures.map((f) => f.plugin)]));

describe("why-pending", () => {
  it("the fixture holds no events: the verdict comes from the simulation alone", async () => {
    const { readFileSync } = await import("node:fs");
    assert.ok(!/kind:\s*Event/.test(readFileSync(CLUSTER, "utf8")));
  });

  it("nodeSelector + untolerated taint: per-node failures, the v1.36 message, a toleration fix and a label fix", async () => {
    const r = await wp("shop/pod/needs-gpu", "-o", "json");
    assert.equal(r.code, 1, r.stderr);
    const out = json(r.stdout);
    assert.equal(out.pod, "shop/needs-gpu");
    assert.equal(out.fits, false);
    // Every filter runs on every node; the first failure is the one kube-scheduler reports.
    // cordoned-1: NodeUnschedulable, then the unschedulable taint, then no pool=gpu label.
    // small-1: no label, and 1 cpu > 500m free; small-2: no label only (1 cpu free).
    assert.deepEqual(firstFailures(out), {
      "cordoned-1": ["NodeUnschedulable", "TaintToleration", "NodeAffinity"],
      "gpu-1": ["TaintToleration"],
      "small-1": ["NodeAffinity", "NodeResourcesFit"],
      "small-2": ["NodeAffinity"],
    });
    const gpu = out.nodes.find((n) => n.node === "gpu-1")!;
    assert.deepEqual(gpu.failures.map((f) => f.reason), ["node(s) had untolerated taint(s)"]);
    // Histogram of first reasons, byte-sorted; all three are UnschedulableAndUnresolvable, so
    // DefaultPreemption says "Preemption is not helpful" for all 4. v1.36 (as the real scheduler writes it,
    // test/e2e/scheduler-messages.e2e.ts): DRA's "no new claims to deallocate", then preemption's own sentence.
    assert.equal(
      out.message,
      "0/4 nodes are available: 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. " +
        "no new claims to deallocate, preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    );
    // Fixes: tolerate dedicated=gpu (gpu-1 then passes all filters: pool=gpu, 8 cpu free);
    // label small-2 pool=gpu (1 cpu free fits 1 cpu). Not offered because they do not verify:
    // labelling small-1 (only 500m free), uncordoning cordoned-1 (still lacks pool=gpu).
    assert.deepEqual(out.fixes.map((f) => [f.description.split(" ").slice(0, 4).join(" "), f.nodes, f.verified]), [
      ["add a toleration for", ["gpu-1"], true],
      ["label node small-2 with", ["small-2"], true],
    ]);
    assert.deepEqual(out.fixes[0]!.patch, { spec: { tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }] } });
    assert.equal(out.fixes[1]!.command, "kubectl label node small-2 pool=gpu");
    assert.ok(!out.fixes.some((f) => /small-1|uncordon/.test(f.description)));
  });

  it("a workload ref takes its first Pending pod: insufficient cpu, reduce-request and uncordon fixes on the Deployment", async () => {
    const r = await wp("deploy/big", "-n", "shop", "-o", "json");
    assert.equal(r.code, 1, r.stderr);
    const out = json(r.stdout);
    assert.equal(out.pod, "shop/big-5d8f-x7k2q");
    // 1500m cpu: small-1 has 500m free, small-2 1 cpu (the Succeeded pod there does not count).
    // The request is below the nodes' 2-cpu allocatable, so NodeResourcesFit is resolvable and,
    // with no lower-priority pod on them, preemption finds no victims on those two.
    assert.equal(
      out.message,
      "0/4 nodes are available: 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable, 2 Insufficient cpu. " +
        "no new claims to deallocate, preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
    const byKind = new Map(out.fixes.map((f) => [f.description.split(" ")[0], f]));
    // The roomiest small node is small-2 (1 cpu free): 1500m -> 1 fits there and only there.
    const reduce = byKind.get("reduce")!;
    assert.deepEqual(reduce.nodes, ["small-2"]);
    assert.equal(reduce.target, "shop/deployment/big");
    assert.deepEqual(reduce.patch, { spec: { template: { spec: { containers: [{ name: "app", resources: { requests: { cpu: "1" } } }] } } } });
    // Uncordoning cordoned-1 (4 cpu, empty; the controller drops its unschedulable taint) fits it.
    assert.equal(byKind.get("uncordon")!.command, "kubectl uncordon cordoned-1");
    assert.deepEqual(byKind.get("uncordon")!.nodes, ["cordoned-1"]);
    assert.deepEqual(byKind.get("add")!.nodes, ["gpu-1"]);
    assert.ok(out.fixes.every((f) => f.verified));
  });

  it("text output: the table, the message and the fixes with commands", async () => {
    const r = await wp("deploy/big", "-n", "shop");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /NODE\s+FITS\s+FAILING FILTERS/);
    assert.match(r.stdout, /gpu-1\s+no\s+TaintToleration: node\(s\) had untolerated taint\(s\) \(untolerated: dedicated=gpu:NoSchedule\)/);
    assert.match(r.stdout, /0\/4 nodes are available: /);
    assert.match(r.stdout, /kubectl patch deployment big -n shop --type strategic -p /);
    assert.match(r.stdout, /kubectl uncordon cordoned-1/);
  });

  it("a Pending pod that fits exits 0 and names the nodes; an already scheduled pod exits 0 and says so", async () => {
    const fits = await wp("shop/small-job", "-o", "json");
    assert.equal(fits.code, 0, fits.stderr);
    const out = json(fits.stdout);
    assert.equal(out.message, null);
    assert.deepEqual(out.fitsOn, ["small-1", "small-2"]);
    assert.deepEqual(out.fixes, []);
    const scheduled = await wp("shop/pod/web-0");
    assert.equal(scheduled.code, 0);
    assert.match(scheduled.stdout, /already scheduled on node small-1/);
    assert.equal(json((await wp("shop/pod/web-0", "-o", "json")).stdout).scheduled, "small-1");
  });

  it("bad refs exit 2: malformed, unknown kind, not found, a non-pod kind", async () => {
    for (const ref of ["a/b/c/d", "shop/widget/x", "shop/pod/nope", "svc/web"]) {
      const r = await wp(ref);
      assert.equal(r.code, 2, `${ref}: ${r.stdout}`);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^kubesleuth: /);
    }
    assert.equal((await runCli(["why-pending", "x", "--snapshot", "/nonexistent/snap"])).code, 2);
  });
});

describe("fit", () => {
  it("a Deployment manifest that fits: exit 0, the small nodes", async () => {
    const r = await runCli(["fit", "test/fixtures/scheduling/deploy-api.yaml", "--snapshot", CLUSTER, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = json(r.stdout);
    assert.equal(out.pod, "shop/deployment/api");
    // 400m fits in 500m (small-1) and 1 cpu (small-2); gpu-1 tainted, cordoned-1 cordoned.
    assert.deepEqual(out.fitsOn, ["small-1", "small-2"]);
    assert.equal(out.message, null);
  });

  it("a Deployment manifest that does not fit: exit 1, the message, fixes against the Deployment", async () => {
    const r = await runCli(["fit", "test/fixtures/scheduling/deploy-trainer.yaml", "--snapshot", CLUSTER, "-o", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const out = json(r.stdout);
    // 3 cpu exceeds the small nodes' whole allocatable (2): since v1.31 that is
    // UnschedulableAndUnresolvable, so preemption is "not helpful" on all four nodes.
    assert.equal(
      out.message,
      "0/4 nodes are available: 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable, 2 Insufficient cpu. " +
        "no new claims to deallocate, preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    );
    assert.ok(out.fixes.some((f) => f.target === "ml/deployment/trainer" && f.nodes.includes("gpu-1")));
  });

  it("a missing manifest or one without a pod exits 2", async () => {
    assert.equal((await runCli(["fit", "/nonexistent/x.yaml", "--snapshot", CLUSTER])).code, 2);
    const r = await runCli(["fit", CLUSTER.replace("cluster.yaml", "no-pod.yaml"), "--snapshot", CLUSTER]);
    assert.equal(r.code, 2);
  });
});
