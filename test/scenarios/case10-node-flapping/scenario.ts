// A node that keeps dropping out: its heartbeats stop and resume three times. Each drop makes the real node
// lifecycle controller record a NodeNotReady event (source node-controller; repeats are aggregated into one
// Event whose count grows). It ends Ready, so the finding is the warning form.
import type { ClusterEnv } from "../../e2e/harness.js";
import type { Scenario } from "../../e2e/scenario.js";
import { createNodeWithAgent, nodeNotReadyCount, setHeartbeats, waitReadyStatus } from "../case10-node-heartbeat-stops/kwok-node.js";

const NODE = "e2e-case10-flapping";
const NS = "e2e-case10-flapping";
/** node-not-ready/flapping needs at least 3 NotReady transitions in the node's events (its README). */
const CYCLES = 3;

/** The flapping runs in the background (about 25 s a cycle) so the other scenarios' setups go on meanwhile. */
let flapping: Promise<void> | undefined;
let failure: unknown;
let done = false;

async function flap(env: ClusterEnv): Promise<void> {
  for (let i = 0; i < CYCLES; i++) {
    setHeartbeats(env, NODE, false);
    await waitReadyStatus(env, NODE, "Unknown");
    setHeartbeats(env, NODE, true);
    await waitReadyStatus(env, NODE, "True");
  }
}

export const scenario: Scenario = {
  name: "case10-node-flapping",
  description: `a node's heartbeats stop and resume ${CYCLES} times: NodeNotReady events from node-controller, Ready again now`,
  namespaces: [NS],
  nodes: [NODE],
  expect: [{ code: "node-not-ready/flapping", subject: `Node/${NODE}`, area: "node" }],
  readyTimeoutSeconds: 5 * 60,
  async setup(env) {
    done = false;
    failure = undefined;
    await createNodeWithAgent(env, NODE, "zone-a", NS);
    flapping = flap(env).then(
      () => {
        done = true;
      },
      (error: unknown) => {
        failure = error;
      },
    );
  },
  async ready(env) {
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
    if (!flapping || !done) return false;
    return nodeNotReadyCount(env, NODE) >= CYCLES;
  },
  async checkState(env) {
    const count = nodeNotReadyCount(env, NODE);
    if (count < CYCLES) throw new Error(`${NODE}: ${count} NodeNotReady transitions from node-controller, want >= ${CYCLES}`);
  },
};
