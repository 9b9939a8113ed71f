// Decides whether a Node is under memory, disk or PID pressure, and whether the kubelet has evicted pods for it.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Event, Node, Pod } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { eventCount, eventTime, formatAge, parseTime } from "../../../semantics/time.js";
import { describeConsumer, formatBytes, overcommit, topConsumers } from "./consumers.js";
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
  needs: ["Node", "Pod", "Event", "PodMetrics"],
  messages: {
    memoryPressure: {
      summary: "Node {{node}} has MemoryPressure since {{since}} ago ({{reason}})",
      rootCause:
        "The kubelet's eviction manager found memory.available below its eviction threshold and set MemoryPressure=True: the node is tainted node.kubernetes.io/memory-pressure (no new BestEffort pods), and the kubelet will evict pods, BestEffort and over-request Burstable first, if memory is not reclaimed.{{details}}",
      remediation: "Find the pods using more memory than they request, give them realistic requests and limits, or move load off the node.",
    },
    diskPressure: {
      summary: "Node {{node}} has DiskPressure since {{since}} ago ({{reason}})",
      rootCause:
        "The kubelet found nodefs or imagefs (space or inodes) below its eviction threshold and set DiskPressure=True: the node is tainted node.kubernetes.io/disk-pressure, the kubelet garbage-collects images and dead containers and will evict pods by their ephemeral-storage use.{{details}}",
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
        "{{condition}} has been True for {{since}} ({{reason}}) and the kubelet's eviction manager evicted {{evictedPods}} with \"The node was low on resource: {{resource}}\": their containers were killed and the pods left in phase Failed; their controllers re-create them, possibly on the same node.{{details}}",
      remediation: "Relieve the pressure (requests and limits that match real use, fewer pods on the node), then delete the Evicted pods.",
      severity: "error",
    },
  },
  run({ snapshot, index, now, report }) {
    // The kubelet's Evicted events on pods, by the node that recorded them: they outlive pods deleted after eviction.
    const evictedEvents = new Map<string, Event[]>();
    for (const e of index.all<Event>("Event")) {
      if (e.reason !== "Evicted" || e.involvedObject.kind !== "Pod") continue;
      const host = e.source?.host ?? (e as { reportingInstance?: string }).reportingInstance;
      if (host) evictedEvents.set(host, [...(evictedEvents.get(host) ?? []), e]);
    }
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
        // Evicted events of pods no longer in the snapshot (deleted since), during this episode, for this resource.
        const evictedNames = new Set(evicted.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
        const goneEvents = (evictedEvents.get(name) ?? []).filter((e) => {
          const resourceOf = /The node was low on resource: ([\w-]+)/.exec(e.message ?? "")?.[1];
          const at = parseTime(eventTime(e));
          const key = `${e.involvedObject.namespace}/${e.involvedObject.name}`;
          return (
            resourceOf !== undefined &&
            kind.resources.includes(resourceOf) &&
            !evictedNames.has(key) &&
            !index.get("Pod", e.involvedObject.namespace, e.involvedObject.name ?? "") &&
            (at === undefined || since === undefined || at >= since)
          );
        });
        const goneRefs = [...new Map(goneEvents.map((e) => [`${e.involvedObject.namespace}/${e.involvedObject.name}`, { kind: "Pod", namespace: e.involvedObject.namespace, name: e.involvedObject.name ?? "" }])).values()];
        const evictedTotal = evicted.length + goneRefs.length;
        const resource = evicted.length
          ? evictedFor(evicted[0]!)!
          : (/The node was low on resource: ([\w-]+)/.exec(goneEvents[0]?.message ?? "")?.[1] ?? kind.resources[0]!);
        for (const p of evicted.slice(0, 10)) {
          const at = evictedAt(p);
          evidence.push({
            ref: refOf(p),
            path: "status.message",
            value: p.status?.message ?? "",
            note: `status.reason=Evicted${at !== undefined ? `, ${formatAge(now - at)} ago` : ", time unknown"}`,
          });
        }
        for (const e of goneEvents.slice(0, 10)) {
          evidence.push({
            ref: { kind: "Event", namespace: e.metadata.namespace, name: e.metadata.name },
            path: "event",
            value: e.message ?? "",
            note: `Evicted ${e.involvedObject.namespace}/${e.involvedObject.name} (the pod is no longer in the snapshot), ${eventTime(e) ?? "time unknown"}`,
          });
        }
        if (evictedTotal) evidence.push({ ref, value: evictedTotal, note: `Evicted pods on ${name} for ${resource} since ${kind.condition} turned True${goneRefs.length ? ` (${goneRefs.length} known only from Evicted events)` : ""}` });

        // The pods using the most of the resource, and the node's limits against allocatable.
        const resourceName = kind.condition === "MemoryPressure" ? "memory" : kind.condition === "DiskPressure" ? "ephemeral-storage" : undefined;
        let top = kind.condition === "PIDPressure" ? "Per-pod process counts are not in the API: cannot rank the pods by PIDs (see the node's ps output)." : "";
        const rankStep: InvestigationStep[] = [];
        if (resourceName) {
          const { basis, consumers } = topConsumers(index, podsOnNode, resourceName);
          const shown = consumers.slice(0, 5);
          for (const c of shown) {
            evidence.push({
              ref: refOf(c.pod),
              path: basis === "usage" ? `PodMetrics containers[*].usage.${resourceName}` : `spec.containers[*].resources`,
              value: describeConsumer(c, resourceName),
              note: c.limit === undefined ? `no ${resourceName} limit: nothing caps its use` : undefined,
            });
          }
          const o = overcommit(consumers, node.status?.allocatable?.[resourceName]);
          const pct = o.allocatable ? Number((o.limits * 1000n) / (o.allocatable || 1n)) / 10 : undefined;
          if (o.allocatable !== undefined && consumers.length) {
            evidence.push({
              ref,
              path: `status.allocatable.${resourceName}`,
              value: `limits ${formatBytes(o.limits)} of allocatable ${formatBytes(o.allocatable)}`,
              note: `${pct}% of allocatable in limits${o.unbounded ? `, plus ${o.unbounded} pod${o.unbounded === 1 ? "" : "s"} without a ${resourceName} limit (unbounded)` : ""}${o.limits > o.allocatable ? ": overcommitted" : ""}`,
            });
          }
          const by = basis === "usage" ? "measured use (metrics.k8s.io)" : "requests and limits (no metrics.k8s.io use in the snapshot)";
          top = shown.length
            ? `Pods on the node by ${by}: ${shown.map((c) => `${c.pod.metadata.namespace}/${c.pod.metadata.name} (${describeConsumer(c, resourceName)})`).join("; ")}.${o.unbounded ? ` ${o.unbounded} running pod${o.unbounded === 1 ? " has" : "s have"} no ${resourceName} limit.` : ""}`
            : "";
          rankStep.push({
            step: `Rank the pods on the node by ${resourceName}`,
            command: basis === "usage" || resourceName === "memory" ? `kubectl top pods -A --sort-by=memory --field-selector spec.nodeName=${name}` : `kubectl describe node ${name} | sed -n '/Non-terminated Pods/,/Allocated resources/p'`,
            result: top || "no running pods",
            outcome: o.unbounded || (o.allocatable !== undefined && o.limits > o.allocatable) ? "problem" : "ok",
          });
        }
        // nodefs (kubelet root dir: logs, emptyDir, writable layers on the same fs) or imagefs (images, and writable layers when split).
        let fs = "";
        const gcEvents = kind.condition === "DiskPressure" ? nodeEvents.filter((e) => e.reason === "ImageGCFailed" || e.reason === "FreeDiskSpaceFailed") : [];
        if (kind.condition === "DiskPressure") {
          for (const e of gcEvents.slice(-2)) {
            evidence.push({ ref: { kind: "Event", namespace: e.metadata.namespace, name: e.metadata.name }, path: "event", value: e.message ?? "", note: `${e.reason} x${eventCount(e)}: image garbage collection could not free enough of the image filesystem` });
          }
          const messages = [...evicted.map((p) => p.status?.message ?? ""), ...goneEvents.map((e) => e.message ?? "")];
          const containerUse = messages.some((m) => /Container \S+ was using/.test(m));
          const emptyDir = messages.some((m) => /EmptyDir volume/.test(m));
          const inodes = messages.some((m) => /The node was low on resource: \w*inodes/i.test(m));
          const parts = [
            ...(inodes ? ["the kubelet ran out of inodes"] : []),
            ...(containerUse ? ["the kubelet's eviction messages name containers' own use (writable layer and logs, on nodefs unless the runtime splits them onto imagefs)"] : []),
            ...(emptyDir ? ["emptyDir volumes (nodefs)"] : []),
            ...(gcEvents.length ? ["image garbage collection failed to free the image filesystem (imagefs)"] : []),
          ];
          fs = parts.length
            ? `Filesystem: ${parts.join("; ")}.`
            : "Cannot tell nodefs from imagefs from the API objects: the kubelet's log (eviction manager, \"attempting to reclaim\") names the signal.";
        }

        const data = {
          node: name,
          details: [fs, top].filter(Boolean).map((x) => ` ${x}`).join(""),
          condition: kind.condition,
          since: since !== undefined ? formatAge(now - since) : "an unknown time",
          reason: c.reason ?? kind.condition,
          evicted: evictedTotal,
          evictedPods: evictedTotal === 1 ? "1 pod" : `${evictedTotal} pods`,
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
            result: evictedTotal
              ? `${evictedTotal} Evicted for ${resource}: ${[...evicted.map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ...goneRefs.map((r) => `${r.namespace}/${r.name} (deleted)`)].slice(0, 5).join(", ")}`
              : `${podsOnNode.length} pods, none evicted for ${kind.resources[0]} during this episode`,
            outcome: evictedTotal ? "problem" : "ok",
          },
          ...rankStep,
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
            description: "See which filesystem is short (nodefs: /var/lib/kubelet and /var/log; imagefs: the runtime's image store) and what fills it",
            command: `kubectl debug node/${name} -it --image=busybox -- chroot /host sh -c 'df -h /var/lib/kubelet /var/lib/containerd /var/log; df -i /var/lib/kubelet /var/lib/containerd; du -sh /var/log/pods/* | sort -h | tail'`,
          });
          remediation.push({
            description: "Free the image filesystem: remove unused images",
            command: `kubectl debug node/${name} -it --image=busybox -- chroot /host crictl rmi --prune`,
            verify: `kubectl get node ${name} -o jsonpath='{.status.conditions[?(@.type=="DiskPressure")].status}'   # False`,
          });
          remediation.push({
            description: "Free the node filesystem: trim the journal and oversized container logs; cap logs with the kubelet's containerLogMaxSize / containerLogMaxFiles, and give heavy writers ephemeral-storage requests and limits",
            command: `kubectl debug node/${name} -it --image=busybox -- chroot /host sh -c 'journalctl --vacuum-size=500M; find /var/log/pods -name "*.log" -size +100M -exec truncate -s 0 {} +'`,
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
        report(evictedTotal ? "evictingPods" : kind.messageId, {
          subject: ref,
          ...(diskFull ? { causedBy: [{ ...ref, code: "node-disk-nearly-full/" }] } : {}),
          data,
          evidence,
          affected: [...evicted.map(refOf), ...goneRefs],
          investigation,
          remediation,
        });
      }
    }
  },
});
