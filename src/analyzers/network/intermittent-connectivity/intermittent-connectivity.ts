// Evidence over time for intermittent pod-to-pod failures (issue 4, case 6): across several snapshots of the same
// cluster, Service endpoints whose readiness flaps or whose containers keep restarting, CNI and kube-proxy pods that
// restart, and node Ready transitions, with the timeline as evidence. Needs two or more captures (index.history).
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Condition, EndpointSlice, Event, Node, Pod, Service } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { eventCount, eventTime, formatAge, parseTime } from "../../../semantics/time.js";

/** Readiness changes of one Service's endpoints across the captures from which it counts as flapping. */
const FLAPPING_CHANGES = 2;
/** Container restarts across the captures from which a backing pod (or a network-plane pod) counts as unstable. */
const RESTARTS = 2;
/** Pods of the node network plane: CNI agents and kube-proxy (DaemonSet / pod name prefixes of the common distributions). */
const NETWORK_PLANE = /^(kube-proxy|calico-node|cilium(?!-operator)|kube-flannel|flannel|weave-net|aws-node|antrea-agent|kube-router|canal|kindnet|azure-cns|azure-ip-masq|ovnkube-node|ovs-node)/;

interface Capture {
  at: number;
  index: ClusterIndex;
}

interface PodChange {
  pod: Pod;
  at: number;
  text: string;
  readiness: number;
  restarts: number;
}

function ready(object: { status?: { conditions?: Condition[] } } | undefined): { status: string; since?: number } | undefined {
  const c = object?.status?.conditions?.find((x) => x.type === "Ready");
  return c ? { status: c.status, since: parseTime(c.lastTransitionTime) } : undefined;
}

function restartsOf(pod: Pod): Map<string, number> {
  return new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s.restartCount ?? 0]));
}

/** The same pod (same uid, or same name when uids are absent) in an earlier capture. */
function samePod(index: ClusterIndex, pod: Pod): Pod | undefined {
  const earlier = index.get<Pod>("Pod", pod.metadata.namespace, pod.metadata.name);
  if (!earlier) return undefined;
  return !pod.metadata.uid || !earlier.metadata.uid || earlier.metadata.uid === pod.metadata.uid ? earlier : undefined;
}

const sliceCache = new WeakMap<readonly EndpointSlice[], Map<string, boolean>>();

/** EndpointSlice ready flag of the pod's endpoint in a capture (unset = ready), if listed. */
function sliceReady(index: ClusterIndex, service: Service | undefined, pod: Pod): boolean | undefined {
  if (!service) return undefined;
  const slices = index.endpointSlicesOfService(service) as readonly EndpointSlice[];
  let byPod = sliceCache.get(slices);
  if (!byPod) {
    byPod = new Map();
    for (const slice of slices) for (const e of slice.endpoints ?? []) if (e.targetRef?.kind === "Pod" && e.targetRef.name) byPod.set(e.targetRef.name, e.conditions?.ready !== false);
    sliceCache.set(slices, byPod);
  }
  return byPod.get(pod.metadata.name);
}

/**
 * What changed for one pod between two captures: Ready condition (a new lastTransitionTime with the same status is
 * two changes, to the other state and back), the EndpointSlice ready flag, and container restarts.
 */
function podChange(a: Capture, b: Capture, pod: Pod, svcA: Service | undefined, svcB: Service | undefined): PodChange | undefined {
  const before = samePod(a.index, pod);
  if (!before) return undefined;
  const ra = ready(before);
  const rb = ready(pod);
  let readiness = 0;
  const texts: string[] = [];
  if (ra && rb) {
    if (rb.since !== undefined && rb.since !== ra.since && rb.since > a.at) readiness = ra.status === rb.status ? 2 : 1;
    else if (ra.status !== rb.status) readiness = 1;
    if (readiness) texts.push(`Ready ${ra.status} -> ${rb.status}${ra.status === rb.status ? " (changed and back)" : ""}${rb.since !== undefined ? `, last change ${new Date(rb.since).toISOString()}` : ""}`);
  }
  const sa = sliceReady(a.index, svcA, before);
  const sb = sliceReady(b.index, svcB, pod);
  if (sa !== undefined && sb !== undefined && sa !== sb) {
    readiness = Math.max(readiness, 1);
    texts.push(`EndpointSlice ready ${sa} -> ${sb}`);
  }
  const ca = restartsOf(before);
  let restarts = 0;
  for (const [name, n] of restartsOf(pod)) {
    const grew = n - (ca.get(name) ?? n);
    if (grew > 0) {
      restarts += grew;
      texts.push(`container ${name} restarts ${ca.get(name)} -> ${n}`);
    }
  }
  return readiness || restarts ? { pod, at: b.at, text: texts.join("; "), readiness, restarts } : undefined;
}

/** Readiness probe failures recorded between the first and the last capture (event count growth, or new events). */
function unhealthyEvents(first: Capture, last: Capture, pod: Pod): { event: Event; added: number }[] {
  const out: { event: Event; added: number }[] = [];
  for (const e of last.index.eventsFor(pod)) {
    if (e.reason !== "Unhealthy" || !/Readiness probe failed|Liveness probe failed/.test(e.message ?? "")) continue;
    const earlier = first.index.get<Event>("Event", e.metadata.namespace, e.metadata.name);
    const added = earlier ? eventCount(e) - eventCount(earlier) : (parseTime(e.firstTimestamp ?? e.eventTime ?? undefined) ?? 0) >= first.at ? eventCount(e) : (parseTime(eventTime(e)) ?? 0) > first.at ? 1 : 0;
    if (added > 0) out.push({ event: e, added });
  }
  return out;
}

function nodeTransitions(captures: readonly Capture[], name: string): { at: number; text: string }[] {
  const out: { at: number; text: string }[] = [];
  for (let i = 1; i < captures.length; i++) {
    const a = ready(captures[i - 1]!.index.get<Node>("Node", undefined, name));
    const b = ready(captures[i]!.index.get<Node>("Node", undefined, name));
    if (!a || !b) continue;
    if ((b.since !== undefined && b.since !== a.since && b.since > captures[i - 1]!.at) || a.status !== b.status) {
      out.push({ at: b.since ?? captures[i]!.at, text: `node ${name} Ready ${a.status} -> ${b.status}${a.status === b.status ? " (changed and back)" : ""}` });
    }
  }
  return out;
}

function isNetworkPlane(index: ClusterIndex, pod: Pod): boolean {
  const root = index.rootController(pod);
  return (root.kind === "DaemonSet" || root === pod) && NETWORK_PLANE.test(root.metadata.name);
}

export const intermittentConnectivity = defineAnalyzer({
  id: "intermittent-connectivity",
  title: "Intermittent connectivity over time",
  area: "network",
  severity: "warning",
  needs: ["Service", "Pod", "EndpointSlice", "Event", "Node", "DaemonSet", "ReplicaSet", "Deployment", "StatefulSet"],
  messages: {
    flappingEndpoints: {
      summary: "Service {{service}} has flapping endpoints: {{changes}} readiness changes and {{restarts}} container restarts of its pods across {{captures}} snapshots over {{span}}",
      rootCause:
        "Between the snapshots ({{span}}) the pods behind {{service}} left and rejoined its endpoints {{changes}} times and their containers restarted {{restarts}} times ({{pods}}). Each time an endpoint drops out, connections to it are reset and kube-proxy / the CNI reprogram the Service, so callers see intermittent failures (connection refused or reset, timeouts) while the Service looks healthy in any single snapshot.{{plane}}",
      remediation: "Read the readiness probe failures and the previous container logs of the pods named; make the probe tolerate brief stalls (timeoutSeconds, failureThreshold) or fix what makes the pods stall or crash.",
    },
    networkPlaneRestarts: {
      summary: "{{component}} pod {{pod}} on node {{node}} restarted {{restarts}} times across {{captures}} snapshots over {{span}}",
      rootCause:
        "{{pod}} ({{component}}) programs pod networking or Service routing on {{node}}; it restarted {{restarts}} times between the snapshots. While it restarts, new connections on the node can fail or be black-holed and Service rules can be stale: intermittent pod-to-pod failures on {{node}}.",
      remediation: "Read the pod's previous logs and its termination reason (OOMKilled, liveness), and its resource limits.",
    },
  },
  run({ index, now, report }) {
    if (index.history.length === 0) return; // evidence over time needs two captures or more
    const captures: Capture[] = [...index.history.map((h) => ({ at: h.capturedAt, index: h.index })), { at: now, index }];
    const first = captures[0]!;
    const span = formatAge(now - first.at);

    // Network-plane pods: restarts across the captures, by node.
    const planeByNode = new Map<string, { pod: Pod; restarts: number; texts: string[] }[]>();
    for (const pod of index.all<Pod>("Pod")) {
      if (!isNetworkPlane(index, pod)) continue;
      let restarts = 0;
      const texts: string[] = [];
      for (let i = 1; i < captures.length; i++) {
        const at = samePodChain(captures, i, pod);
        const c = at && podChange(captures[i - 1]!, captures[i]!, at, undefined, undefined);
        if (c?.restarts) {
          restarts += c.restarts;
          texts.push(`${new Date(captures[i]!.at).toISOString()}: ${c.text}`);
        }
      }
      if (!restarts) continue;
      const node = pod.spec?.nodeName ?? "?";
      planeByNode.set(node, [...(planeByNode.get(node) ?? []), { pod, restarts, texts }]);
      if (restarts >= RESTARTS) {
        const root = index.rootController(pod);
        report("networkPlaneRestarts", {
          subject: refOf(pod),
          data: { component: root.metadata.name, pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node, restarts, captures: captures.length, span },
          evidence: [
            ...texts.map((t) => ({ ref: refOf(pod), path: "status.containerStatuses[*].restartCount", value: t })),
            ...(pod.status?.containerStatuses ?? []).filter((s) => s.lastState?.terminated).map((s) => ({ ref: refOf(pod), path: `status.containerStatuses[${s.name}].lastState.terminated`, value: `${s.lastState!.terminated!.reason ?? ""} exit ${s.lastState!.terminated!.exitCode ?? "?"}`, note: s.lastState!.terminated!.finishedAt ?? undefined })),
          ],
          investigation: [
            { step: "Read why it restarted", command: `kubectl -n ${pod.metadata.namespace} logs ${pod.metadata.name} --previous --all-containers`, result: texts.join("; "), outcome: "problem" },
          ],
          remediation: [{ description: `Find the cause of the restarts of ${pod.metadata.name} (previous logs, OOMKilled, liveness probe)`, command: `kubectl -n ${pod.metadata.namespace} describe pod ${pod.metadata.name}`, verify: `kubectl -n ${pod.metadata.namespace} get pod ${pod.metadata.name} -o jsonpath='{.status.containerStatuses[*].restartCount}'` }],
        });
      }
    }

    for (const service of index.all<Service>("Service")) {
      if (!service.spec?.selector || Object.keys(service.spec.selector).length === 0 || service.spec.type === "ExternalName") continue;
      const ns = service.metadata.namespace!;
      const changes: PodChange[] = [];
      const pods = index.podsSelectedByService(service);
      for (const pod of pods) {
        for (let i = 1; i < captures.length; i++) {
          const a = captures[i - 1]!;
          const b = captures[i]!;
          const podB = samePodChain(captures, i, pod);
          if (!podB) continue;
          const c = podChange(a, b, podB, a.index.get<Service>("Service", ns, service.metadata.name), b.index.get<Service>("Service", ns, service.metadata.name));
          if (c) changes.push({ ...c, pod });
        }
      }
      const readiness = changes.reduce((n, c) => n + c.readiness, 0);
      const restarts = changes.reduce((n, c) => n + c.restarts, 0);
      if (readiness < FLAPPING_CHANGES && restarts < RESTARTS) continue;

      const involved = [...new Map(changes.map((c) => [c.pod.metadata.name, c.pod])).values()];
      const evidence: Evidence[] = changes
        .sort((x, y) => x.at - y.at)
        .slice(-15)
        .map((c) => ({ ref: refOf(c.pod), value: c.text, note: `between the captures ending ${new Date(c.at).toISOString()}` }));
      for (const pod of involved) {
        for (const { event, added } of unhealthyEvents(first, captures.at(-1)!, pod).slice(0, 3)) {
          evidence.push({ ref: { kind: "Event", namespace: event.metadata.namespace, name: event.metadata.name }, path: "event", value: event.message ?? "", note: `Unhealthy +${added} since ${new Date(first.at).toISOString()}, last ${eventTime(event) ?? "?"}` });
        }
      }
      const nodes = [...new Set(involved.map((p) => p.spec?.nodeName).filter((n): n is string => !!n))];
      const planeNotes: string[] = [];
      for (const node of nodes) {
        for (const p of planeByNode.get(node) ?? []) {
          evidence.push({ ref: refOf(p.pod), path: "status.containerStatuses[*].restartCount", value: `+${p.restarts} restarts`, note: `network plane on ${node}: ${p.texts.join("; ")}` });
          planeNotes.push(`${p.pod.metadata.name} on ${node} restarted ${p.restarts} times`);
        }
        for (const t of nodeTransitions(captures, node)) {
          evidence.push({ ref: { kind: "Node", name: node }, path: "status.conditions[Ready]", value: t.text, note: new Date(t.at).toISOString() });
          planeNotes.push(t.text);
        }
      }
      report("flappingEndpoints", {
        subject: refOf(service),
        data: {
          service: `${ns}/${service.metadata.name}`,
          changes: readiness,
          restarts,
          captures: captures.length,
          span,
          pods: involved.slice(0, 5).map((p) => p.metadata.name).join(", ") + (involved.length > 5 ? ", ..." : ""),
          plane: planeNotes.length ? ` On the same nodes: ${planeNotes.slice(0, 5).join("; ")}.` : "",
        },
        evidence,
        affected: involved.map(refOf),
        investigation: [
          { step: "Compare the pods across the snapshots", command: `kubectl -n ${ns} get pods -l ${Object.entries(service.spec.selector).map(([k, v]) => `${k}=${v}`).join(",")} -o wide -w`, result: `${readiness} readiness changes, ${restarts} restarts over ${span}`, outcome: "problem" },
          { step: "Read the probe failures", command: `kubectl -n ${ns} get events --field-selector reason=Unhealthy --sort-by=.lastTimestamp`, result: evidence.some((e) => e.ref?.kind === "Event") ? "readiness/liveness probe failures recorded between the snapshots" : "no Unhealthy event in the latest snapshot", outcome: evidence.some((e) => e.ref?.kind === "Event") ? "problem" : "unknown" },
          { step: "Check the network plane on the pods' nodes", command: `kubectl -n kube-system get pods -o wide --field-selector spec.nodeName=${nodes[0] ?? "<node>"}`, result: planeNotes.length ? planeNotes.join("; ") : "no CNI or kube-proxy restart and no node Ready change on these nodes between the snapshots", outcome: planeNotes.length ? "problem" : "ok" },
        ],
        remediation: [
          {
            description: "Read the previous logs of the restarting or flapping pods",
            command: involved.slice(0, 3).map((p) => `kubectl -n ${ns} logs ${p.metadata.name} --previous --all-containers`).join("; "),
            verify: `kubectl -n ${ns} get endpointslices -l kubernetes.io/service-name=${service.metadata.name} -w`,
          },
        ],
      });
    }
  },
});

/** The pod as it is in capture i (by name, same uid), walking from the latest. */
function samePodChain(captures: readonly Capture[], i: number, latest: Pod): Pod | undefined {
  if (i === captures.length - 1) return latest;
  return samePod(captures[i]!.index, latest);
}
