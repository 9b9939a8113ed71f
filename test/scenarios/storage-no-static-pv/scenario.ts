import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson } from "../../e2e/harness.js";

const ns = "e2e-storage-no-static-pv";
const prefix = "storage-no-static-pv-";

interface Meta { name: string; creationTimestamp?: string }
interface Pv { metadata: Meta; spec?: { claimRef?: unknown }; status?: { phase?: string } }
interface Pvc { metadata: Meta; status?: { phase?: string } }
interface Event { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string }; source?: { component?: string }; reportingComponent?: string }
interface Pod { metadata: Meta & { labels?: Record<string, string> }; spec?: { nodeName?: string }; status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] } }

/**
 * How long a claim or a scheduling verdict must have stood: a claim seconds old, or a pod the
 * scheduler just rejected, may still resolve (kubesleuth documents a 60 s grace for both).
 */
const STANDING_MS = 65_000;
const olderThan = (iso: string | undefined, ms: number): boolean => iso !== undefined && Date.now() - Date.parse(iso) >= ms;

/** Pending since at least STANDING_MS for the scheduler's reason `reason`. */
function unschedulableFor(pod: Pod | undefined, reason: string): boolean {
  const c = pod?.status?.conditions?.find((x) => x.type === "PodScheduled");
  return pod?.status?.phase === "Pending" && !pod.spec?.nodeName && c?.status === "False" && c.reason === "Unschedulable" && (c.message ?? "").includes(reason) && olderThan(c.lastTransitionTime, STANDING_MS);
}

export const scenario: Scenario = {
  name: "storage-no-static-pv",
  description: "claims no static PV can satisfy (capacity, access mode, class, zone) stay Pending; their pods cannot be scheduled",
  namespaces: [ns],
  // Capacity, access mode, class: Immediate claims of kubernetes.io/no-provisioner classes. The PV
  // controller finds no matching PV (FindMatchingVolume: claimRef, capacity, volumeMode, class,
  // access modes, selector), then tries to provision and cannot (ProvisioningFailed "no volume plugin
  // matched name: kubernetes.io/no-provisioner"): static binding only, no PV fits -> noMatchingVolume.
  //
  // Zone: the PV controller ignores PV node affinity for Immediate claims (FindMatchingVolume checks it
  // only in the scheduler's path, node != nil), so an Immediate claim would simply bind the zone-c PV
  // and its pod would then be stuck on "volume node affinity conflict". A zone mismatch that leaves the
  // claim Pending needs WaitForFirstConsumer: the claim waits for ledger-0 ("waiting for pod ledger-0 to
  // be scheduled") and the scheduler's VolumeBinding filter rejects the only schedulable zone-a node
  // ("didn't find available persistent volumes to bind"). pvc-pending checks a WaitForFirstConsumer
  // claim's PVs against the nodes its consumer may run on (PV nodeAffinity vs the pod's nodeSelector),
  // so the zone-c PV is no candidate: noMatchingVolume on data-ledger-0. The pod's own finding stays
  // (its causes include the nodeSelector and the control-plane taint, not only the volume).
  //
  // Each claim's finding names the PVs considered and why each was rejected (values from manifests.yaml):
  // the two 1Gi RWO local PVs for reports-data (5Gi) and shared-uploads (RWX); for cache (class ssd) the
  // hdd PV, which satisfies everything but its class; for data-ledger-0 the zone-c PV.
  expect: [
    {
      code: "pvc-pending/noMatchingVolume",
      subject: `PersistentVolumeClaim/${ns}/reports-data`,
      area: "storage",
      evidenceNotes: [
        { ref: `PersistentVolume/${prefix}local-a`, note: "capacity 1Gi < requested 5Gi" },
        { ref: `PersistentVolume/${prefix}local-b`, note: "capacity 1Gi < requested 5Gi" },
      ],
    },
    {
      code: "pvc-pending/noMatchingVolume",
      subject: `PersistentVolumeClaim/${ns}/shared-uploads`,
      area: "storage",
      evidenceNotes: [
        { ref: `PersistentVolume/${prefix}local-a`, note: "lacks access mode ReadWriteMany" },
        { ref: `PersistentVolume/${prefix}local-b`, note: "lacks access mode ReadWriteMany" },
      ],
    },
    {
      code: "pvc-pending/noMatchingVolume",
      subject: `PersistentVolumeClaim/${ns}/cache`,
      area: "storage",
      evidenceNotes: [{ ref: `PersistentVolume/${prefix}hdd-1`, note: `storageClassName "${prefix}hdd", the claim wants "${prefix}ssd"` }],
    },
    // reports' only scheduling reason is its unbound claim: grouped under reports-data's finding.
    { code: "pod-unschedulable", subject: `Deployment/${ns}/reports`, area: "scheduling" },
    {
      code: "pvc-pending/noMatchingVolume",
      subject: `PersistentVolumeClaim/${ns}/data-ledger-0`,
      area: "storage",
      evidenceNotes: [{ ref: `PersistentVolume/${prefix}zonal-c`, note: "node affinity" }],
    },
    { code: "pod-unschedulable/constraintsUnsatisfied", subject: `StatefulSet/${ns}/ledger`, area: "scheduling" },
  ],
  readyTimeoutSeconds: 180,
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    // The admin's PVs stay Available: nothing may bind them.
    const pvs = getJson<{ items: Pv[] }>(env, ["pv"]).items.filter((p) => p.metadata.name.startsWith(prefix));
    if (pvs.length !== 4 || pvs.some((p) => p.status?.phase !== "Available" || p.spec?.claimRef)) return false;

    const claims = getJson<{ items: Pvc[] }>(env, ["pvc", "-n", ns]).items;
    const events = getJson<{ items: Event[] }>(env, ["events", "-n", ns]).items;
    const claimEvents = (name: string): Event[] => events.filter((e) => e.involvedObject?.kind === "PersistentVolumeClaim" && e.involvedObject.name === name);
    const byPvController = (e: Event): boolean => (e.source?.component ?? e.reportingComponent) === "persistentvolume-controller";

    for (const name of ["reports-data", "shared-uploads", "cache"]) {
      const claim = claims.find((c) => c.metadata.name === name);
      if (claim?.status?.phase !== "Pending" || !olderThan(claim.metadata.creationTimestamp, STANDING_MS)) return false;
      // No PV matched (else it would be Bound) and the class cannot provision.
      if (!claimEvents(name).some((e) => byPvController(e) && e.reason === "ProvisioningFailed" && (e.message ?? "").includes("kubernetes.io/no-provisioner"))) return false;
    }
    const ledgerClaim = claims.find((c) => c.metadata.name === "data-ledger-0");
    if (ledgerClaim?.status?.phase !== "Pending") return false;
    if (!claimEvents("data-ledger-0").some((e) => byPvController(e) && e.reason === "WaitForPodScheduled" && (e.message ?? "").includes("ledger-0"))) return false;

    const pods = getJson<{ items: Pod[] }>(env, ["pods", "-n", ns]).items;
    return (
      unschedulableFor(pods.find((p) => p.metadata.labels?.app === "reports"), "unbound immediate PersistentVolumeClaims") &&
      unschedulableFor(pods.find((p) => p.metadata.name === "ledger-0"), "didn't find available persistent volumes to bind")
    );
  },
};
