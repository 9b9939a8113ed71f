// Decides whether a Node is NotReady (kubelet reports it) or unreachable (kubelet silent), and whether it is flapping.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Condition, Event, Node, Pod } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { eventCount, eventTime, formatAge, parseTime } from "../../../semantics/time.js";
import { downServices } from "../node-diagnostics.js";

/** A node younger than this may still be bootstrapping (CNI not initialised yet): not reported unless flapping. */
const JOIN_GRACE_MS = 5 * 60_000;
/** NotReady transitions in the events from which a node counts as flapping. */
const FLAPPING_TRANSITIONS = 3;
/** Taints that say the node is being removed on purpose (cluster-autoscaler, Karpenter). */
const REMOVAL_TAINTS = new Set(["ToBeDeletedByClusterAutoscaler", "karpenter.sh/disrupted", "karpenter.sh/disruption"]);
/** The taints the node lifecycle controller puts on NotReady / unreachable nodes (TaintNodesByCondition, taint-based eviction). */
const HEALTH_TAINTS = new Set(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]);

function readyCondition(node: Node): { condition: Condition; index: number } | undefined {
  const conditions = node.status?.conditions ?? [];
  const index = conditions.findIndex((c) => c.type === "Ready");
  return index < 0 ? undefined : { condition: conditions[index]!, index };
}

function isActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed";
}

function sourceOf(event: Event): string {
  return event.source?.component ?? event.reportingComponent ?? "unknown";
}

/**
 * NotReady transitions in the events. The node lifecycle controller records NodeNotReady for every
 * Ready=True -> not True it observes, and the kubelet records one too when it reports False itself:
 * count the controller's events when there are any, so one transition is not counted twice.
 */
function notReadyTransitions(events: readonly Event[]): { count: number; events: Event[] } {
  const all = events.filter((e) => e.reason === "NodeNotReady");
  const fromController = all.filter((e) => sourceOf(e) === "node-controller");
  const counted = fromController.length ? fromController : all;
  return { count: counted.reduce((n, e) => n + eventCount(e), 0), events: counted };
}

function readyTransitions(events: readonly Event[]): { count: number; events: Event[] } {
  const all = events.filter((e) => e.reason === "NodeReady");
  return { count: all.reduce((n, e) => n + eventCount(e), 0), events: all };
}

/** The span the events cover: first seen of the oldest to last seen of the newest. */
function eventWindow(events: readonly Event[]): number | undefined {
  const first = events.map((e) => parseTime(e.firstTimestamp ?? e.eventTime ?? eventTime(e))).filter((t): t is number => t !== undefined);
  const last = events.map((e) => parseTime(eventTime(e))).filter((t): t is number => t !== undefined);
  return first.length && last.length ? Math.max(...last) - Math.min(...first) : undefined;
}

export const nodeNotReady = defineAnalyzer({
  id: "node-not-ready",
  title: "Node not ready",
  area: "node",
  severity: "error",
  needs: ["Node", "Pod", "Event"],
  messages: {
    notReady: {
      summary: "Node {{node}} is NotReady for {{since}} ({{reason}}), {{pods}} pods on it",
      rootCause:
        "The kubelet on {{node}} reports Ready=False: {{message}}. The node lifecycle controller taints it node.kubernetes.io/not-ready: no new pods are scheduled there, and pods without a matching toleration are evicted after their tolerationSeconds (300 s by default).",
      remediation: "Fix what the kubelet reports (container runtime, CNI plugin, PLEG, disk) on the node, or drain and replace it.",
    },
    unreachable: {
      summary: "Node {{node}} is unreachable: its kubelet stopped posting status {{since}} ago, {{pods}} pods on it",
      rootCause:
        "Ready is Unknown ({{reason}}: {{message}}): the control plane has not heard from the kubelet since {{lastHeartbeat}}. The machine is down, cut off from the API server, or its kubelet is stopped. The node is tainted node.kubernetes.io/unreachable; its pods are marked not Ready and evicted after their tolerationSeconds (300 s by default), StatefulSet pods are not replaced until the node is confirmed gone.",
      remediation: "Get the machine and its kubelet back (console, cloud provider, kubelet logs), or drain and delete the Node if the machine is gone.",
    },
    flapping: {
      summary: "Node {{node}} is flapping: {{notReadyCount}} NotReady and {{readyCount}} Ready transitions in its events over {{window}}; Ready is {{status}} now",
      rootCause:
        "The events of {{node}} record {{notReadyCount}} NotReady transitions (node-controller / kubelet, reason NodeNotReady) and {{readyCount}} recoveries (NodeReady) over {{window}}. A node that keeps dropping out restarts or evicts its pods each time and makes rollouts and endpoints churn; typical causes are an overloaded or resource-starved kubelet, lost API server connectivity or a crashing container runtime.",
      remediation: "Look at the kubelet and container runtime logs around the transitions and at the node's resource use; cordon the node until it is stable.",
      severity: "warning",
    },
  },
  run({ snapshot, index, now, report }) {
    for (const node of index.all<Node>("Node")) {
      const name = node.metadata.name;
      if (node.metadata.deletionTimestamp) continue;
      const taints = node.spec?.taints ?? [];
      if (taints.some((t) => REMOVAL_TAINTS.has(t.key))) continue; // scale-down in progress
      const ready = readyCondition(node);
      if (!ready) continue; // just registered: the kubelet has not posted a status yet
      const c = ready.condition;
      const notReadyNow = c.status !== "True";

      const events = index.eventsFor(node);
      const down = notReadyTransitions(events);
      const up = readyTransitions(events);
      const isFlapping = down.count >= FLAPPING_TRANSITIONS;
      if (!notReadyNow && !isFlapping) continue;
      const created = parseTime(node.metadata.creationTimestamp);
      if (!isFlapping && created !== undefined && now - created < JOIN_GRACE_MS) continue; // still joining

      const ref = refOf(node);
      const pods = index.podsOnNode(node).filter(isActive);
      const since = parseTime(c.lastTransitionTime);
      const heartbeat = parseTime(c.lastHeartbeatTime);
      const base = `status.conditions[${ready.index}]`;
      const evidence: Evidence[] = [
        { ref, path: `${base}.status`, value: c.status, note: `Ready=${c.status}` },
        ...(c.reason ? [{ ref, path: `${base}.reason`, value: c.reason }] : []),
        ...(c.message ? [{ ref, path: `${base}.message`, value: c.message }] : []),
        ...(c.lastTransitionTime
          ? [{ ref, path: `${base}.lastTransitionTime`, value: c.lastTransitionTime, note: since !== undefined ? `${formatAge(now - since)} ago` : undefined }]
          : []),
        ...(c.lastHeartbeatTime && c.status === "Unknown"
          ? [{ ref, path: `${base}.lastHeartbeatTime`, value: c.lastHeartbeatTime, note: heartbeat !== undefined ? `last heard from the kubelet ${formatAge(now - heartbeat)} ago` : undefined }]
          : []),
      ];
      taints.forEach((t, k) => {
        if (HEALTH_TAINTS.has(t.key)) evidence.push({ ref, path: `spec.taints[${k}]`, value: { key: t.key, effect: t.effect }, note: t.timeAdded ? `added ${t.timeAdded}` : undefined });
      });
      evidence.push({
        ref,
        value: pods.length,
        note: pods.length ? `pods with spec.nodeName=${name}: ${pods.slice(0, 10).map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ")}${pods.length > 10 ? ", ..." : ""}` : "no running pods on the node",
      });

      const address = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
      const investigation: InvestigationStep[] = [
        { step: "Check the node's status", command: `kubectl get node ${name} -o wide`, result: `Ready=${c.status}${c.reason ? ` (${c.reason})` : ""}`, outcome: notReadyNow ? "problem" : "ok" },
        {
          step: "Read the node's conditions and taints",
          command: `kubectl describe node ${name}`,
          result: [c.message, ...taints.filter((t) => HEALTH_TAINTS.has(t.key)).map((t) => `taint ${t.key}:${t.effect}`)].filter(Boolean).join("; ") || "no message",
          outcome: notReadyNow ? "problem" : "ok",
        },
        {
          step: "Read the node's events",
          command: `kubectl get events --field-selector involvedObject.kind=Node,involvedObject.name=${name} --sort-by=.lastTimestamp`,
          result: `NodeNotReady x${down.count}, NodeReady x${up.count}`,
          outcome: isFlapping ? "problem" : "ok",
        },
        {
          step: "List the pods on the node",
          command: `kubectl get pods -A --field-selector spec.nodeName=${name} -o wide`,
          result: `${pods.length} pods`,
          outcome: pods.length ? "problem" : "ok",
        },
      ];
      const kubeletLogs = address
        ? `ssh ${address} 'sudo systemctl status kubelet containerd; sudo journalctl -u kubelet --since "-1h" | tail -n 200'`
        : `kubectl debug node/${name} -it --image=busybox -- chroot /host journalctl -u kubelet --since "-1h"`;
      const waitReady = `kubectl wait --for=condition=Ready node/${name} --timeout=10m`;
      const drain: Remediation = {
        description: `If the machine cannot be recovered, move its workloads off and remove the Node object`,
        command: `kubectl drain ${name} --ignore-daemonsets --delete-emptydir-data --timeout=5m && kubectl delete node ${name}`,
        verify: `kubectl get pods -A --field-selector spec.nodeName=${name}`,
        rollback: `kubectl uncordon ${name} (before the delete; a deleted Node re-registers when its kubelet starts again)`,
      };

      const data = {
        node: name,
        since: since !== undefined ? formatAge(now - since) : "an unknown time",
        reason: c.reason ?? "no reason given",
        message: c.message ?? "no message",
        pods: pods.length,
      };
      if (isFlapping) {
        const span = eventWindow([...down.events, ...up.events]);
        const window = span !== undefined ? formatAge(span) : "the retained events";
        const recent = [...down.events, ...up.events].sort((a, b) => (eventTime(a) ?? "").localeCompare(eventTime(b) ?? "")).slice(-6);
        for (const e of recent) {
          evidence.push({
            ref: { kind: "Event", namespace: e.metadata.namespace, name: e.metadata.name },
            path: "event",
            value: `${e.reason}: ${e.message ?? ""}`.trim(),
            note: `x${eventCount(e)} from ${sourceOf(e)}, last ${eventTime(e) ?? "unknown"}`,
          });
        }
        evidence.push({ ref, value: down.count, note: `NodeNotReady transitions (sum of event counts); NodeReady: ${up.count} over ${window}` });
        report("flapping", {
          subject: ref,
          severity: notReadyNow ? "error" : "warning",
          data: { ...data, notReadyCount: down.count, readyCount: up.count, window, status: c.status },
          evidence,
          affected: pods.map(refOf),
          investigation,
          remediation: [
            {
              description: `Keep new pods off ${name} while it is unstable`,
              command: `kubectl cordon ${name}`,
              verify: `kubectl get node ${name}  # STATUS shows SchedulingDisabled`,
              rollback: `kubectl uncordon ${name}`,
            },
            { description: "Read the kubelet and runtime logs around the transitions", command: kubeletLogs, verify: waitReady },
            ...(notReadyNow ? [drain] : []),
          ],
        });
        continue;
      }
      const unknown = c.status === "Unknown";
      // A node-diagnostics file showing the kubelet or runtime down explains this: group under that finding.
      const diagnostics = snapshot.nodeDiagnostics?.find((d) => d.node === name);
      const servicesDown = diagnostics ? downServices(diagnostics, node).length > 0 : false;
      report(unknown ? "unreachable" : "notReady", {
        subject: ref,
        ...(servicesDown ? { causedBy: [{ ...ref, code: "node-service-down/" }] } : {}),
        data: { ...data, lastHeartbeat: c.lastHeartbeatTime ?? "never" },
        evidence,
        affected: pods.map(refOf),
        investigation,
        remediation: [
          {
            description: unknown
              ? `Bring the machine or its kubelet back: check it is powered on and reachable, then the kubelet${address ? ` on ${address}` : ""}`
              : `Fix what the kubelet reports ("${c.message ?? c.reason ?? "NotReady"}"): check the kubelet and container runtime logs`,
            command: kubeletLogs,
            verify: waitReady,
          },
          drain,
        ],
      });
    }
  },
});
