// Decides whether a Node is NotReady (kubelet reports it) or unreachable (kubelet silent, Lease stale), whether it is
// flapping (events and earlier captures), whether node-problem-detector reports a problem, and kubelet version skew.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Condition, KubeObject, Node, Pod } from "../../../model/kube.js";
import { refOf, type ObjectRef } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { formatAge, parseTime } from "../../../semantics/time.js";
import { noExecuteEviction } from "../../../semantics/taint-eviction.js";
import { kubeletSkew, parseMinorVersion } from "../../../semantics/version-skew.js";
import { eventSpans, eventTimeline, maxWithin, readinessEvents, snapshotTransitions, type TimelineEntry } from "./ready-timeline.js";
import { downServices } from "../node-diagnostics.js";

/** A node younger than this may still be bootstrapping (CNI not initialised yet): not reported unless flapping. */
const JOIN_GRACE_MS = 5 * 60_000;
/** State changes within FLAPPING_WINDOW_MS from which a node counts as flapping. */
const FLAPPING_CHANGES = 3;
const FLAPPING_WINDOW_MS = 60 * 60_000;
/** Taints that say the node is being removed on purpose (cluster-autoscaler, Karpenter). */
const REMOVAL_TAINTS = new Set(["ToBeDeletedByClusterAutoscaler", "karpenter.sh/disrupted", "karpenter.sh/disruption"]);
/** The taints the node lifecycle controller puts on NotReady / unreachable nodes (TaintNodesByCondition, taint-based eviction). */
const HEALTH_TAINTS = new Set(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]);
/** node-problem-detector's default problem conditions (True = problem), and NetworkUnavailable set by the route controller or CNI. */
const PROBLEM_CONDITIONS = new Set([
  "KernelDeadlock",
  "ReadonlyFilesystem",
  "FrequentKubeletRestart",
  "FrequentDockerRestart",
  "FrequentContainerdRestart",
  "FrequentUnregisterNetDevice",
  "CorruptDockerOverlay2",
  "KubeletUnhealthy",
  "ContainerRuntimeUnhealthy",
  "NetworkUnavailable",
]);
const LEASE_NAMESPACE = "kube-node-lease";

function readyCondition(node: Node): { condition: Condition; index: number } | undefined {
  const conditions = node.status?.conditions ?? [];
  const index = conditions.findIndex((c) => c.type === "Ready");
  return index < 0 ? undefined : { condition: conditions[index]!, index };
}

function isActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed";
}

/** What the kubelet's Ready=False message names (pkg/kubelet/nodestatus ReadyCondition: runtime, network, PLEG, ...). */
function kubeletCause(message: string | undefined): string | undefined {
  const m = message ?? "";
  if (/container runtime is down|container runtime status check may not have completed|ContainerRuntimeUnhealthy/i.test(m)) return "container runtime down";
  if (/NetworkReady=false|network plugin (is )?not ready|NetworkPluginNotReady|cni plugin not initialized|cni config uninitialized/i.test(m)) return "network plugin not ready";
  if (/PLEG is not healthy/i.test(m)) return "PLEG not healthy (runtime too slow to list containers)";
  if (/Kubelet stopped posting node status/i.test(m)) return "kubelet stopped posting status";
  return undefined;
}

interface PodFate {
  pod: Pod;
  /** evicted: deleted by the controller; due: its time ran out (or no toleration), deletion not seen yet. */
  state: "evicted" | "due for eviction" | "to be evicted" | "staying";
  text: string;
}

/** What the taint eviction controller does with each pod of the node (its NoExecute taints against the pod's tolerations). */
function podFates(node: Node, pods: readonly Pod[], now: number): PodFate[] {
  return pods.map((pod): PodFate => {
    const disruption = pod.status?.conditions?.find((c) => c.type === "DisruptionTarget" && c.status === "True");
    if (pod.metadata.deletionTimestamp && disruption?.reason === "DeletionByTaintManager") {
      return { pod, state: "evicted", text: `deleted by the taint eviction controller at ${disruption.lastTransitionTime ?? pod.metadata.deletionTimestamp} ("${disruption.message ?? ""}"); without a kubelet to confirm it stays Terminating` };
    }
    const v = noExecuteEviction(node.spec?.taints, pod.spec?.tolerations);
    switch (v.kind) {
      case "none":
        return { pod, state: "staying", text: "no NoExecute taint on the node yet" };
      case "never":
        return { pod, state: "staying", text: "tolerates the NoExecute taints without tolerationSeconds: stays on the node" };
      case "now":
        return { pod, state: "due for eviction", text: `no toleration for ${v.taint.key}:NoExecute (or tolerationSeconds <= 0): evicted as soon as the controller sees the taint` };
      case "after": {
        const at = v.evictAt;
        if (at === undefined) return { pod, state: "to be evicted", text: `evicted ${v.seconds}s after ${v.taint.key} was added (tolerationSeconds ${v.seconds}; the taint has no timeAdded)` };
        return at <= now
          ? { pod, state: "due for eviction", text: `tolerationSeconds ${v.seconds} for ${v.taint.key} ran out ${formatAge(now - at)} ago: the taint eviction controller deletes it` }
          : { pod, state: "to be evicted", text: `in ${formatAge(at - now)} (tolerationSeconds ${v.seconds} for ${v.taint.key}, added ${v.taint.timeAdded})` };
      }
    }
  });
}

/** The pods' workloads (top of the controller chain), for impact. */
function workloadsOf(index: ClusterIndex, pods: readonly Pod[]): KubeObject[] {
  const seen = new Map<string, KubeObject>();
  for (const p of pods) {
    const root = index.rootController(p);
    if (root !== p) seen.set(`${root.kind}/${root.metadata.namespace ?? ""}/${root.metadata.name}`, root);
  }
  return [...seen.values()];
}

function timelineEvidence(entries: readonly TimelineEntry[]): Evidence[] {
  return entries.map((t) =>
    t.source.kind === "Event"
      ? { ref: { kind: "Event", namespace: t.source.namespace, name: t.source.name }, path: "event", value: t.text, note: new Date(t.at).toISOString() }
      : { ref: { kind: "Snapshot", name: t.source.capturedAt } as ObjectRef, value: t.text, note: `capture of ${t.source.capturedAt}, transition at ${new Date(t.at).toISOString()}` },
  );
}

export const nodeNotReady = defineAnalyzer({
  id: "node-not-ready",
  title: "Node not ready",
  area: "node",
  severity: "error",
  needs: ["Node", "Pod", "Event", "Lease"],
  messages: {
    notReady: {
      summary: "Node {{node}} is NotReady for {{since}} ({{cause}}), {{pods}} pods on it",
      rootCause:
        "The kubelet on {{node}} reports Ready=False: {{message}}. The node lifecycle controller taints it node.kubernetes.io/not-ready: no new pods are scheduled there, and the taint eviction controller evicts pods after their tolerationSeconds (300 s by default): {{evictions}}.",
      remediation: "Fix what the kubelet reports (container runtime, CNI plugin, PLEG, disk) on the node, or drain and replace it.",
    },
    unreachable: {
      summary: "Node {{node}} is unreachable: its kubelet stopped posting status {{since}} ago ({{lease}}), {{pods}} pods on it",
      rootCause:
        "Ready is Unknown ({{reason}}: {{message}}): the control plane has not heard from the kubelet since {{lastHeartbeat}}; {{lease}}. The machine is down, cut off from the API server, or its kubelet is stopped. The node is tainted node.kubernetes.io/unreachable; its pods are marked not Ready and evicted after their tolerationSeconds (300 s by default): {{evictions}}. StatefulSet pods are not replaced until the node is confirmed gone.",
      remediation: "Get the machine and its kubelet back (console, cloud provider, kubelet logs), or drain and delete the Node if the machine is gone.",
    },
    flapping: {
      summary: "Node {{node}} is flapping: {{changes}} Ready state changes within {{window}} ({{basis}}); Ready is {{status}} now",
      rootCause:
        "{{node}} changed readiness {{changes}} times within {{window}} ({{basis}}; {{notReadyCount}} NodeNotReady, {{readyCount}} NodeReady, {{rebootCount}} Rebooted in the events). A node that keeps dropping out restarts or evicts its pods each time and makes rollouts and endpoints churn; typical causes are an overloaded or resource-starved kubelet, lost API server connectivity or a crashing container runtime.",
      remediation: "Look at the kubelet and container runtime logs around the transitions and at the node's resource use; cordon the node until it is stable.",
      severity: "warning",
    },
    nodeProblem: {
      summary: "Node {{node}} reports {{conditions}}",
      rootCause:
        "{{node}} has {{conditions}} (node-problem-detector or the network plugin sets these; True means the problem is present): {{messages}}. The kubelet may still report Ready, but pods on the node can hang (kernel deadlock), fail to write (read-only filesystem) or have no network.",
      remediation: "Read the condition's message and the node's kernel log; drain the node and reboot or replace it.",
      severity: "warning",
    },
    versionSkew: {
      summary: "Node {{node}} runs kubelet {{kubelet}} against kube-apiserver {{apiserver}}: {{problem}}",
      rootCause:
        "The version skew policy allows a kubelet up to {{maxBehind}} minor versions older than kube-apiserver and never newer; {{node}}'s kubelet {{kubelet}} is {{problem}}. Unsupported skew is untested: API fields and behaviours the kubelet relies on may be missing or removed.",
      remediation: "Upgrade (or, if newer, downgrade) the node's kubelet to within the supported skew, or replace the node with one from a current image.",
      severity: "warning",
    },
  },
  run({ index, now, report, snapshot }) {
    const apiserver = parseMinorVersion(snapshot.serverVersion);
    const leasesLoaded = index.has("Lease");
    for (const node of index.all<Node>("Node")) {
      const name = node.metadata.name;
      if (node.metadata.deletionTimestamp) continue;
      const ref = refOf(node);
      const taints = node.spec?.taints ?? [];
      const removing = taints.some((t) => REMOVAL_TAINTS.has(t.key));

      const kubeletVersion = node.status?.nodeInfo?.kubeletVersion;
      const kubelet = parseMinorVersion(kubeletVersion);
      if (apiserver && kubelet && !removing) {
        const skew = kubeletSkew(kubelet, apiserver);
        if (!skew.ok) {
          const problem = skew.problem === "newer" ? "newer than the API server" : `${skew.minorsBehind} minor versions behind (at most ${skew.maxBehind} are supported)`;
          report("versionSkew", {
            subject: ref,
            data: { node: name, kubelet: kubeletVersion!, apiserver: snapshot.serverVersion!, problem, maxBehind: skew.maxBehind },
            evidence: [
              { ref, path: "status.nodeInfo.kubeletVersion", value: kubeletVersion },
              { ref: { kind: "APIServer", name: "version" } as ObjectRef, path: "gitVersion", value: snapshot.serverVersion, note: "/version of the API server" },
            ],
            investigation: [{ step: "Compare the kubelet versions with the API server's", command: "kubectl version; kubectl get nodes -o custom-columns=NAME:.metadata.name,KUBELET:.status.nodeInfo.kubeletVersion", result: `kubelet ${kubeletVersion}, apiserver ${snapshot.serverVersion}`, outcome: "problem" }],
            remediation: [{ description: `Upgrade ${name} to a supported kubelet (drain, upgrade, uncordon)`, command: `kubectl drain ${name} --ignore-daemonsets --delete-emptydir-data`, verify: `kubectl get node ${name} -o jsonpath='{.status.nodeInfo.kubeletVersion}'`, rollback: `kubectl uncordon ${name}` }],
          });
        }
      }

      const conditions = node.status?.conditions ?? [];
      const createdAt = parseTime(node.metadata.creationTimestamp);
      const joining = createdAt !== undefined && now - createdAt < JOIN_GRACE_MS;
      // NetworkUnavailable is True on a new node until its CNI or the route controller clears it.
      const problems = conditions
        .map((c, i) => ({ c, i }))
        .filter(({ c }) => PROBLEM_CONDITIONS.has(c.type) && c.status === "True" && !(joining && c.type === "NetworkUnavailable"));
      if (problems.length && !removing) {
        report("nodeProblem", {
          subject: ref,
          data: {
            node: name,
            conditions: problems.map(({ c }) => `${c.type}=True`).join(", "),
            messages: problems.map(({ c }) => `${c.type}: ${c.reason ?? ""}${c.message ? ` "${c.message}"` : ""}`).join("; "),
          },
          evidence: problems.flatMap(({ c, i }) => [
            { ref, path: `status.conditions[${i}].status`, value: "True", note: `${c.type}=True since ${c.lastTransitionTime ?? "?"}` },
            ...(c.message ? [{ ref, path: `status.conditions[${i}].message`, value: c.message, note: c.reason }] : []),
          ]),
          affected: index.podsOnNode(node).filter(isActive).map(refOf),
          investigation: [{ step: "Read the node's conditions", command: `kubectl describe node ${name}`, result: problems.map(({ c }) => `${c.type}=True (${c.reason ?? ""})`).join("; "), outcome: "problem" }],
          remediation: [
            { description: `Drain ${name} and reboot or replace the machine`, command: `kubectl drain ${name} --ignore-daemonsets --delete-emptydir-data`, verify: `kubectl get node ${name} -o jsonpath='{.status.conditions}'`, rollback: `kubectl uncordon ${name}` },
          ],
        });
      }

      if (removing) continue; // scale-down in progress
      const ready = readyCondition(node);
      if (!ready) continue; // just registered: the kubelet has not posted a status yet
      const c = ready.condition;
      const notReadyNow = c.status !== "True";

      const events = readinessEvents(index.eventsFor(node));
      const fromEvents = maxWithin(eventSpans(events), FLAPPING_WINDOW_MS);
      const series = snapshotTransitions(index.history, node, now);
      const fromSnapshots = maxWithin(series.spans, FLAPPING_WINDOW_MS);
      const flap = fromSnapshots.count > fromEvents.count ? { ...fromSnapshots, basis: `across ${series.captures} snapshots` } : { ...fromEvents, basis: "from the node's events" };
      const isFlapping = flap.count >= FLAPPING_CHANGES;
      if (!notReadyNow && !isFlapping) continue;
      if (!isFlapping && joining) continue; // still joining

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
        if (HEALTH_TAINTS.has(t.key)) evidence.push({ ref, path: `spec.taints[${k}]`, value: { key: t.key, effect: t.effect }, note: t.timeAdded ? `added ${t.timeAdded} by the node lifecycle controller` : undefined });
      });
      problems.forEach(({ c: p, i }) => evidence.push({ ref, path: `status.conditions[${i}].status`, value: `${p.type}=True`, note: p.message }));

      // The kubelet renews its Lease in kube-node-lease every 10 s (a quarter of leaseDurationSeconds, 40 s by default).
      const lease = index.get<KubeObject & { spec?: { renewTime?: string; leaseDurationSeconds?: number; holderIdentity?: string } }>("Lease", LEASE_NAMESPACE, name);
      const renew = parseTime(lease?.spec?.renewTime);
      let leaseText: string;
      if (lease && renew !== undefined) {
        const stale = now - renew;
        const duration = lease.spec?.leaseDurationSeconds;
        leaseText = `its Lease ${LEASE_NAMESPACE}/${name} was last renewed ${formatAge(stale)} before the snapshot${duration ? ` (leaseDurationSeconds ${duration})` : ""}`;
        evidence.push({ ref: refOf(lease), path: "spec.renewTime", value: lease.spec!.renewTime, note: `not renewed for ${formatAge(stale)}${duration ? `, ${Math.floor(stale / 1000 / duration)}x its leaseDurationSeconds ${duration}` : ""}` });
      } else if (leasesLoaded) {
        leaseText = `no Lease ${LEASE_NAMESPACE}/${name} in the snapshot`;
        evidence.push({ ref: { kind: "Lease", namespace: LEASE_NAMESPACE, name }, value: null, note: "the node's Lease is absent: the kubelet never created or renewed it" });
      } else leaseText = `cannot tell how stale its Lease is: need Lease ${LEASE_NAMESPACE}/${name}`;

      const fates = notReadyNow ? podFates(node, pods, now) : [];
      for (const f of fates.slice(0, 20)) evidence.push({ ref: refOf(f.pod), path: "spec.tolerations", value: f.state, note: f.text });
      // Pods on the node in the previous capture that are gone now (evicted and deleted meanwhile).
      const previous = index.history.at(-1);
      const gone = notReadyNow && previous
        ? previous.index.podsOnNode(node).filter(isActive).filter((p) => !index.get("Pod", p.metadata.namespace, p.metadata.name))
        : [];
      for (const p of gone.slice(0, 10)) evidence.push({ ref: refOf(p), value: "gone", note: `on ${name} in the capture of ${new Date(previous!.capturedAt).toISOString()}, no longer in the latest` });
      const workloads = workloadsOf(index, pods);
      const count = (state: PodFate["state"]): number => fates.filter((f) => f.state === state).length;
      const evictions = fates.length
        ? `${count("evicted")} evicted, ${count("due for eviction")} due for eviction, ${count("to be evicted")} to be evicted later, ${count("staying")} staying${gone.length ? `; ${gone.length} gone since the previous capture` : ""}`
        : "no pods on the node";
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
          step: "Check when the kubelet last renewed the node's Lease",
          command: `kubectl get lease -n ${LEASE_NAMESPACE} ${name} -o jsonpath='{.spec.renewTime}'`,
          result: leaseText,
          outcome: lease || leasesLoaded ? (c.status === "Unknown" ? "problem" : "ok") : "unknown",
        },
        {
          step: "Read the node's events",
          command: `kubectl get events --field-selector involvedObject.kind=Node,involvedObject.name=${name} --sort-by=.lastTimestamp`,
          result: `${flap.count} state change${flap.count === 1 ? "" : "s"} within an hour (${flap.basis})`,
          outcome: isFlapping ? "problem" : "ok",
        },
        {
          step: "List the pods on the node and what the taint eviction controller does with them",
          command: `kubectl get pods -A --field-selector spec.nodeName=${name} -o wide`,
          result: `${pods.length} pods; ${evictions}`,
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
      const affected = [...pods.map(refOf), ...workloads.map(refOf)];

      const data = {
        node: name,
        since: since !== undefined ? formatAge(now - since) : "an unknown time",
        reason: c.reason ?? "no reason given",
        cause: kubeletCause(c.message) ?? c.reason ?? "no reason given",
        message: c.message ?? "no message",
        pods: pods.length,
        lease: leaseText,
        evictions,
      };
      if (isFlapping) {
        const timeline = [...eventTimeline(events), ...series.timeline].sort((a, b) => a.at - b.at).slice(-12);
        evidence.push(...timelineEvidence(timeline));
        const window = flap.from !== undefined && flap.to !== undefined ? formatAge(Math.max(flap.to - flap.from, 1000)) : "an hour";
        evidence.push({ ref, value: flap.count, note: `Ready state changes certainly within ${window} (${flap.basis})` });
        const countOf = (reason: string): number => events.filter((e) => e.reason === reason).reduce((n, e) => n + (e.count ?? 1), 0);
        report("flapping", {
          subject: ref,
          severity: notReadyNow ? "error" : "warning",
          data: { ...data, changes: flap.count, window, basis: flap.basis, status: c.status, notReadyCount: countOf("NodeNotReady"), readyCount: countOf("NodeReady"), rebootCount: countOf("Rebooted") },
          evidence,
          affected,
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
        affected,
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
