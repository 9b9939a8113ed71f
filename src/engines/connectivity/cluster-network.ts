// Health of the cluster's shared network components: cluster DNS (CoreDNS / kube-dns) and the CNI
// plugin and kube-proxy DaemonSets. Pure: index and collected log tails in, checks and evidence out.
import type { ClusterIndex } from "../../indexes/types.js";
import type { Evidence, InvestigationStep } from "../../model/finding.js";
import type { ConfigMap, DaemonSet, EndpointSlice, Endpoints, Pod, Service } from "../../model/kube.js";
import { refOf } from "../../model/ref.js";
import type { PodLog } from "../../model/snapshot.js";

export type HopStatus = "passed" | "failed" | "unknown" | "skipped";

/** The outcome of one health check: status, what was looked at, evidence, and what is missing when unknown. */
export interface ComponentHealth {
  status: HopStatus;
  summary: string;
  checks: InvestigationStep[];
  evidence: Evidence[];
  /** When status is unknown: what would decide it. */
  need?: string;
}

export const DNS_NAMESPACE = "kube-system";
/** The cluster DNS Service name kubeadm, kops, EKS, GKE and AKS all keep for CoreDNS (and kube-dns before it). */
export const DNS_SERVICE = "kube-dns";
/** The pod label both CoreDNS and kube-dns deployments carry. */
export const DNS_POD_LABEL = { key: "k8s-app", value: "kube-dns" } as const;
const MAX_LOG_LINES = 5;

export function isPodReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

function restartsOf(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

/** Log lines of a pod's collected log tails that match `pattern` (current and previous instance). */
export function matchingLogLines(logs: readonly PodLog[], pod: Pod, pattern: RegExp): { line: string; container: string; previous: boolean }[] {
  const out: { line: string; container: string; previous: boolean }[] = [];
  for (const log of logs) {
    if (log.namespace !== pod.metadata.namespace || log.pod !== pod.metadata.name) continue;
    for (const line of log.text.split("\n")) if (pattern.test(line)) out.push({ line: line.trim(), container: log.container, previous: log.previous });
  }
  return out;
}

/** Ready and not-ready endpoint addresses of a Service: EndpointSlices first, else the Endpoints object; undefined when neither is loaded. */
export function endpointAddresses(index: ClusterIndex, service: Service): { ready: string[]; notReady: string[]; source: "EndpointSlice" | "Endpoints"; targets: Map<string, string> } | undefined {
  const slices: readonly EndpointSlice[] = index.endpointSlicesOfService(service);
  const targets = new Map<string, string>();
  if (slices.length > 0) {
    const ready = new Set<string>();
    const notReady = new Set<string>();
    for (const slice of slices) {
      for (const e of slice.endpoints ?? []) {
        // EndpointConditions.ready: "nil should be interpreted as true".
        const isReady = e.conditions?.ready !== false;
        for (const a of e.addresses ?? []) {
          (isReady ? ready : notReady).add(a);
          if (e.targetRef?.kind === "Pod" && e.targetRef.name) targets.set(a, e.targetRef.name);
        }
      }
    }
    for (const a of ready) notReady.delete(a);
    return { ready: [...ready].sort(), notReady: [...notReady].sort(), source: "EndpointSlice", targets };
  }
  const ep: Endpoints | undefined = index.endpointsOfService(service);
  if (!ep) return undefined;
  const ready: string[] = [];
  const notReady: string[] = [];
  for (const subset of ep.subsets ?? []) {
    for (const a of subset.addresses ?? []) {
      ready.push(a.ip);
      if (a.targetRef?.kind === "Pod" && a.targetRef.name) targets.set(a.ip, a.targetRef.name);
    }
    for (const a of subset.notReadyAddresses ?? []) notReady.push(a.ip);
  }
  return { ready: [...new Set(ready)].sort(), notReady: [...new Set(notReady)].sort(), source: "Endpoints", targets };
}

/** The cluster DNS Service and its pods (by the Service's selector, else by k8s-app=kube-dns in kube-system). */
export function clusterDnsObjects(index: ClusterIndex): { service?: Service; pods: Pod[] } {
  const service = index.get<Service>("Service", DNS_NAMESPACE, DNS_SERVICE);
  const pods = service?.spec?.selector
    ? index.podsSelectedByService(service)
    : index.inNamespace<Pod>("Pod", DNS_NAMESPACE).filter((p) => p.metadata.labels?.[DNS_POD_LABEL.key] === DNS_POD_LABEL.value);
  return { ...(service ? { service } : {}), pods: pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed") };
}

/** `forward` targets of a Corefile's server blocks, with the line they are on. */
function corefileForwards(corefile: string): { line: number; text: string; targets: string[] }[] {
  const out: { line: number; text: string; targets: string[] }[] = [];
  corefile.split("\n").forEach((raw, i) => {
    const text = raw.replace(/#.*/, "").trim();
    const m = /^forward\s+(\S+)\s+([^{]+)/.exec(text);
    if (m) out.push({ line: i + 1, text, targets: m[2]!.trim().split(/\s+/) });
  });
  return out;
}

/** A forward target that sends queries back to the CoreDNS pod itself (its own loopback), unless it runs on the host network. */
function isLoopbackTarget(target: string): boolean {
  const host = target.replace(/^(dns|tls):\/\//, "").replace(/^\[(.*)\](:\d+)?$/, "$1").replace(/:\d+$/, "");
  return /^127\./.test(host) || host === "::1" || host === "localhost";
}

/**
 * Cluster DNS health: the kube-dns Service and its pods, their endpoints, the Corefile (a forward to
 * the pod's own loopback, or the loop plugin's "Loop ... detected" in the logs), crash-looping pods.
 */
export function clusterDnsHealth(index: ClusterIndex, logs: readonly PodLog[]): ComponentHealth & { service?: Service; pods: Pod[] } {
  const { service, pods } = clusterDnsObjects(index);
  const checks: InvestigationStep[] = [];
  const evidence: Evidence[] = [];
  const failures: string[] = [];
  const ns = DNS_NAMESPACE;
  if (!service && pods.length === 0) {
    const loaded = index.has("Service") && index.has("Pod");
    checks.push({
      step: "Find the cluster DNS Service and pods",
      command: `kubectl get service,pods -n ${ns} -l ${DNS_POD_LABEL.key}=${DNS_POD_LABEL.value}`,
      result: loaded ? `no Service ${ns}/${DNS_SERVICE} and no pod labelled ${DNS_POD_LABEL.key}=${DNS_POD_LABEL.value}` : "Services or Pods not in the snapshot",
      outcome: "unknown",
    });
    return {
      status: "unknown",
      summary: loaded ? `no cluster DNS found in ${ns} (no Service ${DNS_SERVICE}, no ${DNS_POD_LABEL.key}=${DNS_POD_LABEL.value} pods): DNS may be served another way` : "cluster DNS not checked",
      checks,
      evidence,
      need: loaded ? `the cluster DNS Service and pods (expected ${ns}/${DNS_SERVICE})` : `Services and Pods of ${ns}`,
      pods,
    };
  }
  const ready = pods.filter(isPodReady);
  const restarting = pods.filter((p) => restartsOf(p) > 0);
  checks.push({
    step: "Cluster DNS pods ready",
    command: `kubectl get pods -n ${ns} -l ${DNS_POD_LABEL.key}=${DNS_POD_LABEL.value} -o wide`,
    result: `${ready.length}/${pods.length} ready${restarting.length ? `, restarts: ${restarting.map((p) => `${p.metadata.name} ${restartsOf(p)}`).join(", ")}` : ""}`,
    outcome: pods.length > 0 && ready.length > 0 ? "ok" : "problem",
  });
  for (const p of pods.filter((x) => !isPodReady(x))) evidence.push({ ref: refOf(p), path: "status.phase", value: p.status?.phase ?? "Unknown", note: "cluster DNS pod not ready" });
  if (ready.length === 0) failures.push(pods.length === 0 ? "no cluster DNS pods" : `none of ${pods.length} cluster DNS pods is ready`);
  if (service) {
    const addresses = endpointAddresses(index, service);
    if (addresses) {
      checks.push({
        step: "Cluster DNS endpoints",
        command: `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${DNS_SERVICE}`,
        result: `${addresses.ready.length} ready, ${addresses.notReady.length} not ready (${addresses.source})`,
        outcome: addresses.ready.length > 0 ? "ok" : "problem",
      });
      if (addresses.ready.length === 0) {
        failures.push(`Service ${ns}/${DNS_SERVICE} has no ready endpoints`);
        evidence.push({ ref: refOf(service), path: "endpoints", value: addresses.ready, note: `no ready endpoint (${addresses.source})` });
      }
    }
  }
  const corefileMap = index.get<ConfigMap>("ConfigMap", ns, "coredns");
  const corefile = corefileMap?.data?.Corefile;
  const loopLines = pods.flatMap((p) => matchingLogLines(logs, p, /Loop \(.*\) detected/i).map((l) => ({ ...l, pod: p })));
  if (corefile !== undefined) {
    const forwards = corefileForwards(corefile);
    const hostNetwork = pods.length > 0 && pods.every((p) => p.spec?.hostNetwork === true);
    const loopback = hostNetwork ? [] : forwards.filter((f) => f.targets.some(isLoopbackTarget));
    const problem = loopback.length > 0 || loopLines.length > 0;
    checks.push({
      step: "Corefile forwarding",
      command: `kubectl get configmap coredns -n ${ns} -o jsonpath='{.data.Corefile}'`,
      result: forwards.length ? forwards.map((f) => f.text).join("; ") : "no forward plugin",
      outcome: problem ? "problem" : "ok",
    });
    for (const f of loopback) {
      failures.push(`the Corefile forwards to ${f.targets.filter(isLoopbackTarget).join(", ")}, the CoreDNS pod's own loopback (a forwarding loop)`);
      evidence.push({ ref: refOf(corefileMap!), path: `data.Corefile (line ${f.line})`, value: f.text, note: "forwards to the pod's own loopback" });
    }
    if (loopLines.length > 0) {
      const resolv = forwards.find((f) => f.targets.includes("/etc/resolv.conf"));
      if (resolv) evidence.push({ ref: refOf(corefileMap!), path: `data.Corefile (line ${resolv.line})`, value: resolv.text, note: "forwards to the node's resolv.conf, which points back at CoreDNS (e.g. a local stub resolver 127.0.0.53)" });
    }
  }
  if (loopLines.length > 0) {
    failures.push("CoreDNS's loop plugin detected a forwarding loop");
    for (const l of loopLines.slice(0, MAX_LOG_LINES)) evidence.push({ ref: refOf(l.pod), path: "log", value: l.line, note: `${l.container}${l.previous ? " (previous)" : ""}` });
  }
  const errorLines = pods.flatMap((p) => matchingLogLines(logs, p, /\[(ERROR|FATAL)\]/).map((l) => ({ ...l, pod: p }))).filter((l) => !/Loop \(.*\) detected/i.test(l.line));
  if (errorLines.length > 0) {
    checks.push({ step: "CoreDNS logs", command: `kubectl logs -n ${ns} -l ${DNS_POD_LABEL.key}=${DNS_POD_LABEL.value} --tail=50`, result: `${errorLines.length} error line(s), e.g. ${errorLines[0]!.line}`, outcome: "problem" });
    for (const l of errorLines.slice(0, MAX_LOG_LINES)) evidence.push({ ref: refOf(l.pod), path: "log", value: l.line, note: `${l.container}${l.previous ? " (previous)" : ""}` });
  }
  return {
    status: failures.length > 0 ? "failed" : "passed",
    summary: failures.length > 0 ? failures.join("; ") : `${ready.length}/${pods.length} cluster DNS pods ready${errorLines.length ? ` (${errorLines.length} error line(s) in their logs)` : ""}`,
    checks,
    evidence,
    ...(service ? { service } : {}),
    pods,
  };
}

/** Network DaemonSets recognised by name: CNI plugins and kube-proxy. */
const NETWORK_DAEMONSETS: readonly { pattern: RegExp; component: string }[] = [
  { pattern: /^calico-node$/, component: "calico" },
  { pattern: /^(kube-)?flannel(-ds)?(-[a-z0-9]+)?$/, component: "flannel" },
  { pattern: /^cilium$/, component: "cilium" },
  { pattern: /^weave-net$/, component: "weave" },
  { pattern: /^canal$/, component: "canal" },
  { pattern: /^antrea-agent$/, component: "antrea" },
  { pattern: /^kube-router$/, component: "kube-router" },
  { pattern: /^kube-proxy$/, component: "kube-proxy" },
];

/** Error lines in CNI / kube-proxy logs: klog E/F lines, logrus/zap level=error|fatal, or [ERROR]/[FATAL]. */
const ERROR_LINE = /^[EF]\d{4} |level=(error|fatal)|"level":"(error|fatal)"|\[(ERROR|FATAL)\]|\bpanic:/;

/** The CNI and kube-proxy DaemonSets of the cluster, recognised by name. */
export function networkDaemonSets(index: ClusterIndex): { daemonSet: DaemonSet; component: string }[] {
  const out: { daemonSet: DaemonSet; component: string }[] = [];
  for (const ds of index.all<DaemonSet>("DaemonSet")) {
    const known = NETWORK_DAEMONSETS.find((k) => k.pattern.test(ds.metadata.name));
    if (known) out.push({ daemonSet: ds, component: known.component });
  }
  return out;
}

/**
 * CNI plugin and kube-proxy health: each recognised DaemonSet's desired vs ready pods, restarts and
 * error lines in the logs of its pods; a failure when the DaemonSet pod on one of `nodes` (the nodes
 * the connection runs through) is missing or not ready.
 */
export function cniHealth(index: ClusterIndex, logs: readonly PodLog[], nodes: readonly string[]): ComponentHealth {
  const checks: InvestigationStep[] = [];
  const evidence: Evidence[] = [];
  const failures: string[] = [];
  const warnings: string[] = [];
  const sets = networkDaemonSets(index);
  if (sets.length === 0) {
    const loaded = index.has("DaemonSet");
    checks.push({
      step: "Find the CNI plugin and kube-proxy DaemonSets",
      command: "kubectl get daemonsets -A",
      result: loaded ? "no calico-node, flannel, cilium, weave-net, canal, antrea-agent, kube-router or kube-proxy DaemonSet" : "DaemonSets not in the snapshot",
      outcome: "unknown",
    });
    return {
      status: "unknown",
      summary: loaded ? "no known CNI plugin or kube-proxy DaemonSet found (the network may be managed outside the cluster's API objects)" : "CNI plugin not checked",
      checks,
      evidence,
      need: loaded ? "the CNI plugin's pods (a DaemonSet named calico-node, kube-flannel-ds, cilium, weave-net, ...)" : "DaemonSets and Pods of kube-system",
    };
  }
  for (const { daemonSet: ds, component } of sets) {
    const ns = ds.metadata.namespace ?? "kube-system";
    const desired = ds.status?.desiredNumberScheduled ?? 0;
    const readyCount = ds.status?.numberReady ?? 0;
    const pods = index.podsOfWorkload(ds);
    const restarts = pods.filter((p) => restartsOf(p) > 0);
    const onPath = nodes.map((node) => ({ node, pod: pods.find((p) => p.spec?.nodeName === node) }));
    const badOnPath = onPath.filter((x) => !x.pod || !isPodReady(x.pod));
    const errorLines = pods.flatMap((p) => matchingLogLines(logs, p, ERROR_LINE).map((l) => ({ ...l, pod: p })));
    const degraded = readyCount < desired;
    checks.push({
      step: `${component}: DaemonSet ${ns}/${ds.metadata.name}`,
      command: `kubectl get daemonset ${ds.metadata.name} -n ${ns} && kubectl get pods -n ${ns} -o wide | grep ${ds.metadata.name}`,
      result: `${readyCount}/${desired} ready${restarts.length ? `, restarts: ${restarts.map((p) => `${p.metadata.name} ${restartsOf(p)}`).join(", ")}` : ""}${badOnPath.length ? `; on the connection's nodes: ${badOnPath.map((b) => `${b.node} ${b.pod ? `pod ${b.pod.metadata.name} not ready` : "no pod"}`).join(", ")}` : ""}${errorLines.length ? `; ${errorLines.length} error log line(s)` : ""}`,
      outcome: badOnPath.length > 0 ? "problem" : degraded || restarts.length > 0 || errorLines.length > 0 ? "unknown" : "ok",
    });
    if (badOnPath.length > 0) {
      failures.push(`${component} is not running ready on ${badOnPath.map((b) => b.node).join(", ")}`);
      for (const b of badOnPath) {
        evidence.push(b.pod ? { ref: refOf(b.pod), path: "status.conditions[Ready]", value: "False", note: `${component} pod on node ${b.node}` } : { ref: refOf(ds), path: "status", value: { desired, ready: readyCount }, note: `no ${component} pod on node ${b.node}` });
      }
    } else if (degraded) {
      warnings.push(`${component} ${readyCount}/${desired} ready (not on this connection's nodes)`);
      evidence.push({ ref: refOf(ds), path: "status.numberReady", value: readyCount, note: `desired ${desired}` });
    }
    for (const l of errorLines.slice(0, MAX_LOG_LINES)) evidence.push({ ref: refOf(l.pod), path: "log", value: l.line, note: `${component} ${l.container}${l.previous ? " (previous)" : ""}` });
    if (errorLines.length > 0 && badOnPath.length === 0) warnings.push(`${errorLines.length} error line(s) in ${component} logs`);
  }
  const names = sets.map((s) => s.component).join(", ");
  return {
    status: failures.length > 0 ? "failed" : "passed",
    summary: failures.length > 0 ? failures.join("; ") : `${names} ready on the connection's nodes${warnings.length ? ` (${warnings.join("; ")})` : ""}`,
    checks,
    evidence,
  };
}
