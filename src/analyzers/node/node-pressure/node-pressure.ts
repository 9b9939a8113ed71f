// Decides whether a Node is under memory, disk or PID pressure, and whether the kubelet has evicted pods for it.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Node, Pod } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { eventCount, eventTime, formatAge, parseTime } from "../../../semantics/time.js";
import { fullDirectories } from "../node-diagnostics.js";

interface PressureKind {
  condition: "MemoryPressure" | "DiskPressure" | "PIDPressure";
  messageId: "memoryPressure" | "diskPressure" | "pidPressure";
  /** The taint TaintNodesByCondition adds (NoSchedule). */
  taint: string;
  /** Resources the kubelet names in "The node was low on resource: X." for this condition (eviction manager signalToResource). */
  resources: readonly string[];
  /** The node status field of the resource, for capacity evidence. */
  capacity?: string;
}

const PRESSURES: readonly PressureKind[] = [
  { condition: "MemoryPressure", messageId: "memoryPressure", taint: "node.kubernetes.io/memory-pressure", resources: ["memory"], capacity: "memory" },
  {
    condition: "DiskPressure",
    messageId: "diskPressure",
    taint: "node.kubernetes.io/disk-pressure",
    resources: ["ephemeral-storage", "nodefs", "imagefs", "containerfs", "inodes", "nodefsInodes", "imagefsInodes", "containerfsInodes"],
    capacity: "ephemeral-storage",
  },
  { condition: "PIDPressure", messageId: "pidPressure", taint: "node.kubernetes.io/pid-pressure", resources: ["pids", "pid"] },
];

/** The resource named in a kubelet eviction message ("The node was low on resource: memory. Threshold quantity: ..."). */
function evictedFor(pod: Pod): string | undefined {
  if (pod.status?.reason !== "Evicted") return undefined;
  return /The node was low on resource: ([\w-]+)/.exec(pod.status.message ?? "")?.[1];
}

/** When the pod was evicted: its DisruptionTarget condition (1.26+), else the last container termination. */
function evictedAt(pod: Pod): number | undefined {
  const disruption = pod.status?.conditions?.find((c) => c.type === "DisruptionTarget");
  const t = parseTime(disruption?.lastTransitionTime);
  if (t !== undefined) return t;
  const finished = (pod.status?.containerStatuses ?? [])
    .map((s) => parseTime(s.state?.terminated?.finishedAt))
    .filter((x): x is number => x !== undefined);
  return finished.length ? Math.max(...finished) : undefined;
}

export const nodePressure = defineAnalyzer({
  id: "node-pressure",
  title: "Node under resource pressure",
  area: "node",
  severity: "warning",
  needs: ["Node", "Pod", "Event"],
  messages: {
    memoryPressure: {
      summary: "Node {{node}} has MemoryPressure since {{since}} ago ({{reason}})",
      rootCause:
        "The kubelet's eviction manager found memory.available below its eviction threshold and set MemoryPressure=True: the node is tainted node.kubernetes.io/memory-pressure (no new BestEffort pods), and the kubelet will evict pods, BestEffort and over-request Burstable first, if memory is not reclaimed.",
      remediation: "Find the pods using more memory than they request, give them realistic requests and limits, or move load off the node.",
    },
    diskPressure: {
      summary: "Node {{node}} has DiskPressure since {{since}} ago ({{reason}})",
      rootCause:
        "The kubelet found nodefs or imagefs (space or inodes) below its eviction threshold and set DiskPressure=True: the node is tainted node.kubernetes.io/disk-pressure, the kubelet garbage-collects images and dead containers and will evict pods by their ephemeral-storage use.",
      remediation: "Free disk on the node (unused images, container logs, emptyDir data), and set ephemeral-storage requests and limits on heavy writers.",
    },
    pidPressure: {
      summary: "Node {{node}} has PIDPressure since {{since}} ago ({{reason}})",
      rootCause:
        "The kubelet found the available process IDs below its threshold and set PIDPressure=True: the node is tainted node.kubernetes.io/pid-pressure and the kubelet will evict pods to free PIDs; a process leak in one pod can starve every pod on the node.",
      remediation: "Find the pod that forks without bound and fix it; cap pods with the kubelet's podPidsLimit.",
    },
    evictingPods: {
      summary: "Node {{node}} has {{condition}} and the kubelet evicted {{evictedPods}} for {{resource}}",
      rootCause:
        "{{condition}} has been True for {{since}} ({{reason}}) and the kubelet's eviction manager evicted {{evictedPods}} with \"The node was low on resource: {{resource}}\": their containers were killed and the pods left in phase Failed; their controllers re-create them, possibly on the same node.",
      remediation: "Relieve the pressure (requests and limits that match real use, fewer pods on the node), then delete the Evicted pods.",
      severity: "error",
    },
  },
  run({ snapshot, index, now, report }) {
    for (const node of index.all<Node>("Node")) {
      if (node.metadata.deletionTimestamp) continue;
      const name = node.metadata.name;
      const ref = refOf(node);
      const conditions = node.status?.conditions ?? [];
      const podsOnNode = index.podsOnNode(node);
      const nodeEvents = index.eventsFor(node);
      for (const kind of PRESSURES) {
        const i = conditions.findIndex((c) => c.type === kind.condition);
        const c = conditions[i];
        if (!c || c.status !== "True") continue;
        const since = parseTime(c.lastTransitionTime);
        const base = `status.conditions[${i}]`;
        const evidence: Evidence[] = [
          { ref, path: `${base}.status`, value: c.status, note: `${kind.condition}=True` },
          ...(c.reason ? [{ ref, path: `${base}.reason`, value: c.reason, note: c.message }] : []),
          ...(c.lastTransitionTime
            ? [{ ref, path: `${base}.lastTransitionTime`, value: c.lastTransitionTime, note: since !== undefined ? `${formatAge(now - since)} ago` : undefined }]
            : []),
        ];
        (node.spec?.taints ?? []).forEach((t, k) => {
          if (t.key === kind.taint) evidence.push({ ref, path: `spec.taints[${k}]`, value: { key: t.key, effect: t.effect } });
        });
        if (kind.capacity) {
          const capacity = node.status?.capacity?.[kind.capacity];
          const allocatable = node.status?.allocatable?.[kind.capacity];
          if (capacity) evidence.push({ ref, path: `status.capacity.${kind.capacity}`, value: capacity });
          if (allocatable) evidence.push({ ref, path: `status.allocatable.${kind.capacity}`, value: allocatable });
        }
        // kubelet eviction manager event on the node: reason EvictionThresholdMet, "Attempting to reclaim <resource>".
        const thresholdEvents = nodeEvents.filter(
          (e) => e.reason === "EvictionThresholdMet" && kind.resources.some((r) => (e.message ?? "").includes(r)),
        );
        for (const e of thresholdEvents.slice(-3)) {
          evidence.push({
            ref: { kind: "Event", namespace: e.metadata.namespace, name: e.metadata.name },
            path: "event",
            value: e.message ?? "",
            note: `EvictionThresholdMet x${eventCount(e)}, last ${eventTime(e) ?? "unknown"}`,
          });
        }
        // Evicted during this pressure episode (or at an unknown time).
        const evicted = podsOnNode.filter((p) => {
          const resource = evictedFor(p);
          if (!resource || !kind.resources.includes(resource)) return false;
          const at = evictedAt(p);
          return at === undefined || since === undefined || at >= since;
        });
        const resource = evicted.length ? evictedFor(evicted[0]!)! : kind.resources[0]!;
        for (const p of evicted.slice(0, 10)) {
          const at = evictedAt(p);
          evidence.push({
            ref: refOf(p),
            path: "status.message",
            value: p.status?.message ?? "",
            note: `status.reason=Evicted${at !== undefined ? `, ${formatAge(now - at)} ago` : ", time unknown"}`,
          });
        }
        if (evicted.length) evidence.push({ ref, value: evicted.length, note: `Evicted pods on ${name} for ${resource} since ${kind.condition} turned True` });

        const data = {
          node: name,
          condition: kind.condition,
          since: since !== undefined ? formatAge(now - since) : "an unknown time",
          reason: c.reason ?? kind.condition,
          evicted: evicted.length,
          evictedPods: evicted.length === 1 ? "1 pod" : `${evicted.length} pods`,
          resource,
        };
        const investigation: InvestigationStep[] = [
          {
            step: "Read the node's conditions, taints and allocated resources",
            command: `kubectl describe node ${name}`,
            result: `${kind.condition}=True${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ""})` : ""}`,
            outcome: "problem",
          },
          {
            step: "Read the kubelet's eviction events on the node",
            command: `kubectl get events --field-selector involvedObject.kind=Node,involvedObject.name=${name},reason=EvictionThresholdMet`,
            result: thresholdEvents.length ? thresholdEvents.map((e) => `${e.message} x${eventCount(e)}`).join("; ") : "no EvictionThresholdMet event in the snapshot",
            outcome: thresholdEvents.length ? "problem" : "unknown",
          },
          {
            step: "List the pods on the node, evicted ones included",
            command: `kubectl get pods -A --field-selector spec.nodeName=${name} -o wide`,
            result: evicted.length
              ? `${evicted.length} Evicted for ${resource}: ${evicted.slice(0, 5).map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ")}`
              : `${podsOnNode.length} pods, none evicted for ${kind.resources[0]} during this episode`,
            outcome: evicted.length ? "problem" : "ok",
          },
        ];
        const remediation: Remediation[] = [];
        if (kind.condition === "MemoryPressure") {
          remediation.push({
            description: "Find the pods using the most memory on the node and give them requests and limits that match their real use",
            command: `kubectl describe node ${name} | sed -n '/Non-terminated Pods/,/Allocated resources/p'; kubectl top pods -A --sort-by=memory`,
            verify: `kubectl get node ${name} -o jsonpath='{.status.conditions[?(@.type=="MemoryPressure")].status}'   # False`,
          });
        } else if (kind.condition === "DiskPressure") {
          remediation.push({
            description: "Free disk on the node: unused images, large container logs, emptyDir data",
            command: `kubectl debug node/${name} -it --image=busybox -- chroot /host sh -c 'df -h /var/lib/kubelet /var/lib/containerd /var/log; crictl rmi --prune'`,
            verify: `kubectl get node ${name} -o jsonpath='{.status.conditions[?(@.type=="DiskPressure")].status}'   # False`,
          });
        } else {
          remediation.push({
            description: "Find the pod whose processes multiply and fix it; set podPidsLimit in the kubelet configuration",
            command: `kubectl debug node/${name} -it --image=busybox -- chroot /host sh -c 'ps -e -o pid,ppid,comm | wc -l; ps -e -o comm | sort | uniq -c | sort -rn | head'`,
            verify: `kubectl get node ${name} -o jsonpath='{.status.conditions[?(@.type=="PIDPressure")].status}'   # False`,
          });
        }
        remediation.push({
          description: `Keep new pods off ${name} until the pressure is gone`,
          command: `kubectl cordon ${name}`,
          verify: `kubectl get node ${name}`,
          rollback: `kubectl uncordon ${name}`,
        });
        if (evicted.length) {
          const byNamespace = new Map<string, string[]>();
          for (const p of evicted) byNamespace.set(p.metadata.namespace ?? "default", [...(byNamespace.get(p.metadata.namespace ?? "default") ?? []), p.metadata.name]);
          remediation.push({
            description: "Once the node has recovered, delete the Evicted pods (their controllers have already replaced them)",
            command: [...byNamespace].map(([ns, names]) => `kubectl delete pod -n ${ns} ${names.join(" ")}`).join(" && "),
            verify: `kubectl get pods -A --field-selector spec.nodeName=${name},status.phase=Failed`,
          });
        }
        // A node-diagnostics file showing the kubelet/runtime filesystem full explains DiskPressure: group under that finding.
        const diagnostics = kind.condition === "DiskPressure" ? snapshot.nodeDiagnostics?.find((d) => d.node === name) : undefined;
        const diskFull = diagnostics ? fullDirectories(diagnostics).length > 0 : false;
        report(evicted.length ? "evictingPods" : kind.messageId, {
          subject: ref,
          ...(diskFull ? { causedBy: [{ ...ref, code: "node-disk-nearly-full/" }] } : {}),
          data,
          evidence,
          affected: evicted.map(refOf),
          investigation,
          remediation,
        });
      }
    }
  },
});
