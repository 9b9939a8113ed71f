import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson } from "../../e2e/harness.js";

const ns = "e2e-storage-class-missing";
const missingClass = "storage-class-missing-fast-ssd";

interface Events { items: { reason?: string; message?: string; source?: { component?: string }; reportingComponent?: string }[] }
interface Pvc { spec?: { storageClassName?: string }; status?: { phase?: string } }
interface Pod { status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] } }

/** The scheduler's verdict has stood this long: kubesleuth (documented) leaves younger verdicts to the scheduler's retries. */
const UNSCHEDULABLE_FOR_MS = 65_000;

export const scenario: Scenario = {
  name: "storage-class-missing",
  description: "a StatefulSet claim names a StorageClass that does not exist: the claim stays Pending (ProvisioningFailed) and db-0 cannot be scheduled",
  namespaces: [ns],
  expect: [
    { code: "pvc-pending/storageClassNotFound", subject: `PersistentVolumeClaim/${ns}/data-db-0`, area: "storage" },
    // The scheduler's only reason is the unbound claim ("pod has unbound immediate PersistentVolumeClaims"):
    // a symptom, reported on the StatefulSet and grouped under the claim's finding.
    { code: "pod-unschedulable", subject: `StatefulSet/${ns}/db`, area: "scheduling" },
    // The headless Service db selects only db-0, which never runs: no ready endpoint, same cause.
    { code: "service-endpoints-not-ready/noReadyEndpoints", subject: `Service/${ns}/db`, area: "network" },
  ],
  readyTimeoutSeconds: 180,
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    const classes = getJson<{ items: { metadata: { name: string } }[] }>(env, ["storageclasses"]);
    if (classes.items.some((c) => c.metadata.name === missingClass)) throw new Error(`StorageClass ${missingClass} exists: the scenario needs it absent`);
    const pvc = getJson<Pvc>(env, ["pvc", "data-db-0", "-n", ns]);
    if (pvc.spec?.storageClassName !== missingClass || pvc.status?.phase !== "Pending") return false;
    // The real PV controller tried to provision with the class and failed.
    const events = getJson<Events>(env, ["events", "-n", ns, "--field-selector", "involvedObject.kind=PersistentVolumeClaim,involvedObject.name=data-db-0"]);
    const failed = events.items.some(
      (e) => e.reason === "ProvisioningFailed" && (e.source?.component ?? e.reportingComponent) === "persistentvolume-controller" && (e.message ?? "").includes(`storageclass.storage.k8s.io "${missingClass}" not found`),
    );
    if (!failed) return false;
    // The real scheduler keeps db-0 Pending on the unbound claim, for over a minute.
    const pod = getJson<Pod>(env, ["pod", "db-0", "-n", ns]);
    const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    return (
      pod.status?.phase === "Pending" &&
      scheduled?.status === "False" &&
      scheduled.reason === "Unschedulable" &&
      (scheduled.message ?? "").includes("unbound immediate PersistentVolumeClaims") &&
      Date.now() - Date.parse(scheduled.lastTransitionTime ?? "") >= UNSCHEDULABLE_FOR_MS
    );
  },
};
