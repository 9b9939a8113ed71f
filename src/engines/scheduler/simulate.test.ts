// simulateScheduling + formatFitError against FailedScheduling messages kube-scheduler is known to write.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod } from "../../model/kube.js";
import { formatFitError, simulateScheduling } from "./simulate.js";

const node = (name: string, extra: Partial<Node> = {}): Node => ({
  kind: "Node",
  metadata: { name, labels: { "kubernetes.io/hostname": name } },
  status: { allocatable: { cpu: "2", memory: "4Gi", pods: "110" } },
  ...extra,
});
const pod = (name: string, cpu: string, nodeName?: string, phase?: string): Pod => ({
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: "c", resources: { requests: { cpu } } }] },
  ...(phase ? { status: { phase } } : {}),
});
const controlPlane = node("cp", { spec: { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } });

test("histogram of first failing filters, with the DRA and no-victims PostFilter messages (v1.36)", () => {
  const incoming = pod("web", "1500m");
  const pods = [pod("a", "1", "w1"), pod("b", "1", "w2"), pod("done", "2", "w1", "Succeeded")];
  const verdicts = simulateScheduling(incoming, [controlPlane, node("w1"), node("w2")], pods);
  assert.deepEqual(
    verdicts.map((v) => [v.node, v.failures.map((f) => f.plugin)]),
    [["cp", ["TaintToleration"]], ["w1", ["NodeResourcesFit"]], ["w2", ["NodeResourcesFit"]]],
  );
  assert.equal(
    formatFitError(incoming, verdicts, pods),
    // The shape of kube-scheduler v1.36.3's message on the test cluster (a pod requesting 100 cpu:
    // "0/5 nodes are available: 1 node(s) had untolerated taint(s), 4 Insufficient cpu. no new claims to
    // deallocate, preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling."):
    // one space, DynamicResources' PostFilter reason, ", ", preemption's message with its own period.
    "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. no new claims to deallocate, preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
  );
  // Stopping at each node's first failing filter (as kube-scheduler does) gives the same message.
  const quick = simulateScheduling(incoming, [controlPlane, node("w1"), node("w2")], pods, { firstFailureOnly: true });
  assert.deepEqual(quick.map((v) => v.failures.length), [1, 1, 1]);
  assert.equal(formatFitError(incoming, quick, pods), formatFitError(incoming, verdicts, pods));
  // v1.27-v1.33: FitError appends " %v." (SeparatorFormat) after preemption's own period.
  assert.equal(
    formatFitError(incoming, simulateScheduling(incoming, [controlPlane, node("w1"), node("w2")], pods, { version: "1.30" }), pods, { version: "1.30" }),
    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..",
  );
});

test("v1.23 wording: taint key/value in the reason, no preemption prefix", () => {
  const incoming = pod("web", "100m");
  const verdicts = simulateScheduling(incoming, [controlPlane], [], { version: "1.23" });
  assert.equal(
    formatFitError(incoming, verdicts, [], { version: "1.23" }),
    "0/1 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/control-plane: }, that the pod didn't tolerate.",
  );
});

test("a node that fits means no FitError", () => {
  const incoming = pod("web", "100m");
  assert.equal(formatFitError(incoming, simulateScheduling(incoming, [node("w1")], [])), undefined);
});
