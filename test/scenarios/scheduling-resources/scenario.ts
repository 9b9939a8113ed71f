import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { apply } from "../../e2e/harness.js";
import type { Scenario } from "../../e2e/scenario.js";
import { reached, schedulerMessage, schedulingGaps, type PendingExpectation } from "../scheduling-constraints/helpers.js";

const ns = "e2e-scheduling-resources";

const workloads: PendingExpectation[] = [
  { app: "analytics", pending: 1, bound: 0, reason: /\d+ Insufficient cpu/ },
  { app: "search-indexer", pending: 2, bound: 0, reason: /\d+ Insufficient memory/ },
];

export const scenario: Scenario = {
  name: "scheduling-resources",
  description: "the real scheduler finds no node with room for a 1500-core and a 4096Gi request: pod-unschedulable/insufficientResources per Deployment",
  namespaces: [ns],
  readyTimeoutSeconds: 180,
  expect: workloads.map((w) => ({ code: "pod-unschedulable/insufficientResources", subject: `Deployment/${ns}/${w.app}`, area: "scheduling" })),
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    return reached(schedulingGaps(env, ns, workloads));
  },
  async checkState(env) {
    // insufficientResources needs every node rejected for resources; another reason (a node added by some scenario
    // that rejects the pod otherwise) would make it constraintsUnsatisfied, so say which if it happens.
    for (const w of workloads) {
      const message = schedulerMessage(env, ns, w.app);
      assert.match(message, /^0\/(\d+) nodes are available: \1 Insufficient (cpu|memory)\.(\s|$)/, `${w.app}: the scheduler's message mixes in other reasons`);
    }
  },
};
