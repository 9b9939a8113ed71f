import { fileURLToPath } from "node:url";
import { apply, getJson, kubectl, waitFor } from "../../e2e/harness.js";
import type { Scenario } from "../../e2e/scenario.js";

const ns = "e2e-case2-image-pull";

/** Deployment -> the finding its pull error must produce. */
const expected: Record<string, string> = {
  storefront: "pod-image-pull-failing/notFound",
  payments: "pod-image-pull-failing/unauthorized",
  billing: "pod-image-pull-failing/unauthorizedNoPullSecret",
  frontend: "pod-image-pull-failing/registryUnreachable",
};
const replicas: Record<string, number> = { storefront: 2, payments: 1, billing: 1, frontend: 1 };

interface PodLite {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: { image: string }[] };
  status?: { conditions?: { type: string; status: string }[]; containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[] };
}
interface EventLite { reason?: string; message?: string; involvedObject?: { name?: string } }

export const scenario: Scenario = {
  name: "case2-image-pull",
  description:
    "pods in ImagePullBackOff with the kubelet's and containerd's messages for a missing tag, rejected credentials, an anonymous pull of a private repository and an unresolvable registry",
  namespaces: [ns],
  expect: [
    ...Object.entries(expected).map(([app, code]) => ({ code, subject: `Deployment/${ns}/${app}`, area: "workload" })),
    // checkout's revision 2 dropped the imagePullSecrets revision 1 pulled with (see setup): the finding
    // names that template change, the failing ReplicaSet's field, and the rollback to revision 1.
    {
      code: "pod-image-pull-failing/unauthorizedNoPullSecret",
      subject: `Deployment/${ns}/checkout`,
      area: "workload",
      rootCauseIncludes: ["(revision 2) dropped imagePullSecrets [shop-registry]", "(revision 1)"],
    },
  ],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
    // Revision 1 must run before revision 2 rolls out, so that its pod is the one that "pulled fine".
    await waitFor("checkout revision 1 to be available", () => {
      const d = getJson<{ status?: { availableReplicas?: number } }>(env, ["deployment", "checkout", "-n", ns]);
      return (d.status?.availableReplicas ?? 0) >= 1;
    });
    kubectl(env, [
      "patch", "deployment", "checkout", "-n", ns, "--type=json", "-p",
      JSON.stringify([
        { op: "remove", path: "/spec/template/spec/imagePullSecrets" },
        { op: "add", path: "/spec/template/metadata/labels/sim.test~1fault", value: "image-pull-unauthorized" },
      ]),
    ]);
  },
  async ready(env) {
    const pods = getJson<{ items: PodLite[] }>(env, ["pods", "-n", ns]).items.filter((p) => !p.metadata.deletionTimestamp);
    const events = getJson<{ items: EventLite[] }>(env, ["events", "-n", ns]).items;
    const gaps: string[] = [];
    for (const app of Object.keys(expected)) {
      const mine = pods.filter((p) => p.metadata.labels?.app === app);
      if (mine.length !== replicas[app]) gaps.push(`${app}: ${mine.length} pods`);
      for (const p of mine) {
        const image = p.spec.containers[0]?.image ?? "";
        const waiting = p.status?.containerStatuses?.[0]?.state?.waiting;
        const pullFailed = events.some((e) => e.involvedObject?.name === p.metadata.name && e.reason === "Failed" && e.message?.startsWith(`Failed to pull image "${image}": `));
        if (waiting?.reason !== "ImagePullBackOff" || !waiting.message?.startsWith(`Back-off pulling image "${image}": ErrImagePull: `)) {
          gaps.push(`${p.metadata.name}: waiting ${waiting?.reason ?? "-"}`);
        } else if (!pullFailed) gaps.push(`${p.metadata.name}: no Failed event`);
      }
    }
    // checkout: the revision-1 pod runs and is ready, the revision-2 pod (fault label) fails to pull.
    const checkout = pods.filter((p) => p.metadata.labels?.app === "checkout");
    const oldReady = checkout.filter((p) => !p.metadata.labels?.["sim.test/fault"] && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    const newFailing = checkout.filter((p) => p.metadata.labels?.["sim.test/fault"] && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff");
    if (oldReady.length !== 1 || newFailing.length !== 1) gaps.push(`checkout: ${oldReady.length} ready old pods, ${newFailing.length} failing new pods`);
    if (gaps.length) throw new Error(gaps.join("; "));
    return true;
  },
};
