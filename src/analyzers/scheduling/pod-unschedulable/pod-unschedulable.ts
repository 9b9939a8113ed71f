// Decides which workloads have pods the scheduler cannot place, and lists its reasons per cause (resources, taints, node selection, cordoned nodes, volumes, affinity).
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Condition, Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass, Taint, Toleration } from "../../../model/kube.js";
import { buildStorageState, formatFitError, simulateScheduling, type CSINode, type NodeVerdict, type SimulationOptions } from "../../../engines/scheduler/index.js";
import { formatRef, refOf, type ObjectRef } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { formatAge, parseTime } from "../../../semantics/time.js";
import { parseQuantity } from "../../../semantics/quantity.js";
import { podMatchesNodeAffinity } from "../../../semantics/node-affinity.js";
import {
  WORKLOAD_KINDS,
  canRollout,
  eventEvidence,
  groupByWorkload,
  kubectlTarget,
  podCount,
  podEvents,
  podEventsCommand,
  podNames,
  verifyCommand,
} from "../../workload/workload-pods.js";

/**
 * A pod unschedulable for less than this may still be placed: the scheduler retries with back-off and
 * a cluster autoscaler needs some seconds to react.
 */
const UNSCHEDULABLE_GRACE_MS = 60_000;

/** The scheduler simulation runs for this many workloads at most (each costs nodes x filters). */
const MAX_SIMULATED = 20;
/** Per-node verdicts shown as evidence, at most. */
const MAX_NODE_EVIDENCE = 10;

/** The scheduler version to simulate: the server's minor clamped to what the engine knows (1.23–1.36). */
function schedulerVersion(serverVersion: string | undefined): string {
  const m = /^v?1\.(\d+)/.exec(serverVersion ?? "");
  return m ? `1.${Math.min(36, Math.max(23, Number(m[1])))}` : "1.36";
}

/** The default scheduler places the pod (the engine simulates kube-scheduler, not other schedulers). */
function usesDefaultScheduler(pod: Pod): boolean {
  const name = (pod.spec as { schedulerName?: string }).schedulerName;
  return !name || name === "default-scheduler";
}

type Category = "resources" | "taint" | "nodeSelection" | "cordoned" | "volume" | "podAffinity" | "topologySpread" | "ports" | "other";

/** One reason of the scheduler's verdict: "4 Insufficient cpu" is 4 nodes rejected for that reason. */
interface Cause {
  text: string;
  nodes?: number;
  reason: string;
  category: Category;
}

interface Verdict {
  total: number;
  causes: Cause[];
  preemption?: string;
  /** PostFilter messages other than preemption's ("no new claims to deallocate" from DynamicResources). */
  postFilter?: string;
}

/** Reasons as the scheduler's filter plugins word them (pkg/scheduler/framework/plugins/...). */
const CATEGORY_RULES: readonly [Category, RegExp][] = [
  ["resources", /^Insufficient \S+|^Too many pods/],
  ["taint", /untolerated taint|had taint .* that the pod didn't tolerate/],
  ["nodeSelection", /node affinity\/selector|didn't match node selector|didn't match Pod's node affinity/],
  ["cordoned", /were unschedulable/],
  ["volume", /volume|PersistentVolumeClaim|persistentvolumeclaim|persistent volumes/i],
  ["topologySpread", /topology spread/],
  ["podAffinity", /pod affinity|anti-affinity/],
  ["ports", /free ports/],
];

/**
 * Parses the scheduler's FitError message (pkg/scheduler/framework/types.go, FitError.Error):
 * "0/N nodes are available: <PreFilterMsg>." or "0/N nodes are available: <count> <reason>, ...
 * (sorted).", then " <PostFilterMsg>": the PostFilter plugins' reasons joined by ", ", e.g.
 * "preemption: 0/N nodes are available: ..." alone, or since DRA's PostFilter runs by default
 * (1.34+) "no new claims to deallocate, preemption: ...", or only a plugin's error ("not found").
 * The filter part ends at its ". "; what follows is not a cause. Undefined when the message is not
 * of that form.
 */
function parseSchedulerMessage(message: string): Verdict | undefined {
  const text = message.trim();
  if (/^no nodes available to schedule pods/i.test(text)) return { total: 0, causes: [] };
  const m = /^0\/(\d+) nodes are available(?::\s*([\s\S]*))?$/.exec(text);
  if (!m) return undefined;
  const total = Number(m[1]);
  let rest = m[2] ?? "";
  let preemption: string | undefined;
  const p = rest.search(/\bpreemption:/i);
  if (p >= 0) {
    preemption = rest.slice(p).trim().replace(/\.+$/, "");
    rest = rest.slice(0, p);
  }
  // Other PostFilter reasons follow the filter part's closing ". " (reasons themselves contain no ". ").
  let postFilter: string | undefined;
  const end = rest.trimEnd().lastIndexOf(". ");
  if (end >= 0) {
    postFilter = rest.slice(end + 2).trim().replace(/,$/, "").trim() || undefined;
    rest = rest.slice(0, end);
  }
  rest = rest.trim().replace(/\.+$/, "");
  const causes: Cause[] = [];
  // Each reason starts with its node count; a reason itself never contains ", <digit>".
  for (const part of rest.split(/,\s+(?=\d+\s)/)) {
    const piece = part.trim();
    if (!piece) continue;
    const counted = /^(\d+)\s+([\s\S]+)$/.exec(piece);
    const reason = counted ? counted[2]! : piece;
    const category = CATEGORY_RULES.find(([, re]) => re.test(reason))?.[0] ?? "other";
    causes.push({ text: piece, reason, category, ...(counted ? { nodes: Number(counted[1]) } : {}) });
  }
  return { total, causes, ...(preemption ? { preemption } : {}), ...(postFilter ? { postFilter } : {}) };
}

/** A resource quantity in exact nano-units (semantics/quantity), undefined when absent or invalid. */
function quantityNanos(q: string | undefined): bigint | undefined {
  if (q === undefined) return undefined;
  const parsed = parseQuantity(String(q));
  return parsed.ok ? parsed.quantity.nanos : undefined;
}

/** What the scheduler counts for a pod: the sum of app containers' requests, or the largest init container's if bigger. */
function podRequest(pod: Pod, resource: string): bigint | undefined {
  const sum = (pod.spec.containers ?? []).reduce((n, c) => n + (quantityNanos(c.resources?.requests?.[resource]) ?? 0n), 0n);
  const init = (pod.spec.initContainers ?? []).reduce((m, c) => {
    const v = quantityNanos(c.resources?.requests?.[resource]) ?? 0n;
    return v > m ? v : m;
  }, 0n);
  const total = sum > init ? sum : init;
  return total > 0n ? total : undefined;
}

function scheduledCondition(pod: Pod): { condition: Condition; index: number } | undefined {
  const conditions = pod.status?.conditions ?? [];
  const index = conditions.findIndex((c) => c.type === "PodScheduled");
  return index < 0 ? undefined : { condition: conditions[index]!, index };
}

function tolerates(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some(
    (t) =>
      (!t.effect || t.effect === taint.effect) &&
      (t.operator === "Exists" ? !t.key || t.key === taint.key : t.key === taint.key && (t.value ?? "") === (taint.value ?? "")),
  );
}

interface Unschedulable {
  since: number;
  message: string;
  /** Where the message came from, for evidence. */
  path: string;
  verdict?: Verdict;
  events: Event[];
}

function unschedulable(index: ClusterIndex, pod: Pod, now: number): Unschedulable | undefined {
  if (pod.status?.phase !== "Pending" || pod.spec.nodeName || pod.metadata.deletionTimestamp) return undefined;
  const found = scheduledCondition(pod);
  if (!found || found.condition.status !== "False" || found.condition.reason !== "Unschedulable") return undefined;
  const since = parseTime(found.condition.lastTransitionTime) ?? parseTime(pod.metadata.creationTimestamp);
  if (since === undefined || now - since < UNSCHEDULABLE_GRACE_MS) return undefined;
  const events = podEvents(index, pod, (e) => e.reason === "FailedScheduling");
  const conditionMessage = found.condition.message;
  const message = conditionMessage || events.at(-1)?.message || "";
  const verdict = parseSchedulerMessage(message);
  return {
    since,
    message,
    path: conditionMessage ? `status.conditions[${found.index}].message` : "event",
    ...(verdict ? { verdict } : {}),
    events,
  };
}

export const podUnschedulable = defineAnalyzer({
  id: "pod-unschedulable",
  title: "Pods cannot be scheduled",
  area: "scheduling",
  severity: "error",
  needs: ["Pod", "Event", "Node", "Namespace", "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "CSINode", ...WORKLOAD_KINDS],
  messages: {
    insufficientResources: {
      summary: "{{workload}}: {{pods}} Pending for {{age}}, no node has room: {{causes}}",
      rootCause:
        "0/{{nodes}} nodes can run the pod: {{causes}}. The pod requests {{requests}}; no node has that much allocatable left, so it stays Pending until pods go away, the requests shrink, or nodes are added.",
      remediation: "Lower the pod's requests to what it uses, free or add capacity (scale the node pool), or let preemption make room with a higher priority class.",
    },
    constraintsUnsatisfied: {
      summary: "{{workload}}: {{pods}} Pending for {{age}}, no node satisfies the pod: {{causes}}",
      rootCause:
        "0/{{nodes}} nodes can run the pod: {{causes}}. Each count is the number of nodes the scheduler rejected for that reason (a node can fail several); the pod stays Pending until one node passes every filter.",
      remediation: "Change what excludes the nodes: add a toleration or remove a taint, fix the nodeSelector/affinity or label a node, uncordon a node, fix the volume, or relax affinity and spread constraints.",
    },
    noNodes: {
      summary: "{{workload}}: {{pods}} Pending for {{age}}: there is no node to schedule on",
      rootCause: "The scheduler reports \"{{message}}\": it has no node to consider at all (no node registered, or every node is gone).",
      remediation: "Add or repair nodes (check the node group, the cloud provider and the kubelets).",
    },
    unparsed: {
      summary: "{{workload}}: {{pods}} Pending for {{age}}: the scheduler cannot place them",
      rootCause: "The scheduler marks the pod Unschedulable with \"{{message}}\"; kubesleuth cannot parse this message into causes, so it is shown as written.",
      remediation: "Read the scheduler's message in the pod's conditions and FailedScheduling events.",
    },
  },
  run({ index, now, report, snapshot }) {
    const found: { pod: Pod; detail: Unschedulable }[] = [];
    for (const pod of index.all<Pod>("Pod")) {
      const detail = unschedulable(index, pod, now);
      if (detail) found.push({ pod, detail });
    }
    const nodes = index.all<Node>("Node");
    const allPods = index.all<Pod>("Pod");
    let simOptions: SimulationOptions | undefined;
    // kube-scheduler's filters replayed on the snapshot: works when the events are gone, and names the nodes.
    const simulate = (pod: Pod): { verdicts: NodeVerdict[]; message?: string; version: string } => {
      simOptions ??= {
        version: schedulerVersion(snapshot.serverVersion),
        firstFailureOnly: true,
        namespaceLabels: Object.fromEntries(index.all("Namespace").map((n) => [n.metadata.name, n.metadata.labels ?? {}])),
        storage: buildStorageState({
          pvcs: index.all<PersistentVolumeClaim>("PersistentVolumeClaim"),
          pvs: index.all<PersistentVolume>("PersistentVolume"),
          storageClasses: index.all<StorageClass>("StorageClass"),
          csiNodes: index.all<CSINode>("CSINode"),
        }),
      };
      const verdicts = simulateScheduling(pod, nodes, allPods, simOptions);
      const message = formatFitError(pod, verdicts, allPods, { ...simOptions, nodes });
      return { verdicts, version: simOptions.version!, ...(message ? { message } : {}) };
    };
    let simulated = 0;

    for (const group of groupByWorkload(index, found)) {
      const { pod, detail } = group.members[0]!;
      const pods = group.members.map((m) => m.pod);
      const podRef = refOf(pod);
      const sim = nodes.length > 0 && usesDefaultScheduler(pod) && simulated++ < MAX_SIMULATED ? simulate(pod) : undefined;
      if (!detail.message && sim?.message) {
        // No condition message and no FailedScheduling event left: the simulation says what kube-scheduler would.
        detail.message = sim.message;
        detail.path = "scheduler simulation";
        const parsed = parseSchedulerMessage(sim.message);
        if (parsed) detail.verdict = parsed;
      }
      const ns = pod.metadata.namespace ?? "default";
      const verdict = detail.verdict;
      const since = Math.min(...group.members.map((m) => m.detail.since));

      const evidence: Evidence[] = [
        { ref: podRef, path: detail.path, value: detail.message, note: `PodScheduled=False (Unschedulable) since ${new Date(detail.since).toISOString()}` },
      ];
      for (const cause of verdict?.causes ?? []) {
        evidence.push({
          ref: podRef,
          path: detail.path,
          value: cause.text,
          note: cause.nodes !== undefined ? `${cause.nodes} of ${verdict!.total} nodes rejected: ${cause.category}` : `every node rejected: ${cause.category}`,
        });
      }
      if (verdict?.preemption) evidence.push({ ref: podRef, path: detail.path, value: verdict.preemption, note: "the scheduler's preemption verdict" });
      if (sim?.message) {
        const same = sim.message === detail.message;
        if (detail.path !== "scheduler simulation") {
          evidence.push({
            ref: podRef,
            path: "scheduler simulation",
            value: sim.message,
            note: same
              ? `kubesleuth's replay of kube-scheduler ${sim.version} filters on the snapshot gives the same message: the cause still holds`
              : `kubesleuth's replay of kube-scheduler ${sim.version} filters on the snapshot (differs from the recorded message: the cluster changed since, or a plugin kubesleuth does not model)`,
          });
        }
        for (const v of sim.verdicts.filter((x) => x.failures.length).slice(0, MAX_NODE_EVIDENCE)) {
          const first = v.failures[0]!;
          evidence.push({ ref: { kind: "Node", name: v.node }, path: "scheduler simulation", value: `${first.plugin}: ${first.status.reasons.join(", ")}`, note: "the first filter that rejects the pod on this node" });
        }
      } else if (sim && !sim.message) {
        evidence.push({ ref: podRef, path: "scheduler simulation", value: sim.verdicts.filter((v) => v.fits).map((v) => v.node).slice(0, MAX_NODE_EVIDENCE).join(", "), note: `kubesleuth's replay of kube-scheduler ${sim.version} filters finds nodes that fit now: the next scheduling attempt may succeed` });
      }
      if (verdict?.postFilter) evidence.push({ ref: podRef, path: detail.path, value: verdict.postFilter, note: "other PostFilter plugins of the scheduler (not a cause)" });
      const lastEvent = detail.events.at(-1);
      if (lastEvent) evidence.push(eventEvidence(pod, lastEvent));

      const investigation: InvestigationStep[] = [
        {
          step: "Read why the pod is not scheduled",
          command: `kubectl get pod ${pod.metadata.name} -n ${ns} -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")]}'`,
          result: `Unschedulable: ${detail.message}`,
          outcome: "problem",
        },
        {
          step: "Read the scheduler's events",
          command: podEventsCommand(pod),
          result: lastEvent ? `FailedScheduling x${lastEvent.count ?? 1}: ${lastEvent.message}` : "no FailedScheduling events in the snapshot",
          outcome: lastEvent ? "problem" : "unknown",
        },
      ];
      const remediation: Remediation[] = [];
      const categories = new Set((verdict?.causes ?? []).map((c) => c.category));
      const requests: string[] = [];

      if (categories.has("resources")) {
        for (const cause of verdict!.causes.filter((c) => c.category === "resources")) {
          const resource = /^Insufficient (\S+)/.exec(cause.reason)?.[1];
          if (!resource) continue;
          pod.spec.containers.forEach((c, j) => {
            const value = c.resources?.requests?.[resource];
            if (value === undefined) return;
            evidence.push({ ref: podRef, path: `spec.containers[${j}].resources.requests.${resource}`, value, note: `container ${c.name}` });
            requests.push(`${resource} ${value} (${c.name})`);
          });
          const wanted = podRequest(pod, resource);
          const largest = nodes
            .map((n) => ({ node: n, allocatable: quantityNanos(n.status?.allocatable?.[resource]) }))
            .filter((n): n is { node: Node; allocatable: bigint } => n.allocatable !== undefined)
            .sort((a, b) => (b.allocatable > a.allocatable ? 1 : b.allocatable < a.allocatable ? -1 : 0))[0];
          if (wanted !== undefined && largest && wanted > largest.allocatable) {
            evidence.push({
              ref: refOf(largest.node),
              path: `status.allocatable.${resource}`,
              value: largest.node.status!.allocatable![resource],
              note: `the largest ${resource} any node has: the pod's request is bigger, it fits no node even when empty`,
            });
          }
        }
        investigation.push({
          step: "Compare the pod's requests with what the nodes have left",
          command: `kubectl describe nodes | grep -A 8 "Allocated resources"`,
          result: requests.length ? `the pod requests ${requests.join(", ")}` : "the pod's requests are in its spec",
          outcome: "problem",
        });
        const container = pod.spec.containers.find((c) => c.resources?.requests);
        if (canRollout(group.subject.kind) && container) {
          remediation.push({
            description: `Lower the requests of container ${container.name} to what it really uses (kubectl top pod), or add nodes / raise the node pool's maximum`,
            command: `kubectl set resources ${kubectlTarget(group.subject)} -n ${ns} -c ${container.name} --requests=${Object.keys(container.resources!.requests!).map((r) => `${r}=<smaller>`).join(",")}`,
            verify: `kubectl get pods -n ${ns} --field-selector=status.phase=Pending`,
            rollback: `kubectl rollout undo ${kubectlTarget(group.subject)} -n ${ns}`,
          });
        } else {
          remediation.push({ description: "Lower the pod's requests, or add nodes with enough allocatable capacity", verify: `kubectl get pods -n ${ns} --field-selector=status.phase=Pending` });
        }
      }

      if (categories.has("taint")) {
        const taintKeys = verdict!.causes
          .filter((c) => c.category === "taint")
          .flatMap((c) => [...c.reason.matchAll(/\{([^:}]+):\s*([^}]*)\}/g)].map((m) => m[1]!.trim()));
        const untolerated: { node: Node; taint: Taint; index: number }[] = [];
        for (const node of nodes) {
          (node.spec?.taints ?? []).forEach((taint, i) => {
            if ((taintKeys.length === 0 || taintKeys.includes(taint.key)) && taint.effect !== "PreferNoSchedule" && !tolerates(pod.spec.tolerations, taint)) {
              untolerated.push({ node, taint, index: i });
            }
          });
        }
        // Since kubernetes#134740 (v1.35, backported to 1.34 patches) the scheduler no longer names the taint
        // ("had untolerated taint(s)"), so every untolerated taint in the cluster is a candidate. Tolerating one
        // on a node the pod's nodeSelector/affinity rejects changes nothing: when some tainted nodes are ones the
        // pod selects, those taints are the cause.
        const selected = untolerated.filter((t) => podMatchesNodeAffinity(pod, t.node));
        const tainted = selected.length ? selected : untolerated;
        for (const t of tainted.slice(0, 5)) {
          const byDesign = t.taint.key === "node-role.kubernetes.io/control-plane" || t.taint.key === "node-role.kubernetes.io/master";
          evidence.push({ ref: refOf(t.node), path: `spec.taints[${t.index}]`, value: t.taint, note: byDesign ? "control-plane node: kept free of workloads on purpose" : "the pod has no matching toleration" });
        }
        evidence.push({ ref: podRef, path: "spec.tolerations", value: pod.spec.tolerations ?? null });
        investigation.push({
          step: "List the nodes' taints",
          command: `kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints`,
          result: tainted.length ? tainted.map((t) => `${t.node.metadata.name}: ${t.taint.key}${t.taint.value ? `=${t.taint.value}` : ""}:${t.taint.effect}`).join(", ") : `taints ${taintKeys.join(", ")} (nodes not in the snapshot)`,
          outcome: "problem",
        });
        const first = tainted[0]?.taint ?? (taintKeys[0] ? { key: taintKeys[0], effect: "NoSchedule" } : undefined);
        if (first) {
          const systemTaint = first.key.startsWith("node.kubernetes.io/") || first.key.startsWith("node.cloudprovider.kubernetes.io/");
          // Control-plane nodes keep workloads off on purpose; tolerating that taint is rarely the fix.
          const controlPlane = first.key === "node-role.kubernetes.io/control-plane" || first.key === "node-role.kubernetes.io/master";
          if (systemTaint) {
            remediation.push({
              description: `Taint ${first.key} is set by Kubernetes for a node condition (not ready, unreachable, pressure, cordoned): fix the node, not the pod`,
              command: `kubectl describe node ${tainted[0]?.node.metadata.name ?? "<node>"}`,
            });
          } else if (!controlPlane && canRollout(group.subject.kind)) {
            const toleration: Toleration = { key: first.key, operator: "Exists", effect: first.effect };
            remediation.push({
              description: `If the pods belong on nodes tainted ${first.key}, tolerate the taint (otherwise make room on untainted nodes)`,
              command: `kubectl patch ${kubectlTarget(group.subject)} -n ${ns} --type=merge -p '${JSON.stringify({ spec: { template: { spec: { tolerations: [...(pod.spec.tolerations ?? []).filter((t) => !t.key?.startsWith("node.kubernetes.io/")), toleration] } } } })}'`,
              verify: `kubectl get pods -n ${ns} --field-selector=status.phase=Pending`,
              rollback: `kubectl rollout undo ${kubectlTarget(group.subject)} -n ${ns}`,
            });
          }
        }
      }

      if (categories.has("nodeSelection")) {
        const selector = pod.spec.nodeSelector;
        if (selector) evidence.push({ ref: podRef, path: "spec.nodeSelector", value: selector });
        const affinity = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
        if (affinity) evidence.push({ ref: podRef, path: "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution", value: affinity });
        const matching = selector ? nodes.filter((n) => Object.entries(selector).every(([k, v]) => n.metadata.labels?.[k] === v)) : [];
        const selectorText = selector ? Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",") : "";
        investigation.push({
          step: "Find nodes with the labels the pod selects",
          command: selector ? `kubectl get nodes -l ${selectorText}` : `kubectl get nodes --show-labels`,
          result: selector ? (nodes.length ? `${matching.length} of ${nodes.length} nodes have ${selectorText}` : "nodes not in the snapshot") : "compare with the pod's required node affinity",
          outcome: selector && nodes.length && matching.length ? "ok" : "problem",
        });
        // When some nodes carry the labels, the others are excluded as intended: the fix lies in the other causes.
        if (selector && (nodes.length === 0 || matching.length === 0)) {
          const [k, v] = Object.entries(selector)[0]!;
          remediation.push({
            description: `Fix the pod's nodeSelector (${selectorText}) if it is wrong; if it is right, label the node(s) meant to run the pod`,
            command: `kubectl label node <node> ${k}=${v}`,
            verify: `kubectl get pods -n ${ns} --field-selector=status.phase=Pending`,
            rollback: `kubectl label node <node> ${k}-`,
          });
        }
      }

      if (categories.has("cordoned")) {
        // Prefer the cordoned nodes the pod could otherwise use (its nodeSelector/affinity admits them):
        // uncordoning a node the pod does not select would not help it.
        const allCordoned = nodes.filter((n) => n.spec?.unschedulable);
        const selectable = allCordoned.filter((n) => podMatchesNodeAffinity(pod, n));
        const cordoned = selectable.length ? selectable : allCordoned;
        for (const n of cordoned.slice(0, 5)) evidence.push({ ref: refOf(n), path: "spec.unschedulable", value: true, note: "cordoned" });
        investigation.push({
          step: "List cordoned nodes",
          command: "kubectl get nodes",
          result: cordoned.length ? `SchedulingDisabled: ${cordoned.map((n) => n.metadata.name).join(", ")}` : "nodes not in the snapshot",
          outcome: "problem",
        });
        const node = cordoned[0]?.metadata.name ?? "<node>";
        remediation.push({
          description: `If the maintenance that cordoned ${node} is over, uncordon it`,
          command: `kubectl uncordon ${node}`,
          verify: `kubectl get pods -n ${ns} --field-selector=status.phase=Pending`,
          rollback: `kubectl cordon ${node}`,
        });
      }

      if (categories.has("volume")) {
        (pod.spec.volumes ?? []).forEach((v, i) => {
          if (v.persistentVolumeClaim) evidence.push({ ref: podRef, path: `spec.volumes[${i}].persistentVolumeClaim.claimName`, value: v.persistentVolumeClaim.claimName });
        });
        const claim = pod.spec.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
        investigation.push({
          step: "Check the pod's volume claims",
          command: claim ? `kubectl describe pvc ${claim} -n ${ns}` : `kubectl get pvc -n ${ns}`,
          result: "the scheduler rejects nodes because of the pod's volumes: see the claim's status and events",
          outcome: "problem",
        });
        remediation.push({ description: "Fix the volume the scheduler names (a missing or unbound claim, a volume pinned to another zone or node)", command: claim ? `kubectl describe pvc ${claim} -n ${ns}` : `kubectl get pvc -n ${ns}` });
      }

      if (categories.has("podAffinity") || categories.has("topologySpread")) {
        if (pod.spec.affinity) evidence.push({ ref: podRef, path: "spec.affinity", value: pod.spec.affinity });
        if (pod.spec.topologySpreadConstraints) evidence.push({ ref: podRef, path: "spec.topologySpreadConstraints", value: pod.spec.topologySpreadConstraints });
        remediation.push({
          description: "Relax the pod (anti-)affinity or topology spread constraints (e.g. preferred instead of required, whenUnsatisfiable: ScheduleAnyway), or add nodes in the missing topology domains",
          command: `kubectl edit ${kubectlTarget(group.subject)} -n ${ns}`,
          verify: `kubectl get pods -n ${ns} --field-selector=status.phase=Pending`,
          ...(canRollout(group.subject.kind) ? { rollback: `kubectl rollout undo ${kubectlTarget(group.subject)} -n ${ns}` } : {}),
        });
      }

      if (pods.length > 1) {
        investigation.push({
          step: `Check the other pods of ${formatRef(group.subject)}`,
          command: `kubectl get pods -n ${ns} --field-selector=status.phase=Pending`,
          result: `${podCount(pods.length)} unschedulable: ${podNames(pods)}`,
          outcome: "problem",
        });
      }

      const causesText = (verdict?.causes ?? []).map((c) => c.text).join(", ");
      const data: Record<string, string | number> = {
        workload: formatRef(group.subject),
        pods: podCount(pods.length),
        age: formatAge(now - since),
        message: detail.message,
        nodes: verdict?.total ?? 0,
        causes: causesText,
        requests: requests.join(", ") || "no explicit requests",
      };
      let messageId: "insufficientResources" | "constraintsUnsatisfied" | "noNodes" | "unparsed";
      if (!verdict) messageId = "unparsed";
      else if (verdict.total === 0) messageId = "noNodes";
      else if (verdict.causes.length > 0 && verdict.causes.every((c) => c.category === "resources")) messageId = "insufficientResources";
      else if (verdict.causes.length > 0) messageId = "constraintsUnsatisfied";
      else messageId = "unparsed";
      if (remediation.length === 0) remediation.push(genericRemediation(group.subject, ns));

      // Pending only because of its volumes: a finding about the claim (pvc-pending) explains it.
      const onlyVolumes = verdict !== undefined && verdict.causes.length > 0 && verdict.causes.every((c) => c.category === "volume");
      const causedBy = onlyVolumes
        ? (pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [{ kind: "PersistentVolumeClaim", namespace: ns, name: v.persistentVolumeClaim.claimName }] : []))
        : undefined;
      report(messageId, { subject: group.subject, data, evidence, investigation, remediation, affected: pods.map((p) => refOf(p)), causedBy });
    }
  },
});

function genericRemediation(subject: ObjectRef, ns: string): Remediation {
  return {
    description: "Change what the scheduler's message names (the pod's constraints, or the nodes), then watch the pods get scheduled",
    command: `kubectl edit ${kubectlTarget(subject)} -n ${ns}`,
    verify: verifyCommand(subject, []),
  };
}
