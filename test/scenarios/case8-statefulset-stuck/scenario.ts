// A StatefulSet rolling update stuck behind a pod that never becomes ready: the real StatefulSet controller
// (OrderedReady, RollingUpdate) replaces the highest ordinal first, then waits on it for ever.
import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson, kubectl, waitFor, type ClusterEnv } from "../../e2e/harness.js";

const NS = "e2e-case8";
const STS = "web";
/**
 * workload-rollout-stuck reports a StatefulSet pod only once it has been not Ready for 10 minutes
 * (its README, "Limitations"; before that the controller may still be working through the ordinals),
 * so the scenario is ready only past that, plus a margin for the scans.
 */
const STUCK_AFTER_MS = 10 * 60_000 + 15_000;

interface Condition { type: string; status: string; lastTransitionTime?: string }
interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { phase?: string; conditions?: Condition[] };
}
interface StatefulSet {
  metadata: { generation?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}
interface EventList { items: { reason?: string; type?: string; message?: string; involvedObject?: { kind?: string; name?: string } }[] }

const ready = (p: Pod | undefined): Condition | undefined => p?.status?.conditions?.find((c) => c.type === "Ready");
const revision = (p: Pod | undefined): string | undefined => p?.metadata.labels?.["controller-revision-hash"];

function state(env: ClusterEnv): { sts: StatefulSet; pods: Map<string, Pod> } {
  const sts = getJson<StatefulSet>(env, ["statefulset", STS, "-n", NS]);
  const pods = getJson<{ items: Pod[] }>(env, ["pods", "-n", NS, "-l", "app=web"]);
  return { sts, pods: new Map(pods.items.map((p) => [p.metadata.name, p])) };
}

export const scenario: Scenario = {
  name: "case8-statefulset-stuck",
  description: "StatefulSet rolling update stuck: the new revision's pod web-2 runs but never becomes Ready, the controller waits on it",
  namespaces: [NS],
  // The symptom (stuck rollout) and its cause (the readiness probe of web-2 fails). workload-rollout-stuck is a
  // symptom analyzer: the runner also accepts it grouped as `related` under the pod-not-ready finding.
  expect: [
    { code: "workload-rollout-stuck/statefulSetUpdateStuck", subject: `StatefulSet/${NS}/${STS}`, area: "workload" },
    { code: "pod-not-ready/readinessProbeFailing", subject: `StatefulSet/${NS}/${STS}`, area: "workload" },
    // The root cause on the StatefulSet itself: OrderedReady is blocked at ordinal 2, and why (the kubelet's
    // Unhealthy event that checkState asserts below).
    {
      code: "statefulset-stuck/orderedReadyBlocked",
      subject: `StatefulSet/${NS}/${STS}`,
      area: "workload",
      summaryIncludes: ["blocked at ordinal 2", `${STS}-2`, "Readiness probe failed: HTTP probe failed with statuscode: 503"],
    },
  ],
  readyTimeoutSeconds: 15 * 60,
  async setup(env) {
    kubectl(env, ["delete", "namespace", NS, "--ignore-not-found", "--wait=true", "--timeout=120s"]);
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
    // Healthy first: 3 Ready replicas on one revision (OrderedReady creates them one after the other).
    await waitFor(`${NS}/${STS} to have 3 ready replicas`, () => {
      const { sts } = state(env);
      const s = sts.status ?? {};
      return s.readyReplicas === 3 && s.currentReplicas === 3 && !!s.currentRevision && s.currentRevision === s.updateRevision;
    }, 120_000);
    // The bad release: a new image whose pods never pass their readiness probe.
    kubectl(env, [
      "patch", "statefulset", STS, "-n", NS, "--type", "strategic", "-p",
      JSON.stringify({
        spec: {
          template: {
            metadata: { labels: { "sim.test/fault": "never-ready" } },
            spec: { containers: [{ name: "web", image: "ghcr.io/example/session-store:1.5.0" }] },
          },
        },
      }),
    ]);
  },
  async ready(env) {
    const { sts, pods } = state(env);
    const s = sts.status ?? {};
    if (s.observedGeneration !== sts.metadata.generation || !s.updateRevision || s.updateRevision === s.currentRevision) return false;
    const last = pods.get(`${STS}-2`);
    const cond = ready(last);
    if (revision(last) !== s.updateRevision || last?.status?.phase !== "Running" || cond?.status !== "False") return false;
    return Date.now() - Date.parse(cond.lastTransitionTime ?? "") >= STUCK_AFTER_MS;
  },
  async checkState(env) {
    // What the real controller did: replaced only the highest ordinal and has been waiting on it since.
    const { sts, pods } = state(env);
    const s = sts.status ?? {};
    const problems: string[] = [];
    if (s.updatedReplicas !== 1) problems.push(`updatedReplicas ${s.updatedReplicas}, want 1`);
    if (s.currentReplicas !== 2) problems.push(`currentReplicas ${s.currentReplicas}, want 2`);
    if (s.readyReplicas !== 2) problems.push(`readyReplicas ${s.readyReplicas}, want 2`);
    for (const name of [`${STS}-0`, `${STS}-1`]) {
      const p = pods.get(name);
      if (revision(p) !== s.currentRevision || ready(p)?.status !== "True") problems.push(`${name} should be Ready on ${s.currentRevision}, is ${ready(p)?.status} on ${revision(p)}`);
    }
    const events = getJson<EventList>(env, ["events", "-n", NS, "--field-selector", `involvedObject.name=${STS}-2`]);
    if (!events.items.some((e) => e.reason === "Unhealthy" && e.type === "Warning" && /^Readiness probe failed: HTTP probe failed with statuscode: 503/.test(e.message ?? ""))) {
      problems.push("no Unhealthy readiness-probe event on web-2");
    }
    if (problems.length) throw new Error(`case8 state: ${problems.join("; ")}`);
  },
};
