// The one definition of the cluster's shared network components, used by the network analyzers
// (cluster-dns-unhealthy, cni-daemonset-degraded, egress-policy-blocks-dns, ...) and by
// `diagnose connectivity`, so a scan and a connectivity diagnosis can never disagree about them:
// which Service and pods are the cluster DNS and whether it is healthy (ready endpoints, crash loops,
// CoreDNS's loop plugin line), which DaemonSets are the CNI plugin and kube-proxy and which of their
// pods are unhealthy, a Service's ready endpoint addresses, pod readiness. It lives in the engines
// layer because analyzers may import engines and engines may not import analyzers (eslint zones).
// Pure: index, collected log tails and the reference time in; facts, checks and evidence out.
import type { ClusterIndex } from "../../indexes/types.js";
import type { Evidence, InvestigationStep } from "../../model/finding.js";
import type { ConfigMap, DaemonSet, EndpointSlice, Endpoints, Node, Pod, Service } from "../../model/kube.js";
import { refOf } from "../../model/ref.js";
import type { PodLog } from "../../model/snapshot.js";
import { matchesServiceSelector } from "../../semantics/labels.js";
import { isPodReady } from "../../semantics/pod.js";
import { parseTime } from "../../semantics/time.js";

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

/** The cluster DNS Service kubeadm, kops, EKS, GKE and AKS all keep for CoreDNS (and kube-dns before it). */
export const CLUSTER_DNS_SERVICE = { namespace: "kube-system", name: "kube-dns" } as const;
/** The pod label both CoreDNS and kube-dns deployments carry (kubeadm, the CoreDNS Helm chart, managed clusters). */
export const CLUSTER_DNS_LABEL = { key: "k8s-app", value: "kube-dns" } as const;
export const DNS_NAMESPACE = CLUSTER_DNS_SERVICE.namespace;
export const DNS_SERVICE = CLUSTER_DNS_SERVICE.name;
const DNS_SELECTOR = `${CLUSTER_DNS_LABEL.key}=${CLUSTER_DNS_LABEL.value}`;
const MAX_LOG_LINES = 5;

/**
 * A pod not Ready for less than this long may still be starting (readiness probes' initialDelaySeconds,
 * image pulls): it is not counted as unhealthy. Without a reference time every not-Ready pod counts.
 */
export const STARTUP_GRACE_MS = 60_000;

/** Pod readiness as Kubernetes defines it (semantics/pod.ts, podutil.IsPodReady); re-exported for the engine's users. */
export { isPodReady };

/** A pod that has not finished and is not being deleted: it needs its network. */
export function isLivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** Whether the named node is in the snapshot and not Ready (kubelet down or unreachable): it explains its pods' state. */
export function isNodeDown(index: ClusterIndex, name: string | undefined): boolean {
  const node = name ? index.get<Node>("Node", undefined, name) : undefined;
  return node !== undefined && (node.status?.conditions ?? []).find((c) => c.type === "Ready")?.status !== "True";
}

/**
 * Whether the pod resolves names through the cluster DNS (PodSpec.dnsPolicy): ClusterFirst (the
 * default) unless the pod is on the host network, where ClusterFirst falls back to Default; or
 * ClusterFirstWithHostNet. Default and None use other resolvers.
 */
export function usesClusterDns(pod: Pod): boolean {
  const policy = (pod.spec?.dnsPolicy as string | undefined) ?? "ClusterFirst";
  if (policy === "ClusterFirstWithHostNet") return true;
  return policy === "ClusterFirst" && pod.spec?.hostNetwork !== true;
}

function restartsOf(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

/** Containers waiting in CrashLoopBackOff, as evidence. */
export function crashLoopEvidence(pod: Pod): Evidence[] {
  const out: Evidence[] = [];
  (pod.status?.containerStatuses ?? []).forEach((s, i) => {
    if (s.state?.waiting?.reason === "CrashLoopBackOff") {
      out.push({ ref: refOf(pod), path: `status.containerStatuses[${i}].state.waiting.reason`, value: "CrashLoopBackOff", note: `container ${s.name}, ${s.restartCount ?? 0} restarts` });
    }
  });
  return out;
}

/** Whether the pod has been not Ready for longer than the grace period at `now` (or since an unknown time, or `now` is unknown). */
export function notReadyPastGrace(pod: Pod, now: number | undefined): boolean {
  if (isPodReady(pod)) return false;
  if (now === undefined) return true;
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === "Ready");
  const since = parseTime(ready?.lastTransitionTime) ?? parseTime(pod.metadata.creationTimestamp);
  return since === undefined || now - since >= STARTUP_GRACE_MS;
}

/** The Ready condition of a pod as evidence ("not Ready"). */
function notReadyEvidence(pod: Pod, note = "not Ready"): Evidence {
  const i = (pod.status?.conditions ?? []).findIndex((c) => c.type === "Ready");
  return { ref: refOf(pod), path: i >= 0 ? `status.conditions[${i}].status` : "status.phase", value: i >= 0 ? pod.status!.conditions![i]!.status : (pod.status?.phase ?? null), note };
}

/** Log lines of a pod's collected log tails that match `pattern` (current and previous instance). */
export function matchingLogLines(logs: readonly PodLog[], pod: Pod, pattern: RegExp): { line: string; container: string; previous: boolean }[] {
  const out: { line: string; container: string; previous: boolean }[] = [];
  const namespace = pod.metadata.namespace ?? "default";
  for (const log of logs) {
    if (log.namespace !== namespace || log.pod !== pod.metadata.name) continue;
    for (const line of log.text.split("\n")) if (pattern.test(line)) out.push({ line: line.trim(), container: log.container, previous: log.previous });
  }
  return out;
}

function logEvidence(pod: Pod, l: { line: string; container: string; previous: boolean }, prefix = ""): Evidence {
  return { ref: refOf(pod), path: "log", value: l.line, note: `${prefix}container ${l.container}${l.previous ? " (previous instance)" : ""}` };
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

/**
 * Ready endpoints of a Service: its ready addresses (EndpointSlices, else Endpoints), else its live
 * Ready pods when it has a selector and every pod was read; undefined when unknowable.
 */
export function readyEndpointCount(index: ClusterIndex, service: Service, podsComplete = index.has("Pod")): number | undefined {
  const addresses = endpointAddresses(index, service);
  if (addresses) return addresses.ready.length;
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined; // manual endpoints, not loaded
  if (!podsComplete) return undefined;
  return index.inNamespace<Pod>("Pod", service.metadata.namespace ?? "default").filter((p) => isLivePod(p) && matchesServiceSelector(selector, p.metadata.labels ?? {}) && isPodReady(p)).length;
}

export interface ClusterDns {
  service?: Service;
  /** The pods serving cluster DNS (not finished): the kube-dns Service's pods, else kube-system pods labelled k8s-app=kube-dns. */
  pods: Pod[];
}

/**
 * The cluster DNS Service and its pods. When the kube-dns Service has a selector, its pods are the
 * ones the selector matches, exactly as the EndpointSlice controller picks them: a CoreDNS pod the
 * selector misses serves no lookup, and a selector matching nothing is itself the outage. Only a
 * cluster without that Service (or with a selectorless one) is recognised by the k8s-app=kube-dns
 * label. Succeeded and Failed pods never serve.
 */
export function clusterDns(index: ClusterIndex): ClusterDns {
  const service = index.get<Service>("Service", CLUSTER_DNS_SERVICE.namespace, CLUSTER_DNS_SERVICE.name);
  const pods =
    service?.spec?.selector && Object.keys(service.spec.selector).length > 0
      ? index.podsSelectedByService(service)
      : index.inNamespace<Pod>("Pod", CLUSTER_DNS_SERVICE.namespace).filter((p) => p.metadata.labels?.[CLUSTER_DNS_LABEL.key] === CLUSTER_DNS_LABEL.value);
  return { ...(service ? { service } : {}), pods: pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed") };
}

/**
 * CoreDNS's loop plugin, just before it exits: `[FATAL] plugin/loop: Loop (127.0.0.1:<port> -> :53)
 * detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ..."`
 * (coredns plugin/loop: log.Fatalf through the plugin logger, which prefixes "[FATAL] plugin/loop: ").
 */
export const COREDNS_LOOP_LINE = /\[FATAL\] plugin\/loop: Loop \(.*\) detected/;

export interface DnsState {
  present: boolean;
  service?: Service;
  pods: Pod[];
  /** Ready endpoints of the Service (EndpointSlices, else Endpoints, else Ready pods); undefined when not determinable. */
  readyEndpoints?: number;
  /** Problems found, each a piece of evidence. */
  problems: Evidence[];
  /** The loop plugin's line, one per pod that logged it. */
  loopLines: { pod: Pod; line: string; container: string; previous: boolean }[];
  loopDetected: boolean;
  crashLooping: Pod[];
}

/**
 * The state of the cluster DNS: its ready endpoints (none is an outage), crash-looping CoreDNS pods,
 * the loop plugin's FATAL line. `podsComplete`: every pod was read (a count of Ready pods stands for
 * the endpoints only then); `now`: the reference time for the start-up grace.
 */
export function clusterDnsState(index: ClusterIndex, logs: readonly PodLog[], now: number | undefined, podsComplete = index.has("Pod")): DnsState {
  const { service, pods } = clusterDns(index);
  const state: DnsState = { present: service !== undefined || pods.length > 0, ...(service ? { service } : {}), pods, problems: [], loopLines: [], loopDetected: false, crashLooping: [] };
  if (!state.present) return state;
  if (service) {
    const readyEndpoints = readyEndpointCount(index, service, podsComplete);
    if (readyEndpoints !== undefined) state.readyEndpoints = readyEndpoints;
    if (readyEndpoints === 0) {
      for (const s of index.endpointSlicesOfService(service)) state.problems.push({ ref: refOf(s), path: "endpoints", value: (s.endpoints ?? []).length, note: "no ready endpoint in this slice" });
      const endpoints = index.endpointsOfService(service);
      if (endpoints && index.endpointSlicesOfService(service).length === 0) state.problems.push({ ref: refOf(endpoints), path: "subsets", value: 0, note: "no ready address" });
      if (pods.length === 0) state.problems.push({ ref: refOf(service), path: "spec.selector", value: service.spec?.selector ?? null, note: "no pod serves the cluster DNS Service" });
    }
  }
  for (const pod of pods) {
    const crash = crashLoopEvidence(pod);
    if (crash.length > 0) {
      state.crashLooping.push(pod);
      state.problems.push(...crash);
    }
    const loop = matchingLogLines(logs, pod, COREDNS_LOOP_LINE)[0];
    if (loop) {
      state.loopDetected = true;
      state.loopLines.push({ pod, ...loop });
      state.problems.push(logEvidence(pod, loop));
    }
  }
  if (state.readyEndpoints === undefined && pods.length > 0 && pods.every((p) => notReadyPastGrace(p, now))) state.readyEndpoints = 0;
  if (state.readyEndpoints === 0) for (const pod of pods) if (!isPodReady(pod)) state.problems.push(notReadyEvidence(pod));
  return state;
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
 * Cluster DNS health for a connectivity diagnosis, decided by `clusterDnsState` (the same facts the
 * cluster-dns-unhealthy analyzer reports): failed when the kube-dns Service has no ready endpoint or
 * CoreDNS's loop plugin logged a loop; also failed when the Corefile forwards to the pod's own
 * loopback (a loop the plugin reports as soon as CoreDNS starts). Crash-looping pods while others are
 * ready are a degradation, not an outage: passed, with the restarts in the check.
 */
export function clusterDnsHealth(index: ClusterIndex, logs: readonly PodLog[], now?: number): ComponentHealth & { service?: Service; pods: Pod[] } {
  const state = clusterDnsState(index, logs, now);
  const { service, pods } = state;
  const checks: InvestigationStep[] = [];
  const evidence: Evidence[] = [];
  const failures: string[] = [];
  const ns = DNS_NAMESPACE;
  if (!state.present) {
    const loaded = index.has("Service") && index.has("Pod");
    checks.push({
      step: "Find the cluster DNS Service and pods",
      command: `kubectl get service,pods -n ${ns} -l ${DNS_SELECTOR}`,
      result: loaded ? `no Service ${ns}/${DNS_SERVICE} and no pod labelled ${DNS_SELECTOR}` : "Services or Pods not in the snapshot",
      outcome: "unknown",
    });
    return {
      status: "unknown",
      summary: loaded ? `no cluster DNS found in ${ns} (no Service ${DNS_SERVICE}, no ${DNS_SELECTOR} pods): DNS may be served another way` : "cluster DNS not checked",
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
    command: `kubectl get pods -n ${ns} -l ${DNS_SELECTOR} -o wide`,
    result: `${ready.length}/${pods.length} ready${restarting.length ? `, restarts: ${restarting.map((p) => `${p.metadata.name} ${restartsOf(p)}`).join(", ")}` : ""}${state.crashLooping.length ? `, ${state.crashLooping.length} crash looping` : ""}`,
    outcome: pods.length > 0 && ready.length > 0 ? "ok" : "problem",
  });
  for (const p of pods.filter((x) => !isPodReady(x))) evidence.push(notReadyEvidence(p, "cluster DNS pod not ready"));
  const addresses = service ? endpointAddresses(index, service) : undefined;
  if (addresses) {
    checks.push({
      step: "Cluster DNS endpoints",
      command: `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${DNS_SERVICE}`,
      result: `${addresses.ready.length} ready, ${addresses.notReady.length} not ready (${addresses.source})`,
      outcome: addresses.ready.length > 0 ? "ok" : "problem",
    });
  }
  if (state.readyEndpoints === 0) {
    if (addresses) {
      failures.push(`Service ${ns}/${DNS_SERVICE} has no ready endpoints`);
      evidence.push({ ref: refOf(service!), path: "endpoints", value: addresses.ready, note: `no ready endpoint (${addresses.source})` });
    } else failures.push(pods.length === 0 ? "no cluster DNS pods" : `none of ${pods.length} cluster DNS pods is ready`);
  }
  const corefileMap = index.get<ConfigMap>("ConfigMap", ns, "coredns");
  const corefile = corefileMap?.data?.Corefile;
  if (corefile !== undefined) {
    const forwards = corefileForwards(corefile);
    const hostNetwork = pods.length > 0 && pods.every((p) => p.spec?.hostNetwork === true);
    const loopback = hostNetwork ? [] : forwards.filter((f) => f.targets.some(isLoopbackTarget));
    checks.push({
      step: "Corefile forwarding",
      command: `kubectl get configmap coredns -n ${ns} -o jsonpath='{.data.Corefile}'`,
      result: forwards.length ? forwards.map((f) => f.text).join("; ") : "no forward plugin",
      outcome: loopback.length > 0 || state.loopDetected ? "problem" : "ok",
    });
    for (const f of loopback) {
      failures.push(`the Corefile forwards to ${f.targets.filter(isLoopbackTarget).join(", ")}, the CoreDNS pod's own loopback (a forwarding loop)`);
      evidence.push({ ref: refOf(corefileMap!), path: `data.Corefile (line ${f.line})`, value: f.text, note: "forwards to the pod's own loopback" });
    }
    if (state.loopDetected) {
      const resolv = forwards.find((f) => f.targets.includes("/etc/resolv.conf"));
      if (resolv) evidence.push({ ref: refOf(corefileMap!), path: `data.Corefile (line ${resolv.line})`, value: resolv.text, note: "forwards to the node's resolv.conf, which points back at CoreDNS (e.g. a local stub resolver 127.0.0.53)" });
    }
  }
  if (state.loopDetected) {
    failures.push("CoreDNS's loop plugin detected a forwarding loop");
    for (const l of state.loopLines.slice(0, MAX_LOG_LINES)) evidence.push(logEvidence(l.pod, l));
  }
  const errorLines = pods.flatMap((p) => matchingLogLines(logs, p, /\[(ERROR|FATAL)\]/).map((l) => ({ ...l, pod: p }))).filter((l) => !COREDNS_LOOP_LINE.test(l.line));
  if (errorLines.length > 0) {
    checks.push({ step: "CoreDNS logs", command: `kubectl logs -n ${ns} -l ${DNS_SELECTOR} --tail=50`, result: `${errorLines.length} error line(s), e.g. ${errorLines[0]!.line}`, outcome: "problem" });
    for (const l of errorLines.slice(0, MAX_LOG_LINES)) evidence.push(logEvidence(l.pod, l));
  }
  const status: HopStatus = failures.length > 0 ? "failed" : state.readyEndpoints === undefined && ready.length === 0 ? "unknown" : "passed";
  return {
    status,
    summary:
      failures.length > 0
        ? failures.join("; ")
        : status === "unknown"
          ? `no cluster DNS pod is ready yet (within the ${STARTUP_GRACE_MS / 1000}s start-up grace) and its endpoints are not in the snapshot`
          : `${ready.length}/${pods.length} cluster DNS pods ready${errorLines.length ? ` (${errorLines.length} error line(s) in their logs)` : ""}`,
    checks,
    evidence,
    ...(status === "unknown" ? { need: `the EndpointSlices of ${ns}/${DNS_SERVICE}, or the CoreDNS pods' readiness after start-up` } : {}),
    ...(service ? { service } : {}),
    pods,
  };
}

/**
 * DaemonSets that run node networking, by name or k8s-app/app label: CNI plugins (Calico, Canal,
 * Flannel, Cilium, Weave Net, Antrea, kube-router, AWS VPC CNI, Azure CNI, OVN-Kubernetes) and
 * kube-proxy. The union of what both earlier checks knew: Flannel's older manifests name one
 * DaemonSet per architecture (kube-flannel-ds-amd64, -arm64, ...), matched by FLANNEL_ARCH.
 */
export const NODE_NETWORK_DAEMONSETS: ReadonlyMap<string, string> = new Map([
  ["calico-node", "Calico"],
  ["canal", "Canal"],
  ["kube-flannel-ds", "Flannel"],
  ["kube-flannel", "Flannel"],
  ["flannel", "Flannel"],
  ["cilium", "Cilium"],
  ["weave-net", "Weave Net"],
  ["antrea-agent", "Antrea"],
  ["kube-router", "kube-router"],
  ["aws-node", "AWS VPC CNI"],
  ["azure-cni", "Azure CNI"],
  ["ovnkube-node", "OVN-Kubernetes"],
  ["kube-proxy", "kube-proxy"],
]);
const FLANNEL_ARCH = /^(kube-)?flannel(-ds)?-(amd64|arm64|arm|ppc64le|s390x)$/;

/** The component a DaemonSet runs, when it is a node networking one. */
export function nodeNetworkComponent(ds: DaemonSet): string | undefined {
  const byName = (name: string | undefined): string | undefined => (name === undefined ? undefined : (NODE_NETWORK_DAEMONSETS.get(name) ?? (FLANNEL_ARCH.test(name) ? "Flannel" : undefined)));
  return byName(ds.metadata.name) ?? byName(ds.metadata.labels?.["k8s-app"]) ?? byName(ds.metadata.labels?.["app"]);
}

/** The CNI and kube-proxy DaemonSets of the cluster. */
export function networkDaemonSets(index: ClusterIndex): { daemonSet: DaemonSet; component: string }[] {
  const out: { daemonSet: DaemonSet; component: string }[] = [];
  for (const ds of index.all<DaemonSet>("DaemonSet")) {
    const component = nodeNetworkComponent(ds);
    if (component) out.push({ daemonSet: ds, component });
  }
  return out;
}

/**
 * Error lines in CNI / kube-proxy logs: klog E/F lines, logrus/zap level=error|fatal, [ERROR]/[FATAL]
 * (Calico, CoreDNS), Go panics. Not any line with the word "failed": info lines say that too.
 */
const ERROR_LINE = /^[EF]\d{4} |level=(error|fatal)|"level":"(error|fatal)"|\[(ERROR|FATAL)\]|\bpanic:/;

export interface DaemonSetHealth {
  component: string;
  desired?: number;
  ready?: number;
  /** Live pods of the DaemonSet that crash loop or are not Ready past the start-up grace, with why. */
  unhealthy: { pod: Pod; node?: string; evidence: Evidence[] }[];
  /** Live pods not Ready but still within the start-up grace. */
  starting: Pod[];
  /** Nodes whose networking pod is unhealthy. */
  nodes: string[];
}

/**
 * Health of a node networking DaemonSet: its status counts and its unhealthy pods (with their nodes,
 * the Ready condition or CrashLoopBackOff, and the last two error log lines of each container log).
 * A pod counts when it crash loops (even while Ready between restarts) or stays not Ready past
 * STARTUP_GRACE_MS; numberReady < desiredNumberScheduled alone is not enough (it also holds during a
 * rolling update or while a new node's pod starts).
 */
export function daemonSetHealth(index: ClusterIndex, logs: readonly PodLog[], ds: DaemonSet, now: number | undefined): DaemonSetHealth {
  const component = nodeNetworkComponent(ds) ?? ds.metadata.name;
  const health: DaemonSetHealth = { component, ...(ds.status?.desiredNumberScheduled !== undefined ? { desired: ds.status.desiredNumberScheduled } : {}), ...(ds.status?.numberReady !== undefined ? { ready: ds.status.numberReady } : {}), unhealthy: [], starting: [], nodes: [] };
  for (const pod of index.podsOfWorkload(ds)) {
    if (!isLivePod(pod)) continue;
    const evidence = crashLoopEvidence(pod);
    if (evidence.length === 0 && !notReadyPastGrace(pod, now)) {
      if (!isPodReady(pod)) health.starting.push(pod);
      continue;
    }
    if (evidence.length === 0) evidence.push(notReadyEvidence(pod));
    const byLog = new Map<string, { line: string; container: string; previous: boolean }[]>();
    for (const l of matchingLogLines(logs, pod, ERROR_LINE)) {
      const key = `${l.container}\u0000${l.previous}`;
      byLog.set(key, [...(byLog.get(key) ?? []), l]);
    }
    for (const lines of byLog.values()) for (const l of lines.slice(-2)) evidence.push(logEvidence(pod, l));
    const node = pod.spec?.nodeName;
    health.unhealthy.push({ pod, ...(node ? { node } : {}), evidence });
    if (node && !health.nodes.includes(node)) health.nodes.push(node);
  }
  health.nodes.sort();
  return health;
}

/**
 * CNI plugin and kube-proxy health for a connection through `nodes`: failed when a recognised
 * DaemonSet's pod on one of those nodes is unhealthy by `daemonSetHealth` (the definition the
 * cni-daemonset-degraded analyzer uses); unknown when its pod there is still starting or absent.
 * Unhealthy pods elsewhere, restarts and error log lines are warnings.
 */
export function cniHealth(index: ClusterIndex, logs: readonly PodLog[], nodes: readonly string[], now?: number): ComponentHealth {
  const checks: InvestigationStep[] = [];
  const evidence: Evidence[] = [];
  const failures: string[] = [];
  const starting: string[] = [];
  const warnings: string[] = [];
  const sets = networkDaemonSets(index);
  if (sets.length === 0) {
    const loaded = index.has("DaemonSet");
    checks.push({
      step: "Find the CNI plugin and kube-proxy DaemonSets",
      command: "kubectl get daemonsets -A",
      result: loaded ? `no ${[...new Set(NODE_NETWORK_DAEMONSETS.keys())].join(", ")} DaemonSet` : "DaemonSets not in the snapshot",
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
    const health = daemonSetHealth(index, logs, ds, now);
    const desired = health.desired ?? 0;
    const readyCount = health.ready ?? 0;
    const pods = index.podsOfWorkload(ds).filter(isLivePod);
    const restarts = pods.filter((p) => restartsOf(p) > 0);
    const onPath = nodes.map((node) => ({ node, pod: pods.find((p) => p.spec?.nodeName === node) }));
    // A node of the path with no pod of the DaemonSet is undecided, not failed: the DaemonSet may not
    // target it (nodeSelector, affinity, taints; desiredNumberScheduled counts only targeted nodes), as
    // the cni-daemonset-degraded analyzer, which judges pods, does not flag it either.
    const badOnPath = onPath.filter((x): x is { node: string; pod: Pod } => x.pod !== undefined && health.unhealthy.some((u) => u.pod === x.pod));
    const missingOnPath = onPath.filter((x) => !x.pod).map((x) => x.node);
    const startingOnPath = onPath.filter((x) => x.pod && health.starting.includes(x.pod));
    const errorLines = pods.flatMap((p) => matchingLogLines(logs, p, ERROR_LINE).map((l) => ({ ...l, pod: p })));
    const elsewhere = health.unhealthy.filter((u) => !u.node || !nodes.includes(u.node));
    checks.push({
      step: `${component}: DaemonSet ${ns}/${ds.metadata.name}`,
      command: `kubectl get daemonset ${ds.metadata.name} -n ${ns} && kubectl get pods -n ${ns} -o wide | grep ${ds.metadata.name}`,
      result: `${readyCount}/${desired} ready${restarts.length ? `, restarts: ${restarts.map((p) => `${p.metadata.name} ${restartsOf(p)}`).join(", ")}` : ""}${badOnPath.length ? `; on the connection's nodes: ${badOnPath.map((b) => `${b.node} pod ${b.pod.metadata.name} unhealthy`).join(", ")}` : ""}${missingOnPath.length ? `; no pod on ${missingOnPath.join(", ")}` : ""}${startingOnPath.length ? `; starting on ${startingOnPath.map((s) => s.node).join(", ")}` : ""}${errorLines.length ? `; ${errorLines.length} error log line(s)` : ""}`,
      outcome: badOnPath.length > 0 ? "problem" : startingOnPath.length > 0 || missingOnPath.length > 0 || elsewhere.length > 0 || readyCount < desired || restarts.length > 0 || errorLines.length > 0 ? "unknown" : "ok",
    });
    if (badOnPath.length > 0) {
      failures.push(`${component} is not running ready on ${badOnPath.map((b) => b.node).join(", ")}`);
      for (const b of badOnPath) {
        evidence.push({ ...notReadyEvidence(b.pod), note: `${component} pod on node ${b.node}` });
        evidence.push(...(health.unhealthy.find((u) => u.pod === b.pod)?.evidence ?? []).filter((e) => e.path?.startsWith("status.containerStatuses")));
      }
    } else if (startingOnPath.length > 0 || missingOnPath.length > 0) {
      if (startingOnPath.length > 0) starting.push(`${component} pod starting on ${startingOnPath.map((s) => s.node).join(", ")} (not Ready for less than ${STARTUP_GRACE_MS / 1000}s)`);
      if (missingOnPath.length > 0) {
        starting.push(`no ${component} pod on ${missingOnPath.join(", ")} (the DaemonSet may not target it, or its pod was not read)`);
        evidence.push({ ref: refOf(ds), path: "status", value: { desired, ready: readyCount }, note: `no ${component} pod on node ${missingOnPath.join(", ")}` });
      }
    }
    if (badOnPath.length === 0 && (elsewhere.length > 0 || readyCount < desired)) {
      warnings.push(`${component} ${readyCount}/${desired} ready${elsewhere.length ? `, unhealthy on ${elsewhere.map((u) => u.node ?? "?").join(", ")}` : ""} (not on this connection's nodes)`);
      evidence.push({ ref: refOf(ds), path: "status.numberReady", value: readyCount, note: `desired ${desired}` });
    }
    for (const l of errorLines.slice(0, MAX_LOG_LINES)) evidence.push(logEvidence(l.pod, l, `${component} `));
    if (errorLines.length > 0 && badOnPath.length === 0) warnings.push(`${errorLines.length} error line(s) in ${component} logs`);
  }
  const names = sets.map((s) => s.component).join(", ");
  const status: HopStatus = failures.length > 0 ? "failed" : starting.length > 0 ? "unknown" : "passed";
  return {
    status,
    summary: failures.length > 0 ? failures.join("; ") : status === "unknown" ? starting.join("; ") : `${names} ready on the connection's nodes${warnings.length ? ` (${warnings.join("; ")})` : ""}`,
    checks,
    evidence,
    ...(status === "unknown" ? { need: "the networking pods on the connection's nodes (their readiness after start-up, or the DaemonSet's node selection)" } : {}),
  };
}
