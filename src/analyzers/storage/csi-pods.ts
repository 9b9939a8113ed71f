// Which pods serve a CSI driver: its controller (the external-provisioner sidecar) and its node plugin
// (the node-driver-registrar sidecar), matched to the driver by name. Shared by the storage analyzers.
import type { Evidence, InvestigationStep } from "../../model/finding.js";
import type { Container, KubeObject, Pod } from "../../model/kube.js";
import { refOf } from "../../model/ref.js";
import type { Snapshot } from "../../model/snapshot.js";
import type { ClusterIndex } from "../../indexes/types.js";

/** The sidecars every CSI deployment uses (kubernetes-csi/external-provisioner, node-driver-registrar). */
const PROVISIONER_SIDECAR = /(^|\/)csi-provisioner(:|@|$)/;
const REGISTRAR_SIDECAR = /(^|\/)csi-node-driver-registrar(:|@|$)/;

export type CsiPodsVerdict = "running" | "notRunning" | "absent" | "unknown";

export interface CsiPods {
  verdict: CsiPodsVerdict;
  /** The pods serving the driver (matched by name), when any. */
  pods: Pod[];
  /** One sentence for a root cause. */
  sentence: string;
  evidence: Evidence[];
  step: InvestigationStep;
}

function hasSidecar(pod: Pod, sidecar: RegExp, names: readonly string[]): boolean {
  return (pod.spec.containers ?? []).some((c) => sidecar.test(c.image ?? "") || names.includes(c.name));
}

/**
 * Whether a pod names the driver: in a container's command, args or env values (`--drivername=X`,
 * `--kubelet-registration-path=/var/lib/kubelet/plugins/X/csi.sock`, `CSI_ENDPOINT`...) or a label value.
 */
export function podNamesDriver(pod: Pod, driver: string): boolean {
  const texts: string[] = [];
  const add = (c: Container): void => {
    texts.push(...(c.command ?? []), ...(c.args ?? []));
    for (const e of c.env ?? []) if (typeof e.value === "string") texts.push(e.value);
  };
  for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) add(c);
  texts.push(...Object.values(pod.metadata.labels ?? {}));
  return texts.some((t) => t === driver || t.includes(`=${driver}`) || t.includes(`/${driver}/`) || t.endsWith(`/${driver}`));
}

function isRunningReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

function podState(pod: Pod): string {
  const waiting = (pod.status?.containerStatuses ?? []).map((s) => s.state?.waiting?.reason).find(Boolean);
  return `${pod.status?.phase ?? "unknown phase"}${waiting ? ` (${waiting})` : ""}${pod.spec.nodeName ? ` on ${pod.spec.nodeName}` : ""}`;
}

/** Pods were read from every namespace, completely. */
function allPodsLoaded(snapshot: Snapshot, index: ClusterIndex): boolean {
  return index.has("Pod") && (snapshot.coverage.Pod?.status ?? "ok") === "ok";
}

/**
 * The driver's controller: pods with the external-provisioner sidecar that name the driver.
 * "absent" only when all pods were read and none has the sidecar for it; "unknown" when provisioner
 * pods exist but none names the driver (cannot tell which one serves it).
 */
export function csiController(index: ClusterIndex, snapshot: Snapshot, driver: string): CsiPods {
  const command = `kubectl get pods -A -o wide | grep -i -- '${driver.split(".")[0]}'`;
  const sidecars = index.all<Pod>("Pod").filter((p) => hasSidecar(p, PROVISIONER_SIDECAR, ["csi-provisioner"]));
  const mine = sidecars.filter((p) => podNamesDriver(p, driver));
  const csiDriver = index.has("CSIDriver") ? index.get<KubeObject>("CSIDriver", undefined, driver) : undefined;
  const driverEvidence: Evidence[] = index.has("CSIDriver")
    ? [csiDriver ? { ref: refOf(csiDriver), path: "metadata.name", value: driver, note: "the CSIDriver object exists" } : { value: driver, note: `no CSIDriver object named ${driver} (kubectl get csidriver ${driver}: NotFound)` }]
    : [];
  if (mine.length) {
    const running = mine.filter(isRunningReady);
    const evidence: Evidence[] = [...driverEvidence, ...mine.map((p) => ({ ref: refOf(p), path: "status.phase", value: p.status?.phase ?? null, note: `csi-provisioner pod for ${driver}: ${podState(p)}` }))];
    if (running.length) {
      return {
        verdict: "running",
        pods: mine,
        sentence: `Its controller pod ${running.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ")} is running, yet has not picked the claim up: its csi-provisioner log says why (leader election, RBAC, CSI socket)`,
        evidence,
        step: { step: `Find ${driver}'s controller pods`, command, result: running.map((p) => `${p.metadata.name}: ${podState(p)}`).join("; "), outcome: "ok" },
      };
    }
    return {
      verdict: "notRunning",
      pods: mine,
      sentence: `Its controller pod ${mine.map((p) => `${p.metadata.namespace}/${p.metadata.name} is ${podState(p)}`).join(", ")}: nothing runs the external provisioner`,
      evidence,
      step: { step: `Find ${driver}'s controller pods`, command, result: mine.map((p) => `${p.metadata.name}: ${podState(p)}`).join("; "), outcome: "problem" },
    };
  }
  if (sidecars.length === 0 && allPodsLoaded(snapshot, index)) {
    const noDriver = index.has("CSIDriver") && !csiDriver;
    return {
      verdict: "absent",
      pods: [],
      sentence: `No pod in the cluster runs a csi-provisioner${noDriver ? `, and there is no CSIDriver object ${driver}` : ""}: the CSI driver's controller is not installed or not scheduled`,
      evidence: [...driverEvidence, { value: 0, note: "pods with a csi-provisioner container (all namespaces read)" }],
      step: { step: `Find ${driver}'s controller pods`, command, result: "no pod has a csi-provisioner container", outcome: "problem" },
    };
  }
  return {
    verdict: "unknown",
    pods: [],
    sentence:
      sidecars.length > 0
        ? `kubesleuth cannot determine which pod is its controller: ${sidecars.length} pod(s) run a csi-provisioner but none names ${driver} in its args, env or labels`
        : `kubesleuth cannot determine whether its controller runs: pods were not read completely`,
    evidence: driverEvidence,
    step: {
      step: `Find ${driver}'s controller pods`,
      command,
      result: sidecars.length ? `csi-provisioner pods: ${sidecars.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ")}; none names ${driver}` : "pods not read completely",
      outcome: "unknown",
    },
  };
}

/** Node plugin pods (node-driver-registrar sidecar) of the driver on a node, and whether the driver's plugin pods could be identified at all. */
export function csiNodePlugins(index: ClusterIndex, driver: string): { all: Pod[]; onNode: (node: string) => Pod[] } {
  const all = index.all<Pod>("Pod").filter((p) => hasSidecar(p, REGISTRAR_SIDECAR, ["node-driver-registrar", "csi-node-driver-registrar"]) && podNamesDriver(p, driver));
  return { all, onNode: (node) => all.filter((p) => p.spec.nodeName === node) };
}
