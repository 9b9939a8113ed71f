import { fileURLToPath } from "node:url";
import { apply, getJson } from "../../e2e/harness.js";
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
  status?: { containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[] };
}
interface EventLite { reason?: string; message?: string; involvedObject?: { name?: string } }

export const scenario: Scenario = {
  name: "case2-image-pull",
  description:
    "pods in ImagePullBackOff with the kubelet's and containerd's messages for a missing tag, rejected credentials, an anonymous pull of a private repository and an unresolvable registry",
  namespaces: [ns],
  expect: Object.entries(expected).map(([app, code]) => ({ code, subject: `Deployment/${ns}/${app}`, area: "workload" })),
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
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
    if (gaps.length) throw new Error(gaps.join("; "));
    return true;
  },
};
