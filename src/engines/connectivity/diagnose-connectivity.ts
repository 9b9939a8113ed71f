// The service-to-service diagnosis ("A times out calling B") as ordered hops, each passed, failed,
// unknown or skipped with evidence: DNS -> Service -> endpoints -> NetworkPolicy (both directions)
// -> nodes -> CNI plugin. The first failed hop is the root cause; a NetworkPolicy denial comes with
// an additive allow policy, verified by evaluating again with it. Pure: index and log tails in.
import { stringify } from "yaml";
import type { ClusterIndex } from "../../indexes/types.js";
import type { Evidence, InvestigationStep, Remediation } from "../../model/finding.js";
import type { KubeObject, LabelSelector, NetworkPolicy, Node, Pod, Service, ServicePort } from "../../model/kube.js";
import { compareRefs, formatRef, refKey, refOf, type ObjectRef } from "../../model/ref.js";
import type { PodLog } from "../../model/snapshot.js";
import { declaredPorts, findContainerPort, protocolOf, targetPortOf } from "../../semantics/ports.js";
import {
  compilePolicies,
  evaluateCompiled,
  explainDirection,
  formatLabelSelector,
  type CompiledPolicies,
  type ConnectionVerdict,
  type DirectionVerdict,
  type NamespaceLike,
  type Protocol,
} from "../network-policy/index.js";
import { clusterDnsHealth, cniHealth, endpointAddresses, isPodReady, type ComponentHealth, type HopStatus } from "./cluster-network.js";
import { parseServiceName } from "./service-name.js";

export type HopId = "dns" | "service" | "endpoints" | "network-policy" | "nodes" | "cni" | "probe";

export interface ConnectivityHop extends ComponentHealth {
  id: HopId;
  title: string;
}

/** What the source and destination are. */
export type ConnectivitySource = { type: "object"; ref: ObjectRef };
export type ConnectivityTarget = { type: "object"; ref: ObjectRef } | { type: "address"; ip: string } | { type: "dns"; name: string };

/** An active test run from a source pod (live only), reported as the last hop. */
export interface ProbeResult {
  status: HopStatus;
  summary: string;
  command?: string;
  pod?: ObjectRef;
  output?: string;
  need?: string;
}

export interface ConnectivityOptions {
  /** A port number or name: of the Service (its targetPort is checked on the pods), else of the destination pods. */
  port?: number | string;
  protocol?: Protocol;
  logs?: readonly PodLog[];
  probe?: ProbeResult;
  /** The reference time (ms): a CoreDNS, CNI or kube-proxy pod not Ready for less than STARTUP_GRACE_MS is starting, not failed. Without it every not-Ready pod counts. */
  now?: number;
}

export interface ConnectivityFix extends Remediation {
  /** The NetworkPolicy to add, as YAML (for a NetworkPolicy denial). */
  yaml?: string;
  /** True when evaluating again with the proposed policy allows every pair that was denied. */
  verified?: boolean;
}

export interface ConnectivityDiagnosis {
  from: ObjectRef;
  to: { text: string; ref?: ObjectRef; service?: ObjectRef };
  port: number | string | null;
  protocol: Protocol;
  /** The Service port used and the targetPort checked on the pods. */
  servicePort?: { port: number; name?: string; targetPort: number | string };
  sourcePods: ObjectRef[];
  destinationPods: ObjectRef[];
  verdict: "passed" | "failed" | "unknown";
  hops: ConnectivityHop[];
  rootCause?: { hop: HopId; summary: string; evidence: Evidence[] };
  fixes: ConnectivityFix[];
  /** NetworkPolicies that isolate a side of a denied pair. */
  blockingPolicies: ObjectRef[];
}

/** A question that cannot be asked (unknown object, no pods, several Service ports and no --port): exit 2 in the CLI. */
export class ConnectivityError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = "ConnectivityError";
    this.hint = hint;
  }
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"]);
/** Pod pairs evaluated at most (sources x destinations): enough to tell all, some or none. */
const MAX_SOURCES = 20;
const MAX_DESTINATIONS = 50;
/** Labels controllers add per pod or revision: never part of a selector we propose. */
const VOLATILE_LABELS = new Set(["pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "pod-template-generation", "batch.kubernetes.io/controller-uid", "controller-uid", "batch.kubernetes.io/job-completion-index"]);

function isLive(pod: Pod): boolean {
  return pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

function nsOf(o: KubeObject): string {
  return o.metadata.namespace ?? "default";
}

function podsOf(index: ClusterIndex, ref: ObjectRef, role: string): { object: KubeObject; pods: Pod[] } {
  const object = index.getByRef(ref);
  if (!object) throw new ConnectivityError(`${formatRef(ref)} (${role}) not found`, index.has(ref.kind) ? "check the name and the namespace (-n)" : `the source holds no ${ref.kind} objects`);
  let pods: readonly Pod[];
  if (ref.kind === "Pod") pods = [object as Pod];
  else if (ref.kind === "Service") pods = index.podsSelectedByService(object as Service);
  else if (ref.kind === "Namespace") pods = index.inNamespace<Pod>("Pod", ref.name);
  else if (WORKLOAD_KINDS.has(ref.kind)) pods = index.podsOfWorkload(object);
  else throw new ConnectivityError(`${role} cannot be a ${ref.kind}`, "from/to: pod, deploy, sts, ds, rs, job, svc or ns/<name>; to may also be a Service DNS name or a ClusterIP");
  return { object, pods: pods.filter(isLive) };
}

/** Kinds every real namespace holds something of (the default ServiceAccount, kube-root-ca.crt) or workloads hold. */
const NAMESPACED_KINDS = ["ServiceAccount", "ConfigMap", "Pod", "Service", "Endpoints", "EndpointSlice", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "NetworkPolicy", "Secret", "Event"];

/**
 * Whether the snapshot holds the namespace's objects: a source narrowed with -n keeps no object of
 * other namespaces (its coverage does not say so), so an absent Service there proves nothing.
 */
export function namespaceLoaded(index: ClusterIndex, namespace: string): boolean {
  return NAMESPACED_KINDS.some((kind) => index.inNamespace(kind, namespace).length > 0);
}

function hop(id: HopId, title: string, health: ComponentHealth): ConnectivityHop {
  return { id, title, ...health };
}

function skipped(id: HopId, title: string, why: string): ConnectivityHop {
  return { id, title, status: "skipped", summary: why, checks: [], evidence: [] };
}

/** failed beats unknown beats passed. */
function worst(statuses: HopStatus[]): HopStatus {
  if (statuses.includes("failed")) return "failed";
  if (statuses.includes("unknown")) return "unknown";
  return statuses.every((s) => s === "skipped") && statuses.length > 0 ? "skipped" : "passed";
}

interface Resolved {
  service?: Service;
  /** The Service was named but does not exist (DNS answers NXDOMAIN). */
  missingService?: { name: string; namespace: string; qualified: boolean };
  pods: Pod[];
  ref?: ObjectRef;
  viaName: boolean;
}

function resolveTarget(index: ClusterIndex, target: ConnectivityTarget, callerNamespace: string): Resolved {
  if (target.type === "dns") {
    const name = parseServiceName(target.name, callerNamespace);
    if (!name) throw new ConnectivityError(`"${target.name}" is not an in-cluster Service name`, "e.g. api, api.shop, api.shop.svc.cluster.local");
    const service = index.get<Service>("Service", name.namespace, name.service);
    if (!service) return { missingService: { name: name.service, namespace: name.namespace, qualified: name.qualified }, pods: [], viaName: true };
    return { service, ref: refOf(service), pods: [], viaName: true };
  }
  if (target.type === "address") {
    const service = index.all<Service>("Service").find((s) => s.spec?.clusterIP === target.ip || ((s.spec as { clusterIPs?: string[] } | undefined)?.clusterIPs ?? []).includes(target.ip));
    if (service) return { service, ref: refOf(service), pods: [], viaName: false };
    const pod = index.all<Pod>("Pod").find((p) => isLive(p) && !p.spec?.hostNetwork && (p.status?.podIP === target.ip || ((p.status as { podIPs?: { ip: string }[] } | undefined)?.podIPs ?? []).some((x) => x.ip === target.ip)));
    if (pod) return { pods: [pod], ref: refOf(pod), viaName: false };
    throw new ConnectivityError(`no Service ClusterIP and no pod has the address ${target.ip}`, "kubesleuth diagnoses in-cluster destinations; for an external address use `kubesleuth reach <from> <ip> --port N`");
  }
  if (target.ref.kind === "Service") {
    const service = index.getByRef<Service>(target.ref);
    if (!service) return { missingService: { name: target.ref.name, namespace: target.ref.namespace ?? "default", qualified: true }, pods: [], viaName: true };
    return { service, ref: target.ref, pods: [], viaName: true };
  }
  const { object, pods } = podsOf(index, target.ref, "to");
  return { pods, ref: refOf(object), viaName: false };
}

function servicePortOf(service: Service, port: number | string | undefined, protocol: Protocol | undefined): { port?: ServicePort; index: number; problem?: string } {
  const all = service.spec?.ports ?? [];
  const list = all.map((p) => `${p.name ? `${p.name}:` : ""}${p.port}/${protocolOf(p)}`).join(", ") || "none";
  const candidates = all.map((p, i) => ({ p, i })).filter(({ p }) => protocol === undefined || protocolOf(p) === protocol);
  if (port === undefined) {
    if (candidates.length === 1) return { port: candidates[0]!.p, index: candidates[0]!.i };
    throw new ConnectivityError(`Service ${nsOf(service)}/${service.metadata.name} has ${candidates.length === 0 ? "no" : "several"} ports: give --port`, `its ports: ${list}`);
  }
  const match = candidates.find(({ p }) => (typeof port === "number" ? p.port === port : p.name === port));
  if (!match) return { index: -1, problem: `Service ${nsOf(service)}/${service.metadata.name} has no port ${port}${protocol ? `/${protocol}` : ""} (its ports: ${list})` };
  return { port: match.p, index: match.i };
}

// ---------------------------------------------------------------- DNS

function dnsPolicyCheck(pods: readonly Pod[]): { checks: InvestigationStep[]; evidence: Evidence[]; failed: string[]; unknown: string[] } {
  const checks: InvestigationStep[] = [];
  const evidence: Evidence[] = [];
  const failed: string[] = [];
  const unknown: string[] = [];
  for (const pod of pods.slice(0, MAX_SOURCES)) {
    const policy = (pod.spec?.dnsPolicy as string | undefined) ?? "ClusterFirst";
    const host = pod.spec?.hostNetwork === true;
    // Pod DNS policy docs: "Default" inherits the node's resolver; hostNetwork pods with ClusterFirst
    // "fallback to the behavior of the Default policy" unless ClusterFirstWithHostNet.
    const usesNode = policy === "Default" || (host && policy === "ClusterFirst");
    if (usesNode) {
      failed.push(`pod ${pod.metadata.name} resolves with the node's resolver (dnsPolicy ${policy}${host ? ", hostNetwork" : ""}): cluster names do not resolve`);
      evidence.push({ ref: refOf(pod), path: "spec.dnsPolicy", value: policy, note: host ? "hostNetwork pod: needs ClusterFirstWithHostNet" : "Default uses the node's /etc/resolv.conf" });
    } else if (policy === "None") {
      unknown.push(`pod ${pod.metadata.name} has dnsPolicy None (spec.dnsConfig decides)`);
    }
  }
  const pod = pods[0];
  if (pod) {
    checks.push({
      step: "Source pods' DNS policy",
      command: `kubectl get pod ${pod.metadata.name} -n ${nsOf(pod)} -o jsonpath='{.spec.dnsPolicy}'`,
      result: failed.length ? failed.join("; ") : unknown.length ? unknown.join("; ") : "ClusterFirst: names resolve through the cluster DNS",
      outcome: failed.length ? "problem" : unknown.length ? "unknown" : "ok",
    });
  }
  return { checks, evidence, failed, unknown };
}

function dnsEgressCheck(index: ClusterIndex, compiled: CompiledPolicies, sources: readonly Pod[], dnsService: Service | undefined, dnsPods: readonly Pod[]): { check: InvestigationStep; evidence: Evidence[]; status: HopStatus; denied: { protocol: Protocol; verdict: ConnectionVerdict; source: Pod; destination: Pod }[] } {
  const targets = dnsPods.filter(isPodReady);
  const denied: { protocol: Protocol; verdict: ConnectionVerdict; source: Pod; destination: Pod }[] = [];
  let unknown = 0;
  let total = 0;
  for (const protocol of ["UDP", "TCP"] as const) {
    const sp = dnsService?.spec?.ports?.find((p) => protocolOf(p) === protocol && p.port === 53);
    for (const source of sources.slice(0, MAX_SOURCES)) {
      for (const destination of targets.slice(0, MAX_DESTINATIONS)) {
        const port = sp ? findContainerPort(destination, targetPortOf(sp), protocol)?.port : 53;
        if (port === undefined) continue;
        total++;
        const v = evaluateCompiled(compiled, { kind: "pod", pod: source }, { kind: "pod", pod: destination }, port, protocol);
        if (v.allowed === false) denied.push({ protocol, verdict: v, source, destination });
        else if (v.allowed === "unknown") unknown++;
      }
    }
  }
  const evidence: Evidence[] = denied.length ? policyEvidence(denied[0]!.verdict, index) : [];
  const protocols = [...new Set(denied.map((d) => d.protocol))];
  const status: HopStatus = total === 0 ? "unknown" : denied.length ? "failed" : unknown ? "unknown" : "passed";
  const first = sources[0];
  return {
    check: {
      step: "NetworkPolicy: source egress to the cluster DNS pods on 53/UDP and 53/TCP",
      command: first ? `kubectl get networkpolicy -n ${nsOf(first)} -o yaml` : "kubectl get networkpolicy -A",
      result: total === 0 ? "no ready cluster DNS pod to evaluate against" : denied.length ? `denied on ${protocols.map((p) => `53/${p}`).join(" and ")}: ${explainDirection(denied[0]!.verdict.egress.allowed === false ? denied[0]!.verdict.egress : denied[0]!.verdict.ingress).join(" ")}` : `allowed for ${total} pod pair/protocol combination(s)${unknown ? `, ${unknown} unknown (plugin-dependent)` : ""}`,
      outcome: status === "failed" ? "problem" : status === "passed" ? "ok" : "unknown",
    },
    evidence,
    status,
    denied,
  };
}

// ---------------------------------------------------------------- NetworkPolicy evidence and fixes

/** Evidence for a denied connection: each isolating policy and why none of its rules matched. */
function policyEvidence(v: ConnectionVerdict, index: ClusterIndex): Evidence[] {
  const out: Evidence[] = [];
  for (const side of [v.egress, v.ingress]) {
    if (side.allowed !== false) continue;
    const dir = side.direction.toLowerCase();
    const lines = explainDirection(side);
    for (const d of side.denials) {
      const ref: ObjectRef = { kind: "NetworkPolicy", namespace: d.policy.namespace, name: d.policy.name };
      if (d.rules.length === 0) out.push({ ref, path: `spec.${dir}`, value: [], note: `isolates the ${dir === "ingress" ? "destination" : "source"} for ${side.direction} with no ${dir} rules: denies all ${dir}` });
      for (const r of d.rules) {
        const line = lines.find((l) => l.includes(`${d.policy.namespace}/${d.policy.name} spec.${dir}[${r.ruleIndex}]`));
        const spec = index.get<NetworkPolicy>("NetworkPolicy", d.policy.namespace, d.policy.name)?.spec as Record<string, unknown[] | undefined> | undefined;
        out.push({ ref, path: `spec.${dir}[${r.ruleIndex}]`, value: spec?.[dir]?.[r.ruleIndex] ?? null, note: line ? line.replace(/^\s*NetworkPolicy \S+ /, "").trim() : "no peer or port matched" });
      }
    }
  }
  return out;
}

/** The labels a workload's pods are selected by: the controller's matchLabels, else the pod's stable labels. */
function selectorLabels(index: ClusterIndex, pod: Pod): Record<string, string> {
  const root = index.rootController(pod) as KubeObject & { spec?: { selector?: LabelSelector } };
  const matchLabels = root !== pod ? root.spec?.selector?.matchLabels : undefined;
  if (matchLabels && Object.keys(matchLabels).length > 0 && !root.spec?.selector?.matchExpressions?.length) return { ...matchLabels };
  return Object.fromEntries(Object.entries(pod.metadata.labels ?? {}).filter(([k]) => !VOLATILE_LABELS.has(k)));
}

function dnsLabel(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "pods";
}

interface PolicyPlan {
  direction: "Ingress" | "Egress";
  namespace: string;
  selected: Record<string, string>;
  peerNamespace: string;
  peerLabels: Record<string, string>;
  ports: { protocol: Protocol; port: number | string }[];
  name: string;
}

function policyOf(plan: PolicyPlan): NetworkPolicy {
  const peer: Record<string, unknown> = { podSelector: { matchLabels: plan.peerLabels } };
  // A podSelector alone selects pods of the policy's own namespace: another namespace needs a namespaceSelector in the same peer (AND).
  if (plan.peerNamespace !== plan.namespace) peer.namespaceSelector = { matchLabels: { "kubernetes.io/metadata.name": plan.peerNamespace } };
  const rule = { [plan.direction === "Ingress" ? "from" : "to"]: [peer], ports: plan.ports.map((p) => ({ protocol: p.protocol, port: p.port })) };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: plan.name, namespace: plan.namespace },
    spec: { podSelector: { matchLabels: plan.selected }, policyTypes: [plan.direction], [plan.direction === "Ingress" ? "ingress" : "egress"]: [rule] },
  } as unknown as NetworkPolicy;
}

function applyFix(policy: NetworkPolicy, description: string, verified: boolean, verify: string): ConnectivityFix {
  const yaml = stringify(policy);
  const ns = policy.metadata.namespace!;
  return {
    description: `${description}${verified ? " (verified: evaluating again with it allows every denied pair)" : " (NOT verified: evaluating again with it still denies some pairs)"}`,
    command: `kubectl apply -f - <<'EOF'\n${yaml}EOF`,
    verify,
    rollback: `kubectl delete networkpolicy ${policy.metadata.name} -n ${ns}`,
    yaml,
    verified,
  };
}

type Pair = { source: Pod; destination: Pod; port: number; protocol: Protocol; verdict: ConnectionVerdict };

/**
 * Additive allow policies for denied pairs: an Ingress policy on the destination pods when their
 * ingress denies, an Egress policy on the source pods when their egress denies. Verified by
 * compiling the cluster's policies plus the proposal and evaluating every denied pair again.
 */
function proposeFixes(index: ClusterIndex, denied: readonly Pair[], policies: readonly NetworkPolicy[], namespaces: readonly NamespaceLike[], destinationLabels: Record<string, string> | undefined, nameHint: { from: string; to: string; verify: string }): ConnectivityFix[] {
  if (denied.length === 0) return [];
  const first = denied[0]!;
  const srcLabels = selectorLabels(index, first.source);
  const dstLabels = destinationLabels ?? selectorLabels(index, first.destination);
  const portsOf = (pairs: readonly Pair[]): { protocol: Protocol; port: number }[] => {
    const seen = new Map<string, { protocol: Protocol; port: number }>();
    for (const p of pairs) seen.set(`${p.protocol}/${p.port}`, { protocol: p.protocol, port: p.port });
    return [...seen.values()].sort((a, b) => a.port - b.port);
  };
  const plans: PolicyPlan[] = [];
  const ingressDenied = denied.filter((p) => p.verdict.ingress.allowed === false);
  const egressDenied = denied.filter((p) => p.verdict.egress.allowed === false);
  if (ingressDenied.length) {
    plans.push({ direction: "Ingress", namespace: nsOf(first.destination), selected: dstLabels, peerNamespace: nsOf(first.source), peerLabels: srcLabels, ports: portsOf(ingressDenied), name: `allow-${dnsLabel(nameHint.from)}-to-${dnsLabel(nameHint.to)}` });
  }
  if (egressDenied.length) {
    plans.push({ direction: "Egress", namespace: nsOf(first.source), selected: srcLabels, peerNamespace: nsOf(first.destination), peerLabels: dstLabels, ports: portsOf(egressDenied), name: `allow-${dnsLabel(nameHint.from)}-egress-to-${dnsLabel(nameHint.to)}` });
  }
  const proposed = plans.map(policyOf);
  const compiled = compilePolicies([...policies, ...proposed], namespaces);
  const verified = denied.every((p) => evaluateCompiled(compiled, { kind: "pod", pod: p.source }, { kind: "pod", pod: p.destination }, p.port, p.protocol).allowed === true);
  return proposed.map((policy, i) => {
    const plan = plans[i]!;
    const what = plan.direction === "Ingress" ? `ingress to ${formatLabelSelector({ matchLabels: plan.selected })} in ${plan.namespace} from ${formatLabelSelector({ matchLabels: plan.peerLabels })} in ${plan.peerNamespace}` : `egress from ${formatLabelSelector({ matchLabels: plan.selected })} in ${plan.namespace} to ${formatLabelSelector({ matchLabels: plan.peerLabels })} in ${plan.peerNamespace}`;
    return applyFix(policy, `Add NetworkPolicy ${plan.namespace}/${plan.name} allowing ${what} on ${plan.ports.map((p) => `${p.port}/${p.protocol}`).join(", ")}; NetworkPolicies are additive, so existing rules stay as they are`, verified, nameHint.verify);
  });
}

// ---------------------------------------------------------------- the diagnosis

function nodeHop(index: ClusterIndex, pods: readonly Pod[]): ConnectivityHop {
  const names = [...new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => !!n))].sort();
  if (names.length === 0) return skipped("nodes", "Nodes of both sides", "no pod on either side is scheduled to a node");
  const checks: InvestigationStep[] = [];
  const evidence: Evidence[] = [];
  const failed: string[] = [];
  const notes: string[] = [];
  let missing = 0;
  for (const name of names) {
    const node = index.get<Node>("Node", undefined, name);
    if (!node) {
      missing++;
      checks.push({ step: `Node ${name}`, command: `kubectl describe node ${name}`, result: index.has("Node") ? "not found" : "Nodes not in the snapshot", outcome: "unknown" });
      continue;
    }
    const cond = (t: string) => node.status?.conditions?.find((c) => c.type === t);
    const ready = cond("Ready");
    const pressure = ["MemoryPressure", "DiskPressure", "PIDPressure"].filter((t) => cond(t)?.status === "True");
    const netDown = cond("NetworkUnavailable")?.status === "True";
    const ok = ready?.status === "True" && !netDown;
    checks.push({
      step: `Node ${name}`,
      command: `kubectl describe node ${name}`,
      result: `Ready=${ready?.status ?? "unknown"}${ready?.reason && ready.status !== "True" ? ` (${ready.reason})` : ""}${netDown ? ", NetworkUnavailable" : ""}${pressure.length ? `, ${pressure.join(", ")}` : ""}`,
      outcome: ok ? "ok" : "problem",
    });
    if (ready?.status !== "True") {
      failed.push(`node ${name} is not Ready (${ready?.status ?? "no Ready condition"}${ready?.reason ? `, ${ready.reason}` : ""})`);
      evidence.push({ ref: refOf(node), path: "status.conditions[Ready]", value: ready?.status ?? "absent", note: ready?.message ?? ready?.reason ?? "" });
    }
    if (netDown) {
      failed.push(`node ${name} has NetworkUnavailable=True (the node's network is not configured)`);
      evidence.push({ ref: refOf(node), path: "status.conditions[NetworkUnavailable]", value: "True", note: cond("NetworkUnavailable")?.message ?? "" });
    }
    if (pressure.length) notes.push(`${name}: ${pressure.join(", ")}`);
  }
  const status: HopStatus = failed.length ? "failed" : missing ? "unknown" : "passed";
  return {
    id: "nodes",
    title: "Nodes of both sides",
    status,
    summary: failed.length ? failed.join("; ") : missing ? `${missing} node(s) not in the snapshot` : `${names.length} node(s) Ready${notes.length ? ` (pressure: ${notes.join("; ")})` : ""}`,
    checks,
    evidence,
    ...(missing && !failed.length ? { need: "the Node objects of both sides" } : {}),
  };
}

/** The diagnosis for connections from `from`'s pods to `to`. Throws ConnectivityError for questions that cannot be asked. */
export function diagnoseConnectivity(index: ClusterIndex, from: ConnectivitySource, to: ConnectivityTarget, options: ConnectivityOptions = {}): ConnectivityDiagnosis {
  const logs = options.logs ?? [];
  const { object: fromObject, pods: sourcePodsAll } = podsOf(index, from.ref, "from");
  if (sourcePodsAll.length === 0) throw new ConnectivityError(`${formatRef(refOf(fromObject))} (from) has no running pods`, "a connection starts from a pod");
  const sources = sourcePodsAll.slice(0, MAX_SOURCES);
  const callerNs = nsOf(sources[0]!);
  const target = resolveTarget(index, to, callerNs);
  const toText = to.type === "dns" ? to.name : to.type === "address" ? to.ip : `${to.ref.namespace ? `${to.ref.namespace}/` : ""}${to.ref.kind.toLowerCase()}/${to.ref.name}`;
  const policies = index.all<NetworkPolicy>("NetworkPolicy");
  const namespaces = index.all("Namespace") as readonly NamespaceLike[];
  const compiled = compilePolicies(policies, namespaces);
  const hops: ConnectivityHop[] = [];
  let protocol: Protocol = options.protocol ?? "TCP";
  const service = target.service;

  // 1. DNS
  if (target.viaName) {
    const checks: InvestigationStep[] = [];
    const evidence: Evidence[] = [];
    const statuses: HopStatus[] = [];
    const failures: string[] = [];
    const needs: string[] = [];
    if (target.missingService && !namespaceLoaded(index, target.missingService.namespace)) {
      const m = target.missingService;
      const result = `nothing of namespace ${m.namespace} is in the snapshot (loaded with -n for another namespace?): cannot tell whether Service ${m.name} exists`;
      checks.push({ step: "The Service exists in that namespace", command: `kubectl get service ${m.name} -n ${m.namespace}`, result, outcome: "unknown" });
      needs.push(`the objects of namespace ${m.namespace}`);
      statuses.push("unknown");
    } else if (target.missingService) {
      const m = target.missingService;
      const nsExists = index.get("Namespace", undefined, m.namespace) !== undefined;
      const result = `no Service ${m.name} in namespace ${m.namespace}${index.has("Namespace") && !nsExists ? ` (namespace ${m.namespace} does not exist)` : ""}: the name does not resolve (NXDOMAIN)${m.qualified ? "" : `; an unqualified name resolves in the caller's namespace ${callerNs} only`}`;
      checks.push({ step: "The Service exists in that namespace", command: `kubectl get service ${m.name} -n ${m.namespace}`, result, outcome: "problem" });
      evidence.push({ ref: { kind: "Service", namespace: m.namespace, name: m.name }, path: "metadata.name", value: m.name, note: "not found" });
      failures.push(result);
      statuses.push("failed");
    } else if (service) {
      checks.push({ step: "The Service exists in that namespace", command: `kubectl get service ${service.metadata.name} -n ${nsOf(service)}`, result: `${service.metadata.name}.${nsOf(service)}.svc exists (type ${service.spec?.type ?? "ClusterIP"})`, outcome: "ok" });
      statuses.push("passed");
    }
    const policy = dnsPolicyCheck(sources);
    checks.push(...policy.checks);
    evidence.push(...policy.evidence);
    failures.push(...policy.failed);
    statuses.push(policy.failed.length ? "failed" : policy.unknown.length ? "unknown" : "passed");
    if (policy.unknown.length) needs.push("the pods' spec.dnsConfig nameservers");
    const dns = clusterDnsHealth(index, logs, options.now);
    checks.push(...dns.checks);
    evidence.push(...dns.evidence);
    statuses.push(dns.status);
    if (dns.status === "failed") failures.push(dns.summary);
    if (dns.need) needs.push(dns.need);
    const egress = dnsEgressCheck(index, compiled, sources, dns.service, dns.pods);
    if (dns.pods.length > 0) {
      checks.push(egress.check);
      evidence.push(...egress.evidence);
      statuses.push(egress.status);
      if (egress.status === "failed") failures.push(`NetworkPolicy denies DNS: ${egress.check.result}`);
    }
    const status = worst(statuses);
    hops.push({
      id: "dns",
      title: "DNS",
      status,
      summary: failures.length ? failures.join("; ") : status === "unknown" ? `the name is a Service; ${dns.status === "unknown" ? dns.summary : "some checks could not be decided"}` : `the Service name resolves through ${dns.pods.filter(isPodReady).length} ready cluster DNS pod(s)`,
      checks,
      evidence,
      ...(status === "unknown" && needs.length ? { need: needs.join("; ") } : {}),
    });
    (hops[0] as ConnectivityHop & { dnsDenied?: Pair[] }).dnsDenied = egress.denied.map((d) => ({ source: d.source, destination: d.destination, port: d.verdict.port ?? 53, protocol: d.protocol, verdict: d.verdict }));
  } else {
    hops.push(skipped("dns", "DNS", to.type === "address" ? "destination given as an IP address: no name lookup" : "destination is not a Service: no name lookup"));
  }

  // 2. Service
  let destinations: Pod[] = target.pods;
  let portOf: (pod: Pod) => number | undefined;
  let servicePort: ConnectivityDiagnosis["servicePort"];
  if (target.missingService) {
    hops.push(skipped("service", "Service", namespaceLoaded(index, target.missingService.namespace) ? "the Service does not exist" : "the Service is not in the snapshot"));
    portOf = () => undefined;
  } else if (service) {
    const checks: InvestigationStep[] = [];
    const evidence: Evidence[] = [];
    const name = service.metadata.name;
    const ns = nsOf(service);
    const type = service.spec?.type ?? "ClusterIP";
    let status: HopStatus = "passed";
    let summary = "";
    let need: string | undefined;
    portOf = () => undefined;
    if (type === "ExternalName") {
      status = "unknown";
      summary = `ExternalName Service: the name is a CNAME to ${service.spec?.externalName ?? "?"}, outside the cluster`;
      need = "a diagnosis of the external host";
      checks.push({ step: "Service type", command: `kubectl get service ${name} -n ${ns} -o yaml`, result: summary, outcome: "unknown" });
    } else {
      const sp = servicePortOf(service, options.port, options.protocol);
      const selector = service.spec?.selector;
      if (!sp.port) {
        status = "failed";
        summary = sp.problem!;
        checks.push({ step: "Service port", command: `kubectl get service ${name} -n ${ns} -o jsonpath='{.spec.ports}'`, result: summary, outcome: "problem" });
        evidence.push({ ref: refOf(service), path: "spec.ports", value: (service.spec?.ports ?? []).map((p) => p.port), note: `the connection is to port ${options.port}` });
      } else {
        protocol = protocolOf(sp.port) as Protocol;
        const target = targetPortOf(sp.port);
        servicePort = { port: sp.port.port, ...(sp.port.name ? { name: sp.port.name } : {}), targetPort: target };
        checks.push({ step: "Service type and port", command: `kubectl get service ${name} -n ${ns} -o wide`, result: `${type}${service.spec?.clusterIP === "None" ? " (headless)" : service.spec?.clusterIP ? ` ${service.spec.clusterIP}` : ""}, port ${sp.port.name ? `${sp.port.name}(${sp.port.port})` : sp.port.port}/${protocol} -> targetPort ${target}`, outcome: "ok" });
        portOf = (pod) => findContainerPort(pod, target, protocol)?.port;
        if (!selector || Object.keys(selector).length === 0) {
          checks.push({ step: "Service selector", command: `kubectl get service ${name} -n ${ns} -o jsonpath='{.spec.selector}'`, result: "no selector: endpoints are managed by hand (or by another controller)", outcome: "ok" });
          summary = `${type} port ${sp.port.port}/${protocol} without selector`;
        } else {
          const selected = index.podsSelectedByService(service).filter(isLive);
          destinations = selected;
          const selText = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");
          checks.push({ step: "Service selector matches pods", command: `kubectl get pods -n ${ns} -l ${selText}`, result: `${selected.length} pod(s) match ${selText}`, outcome: selected.length ? "ok" : "problem" });
          if (selected.length === 0) {
            status = "failed";
            summary = `selector ${selText} matches no running pod in ${ns}`;
            evidence.push({ ref: refOf(service), path: "spec.selector", value: selector, note: "matches no running pod" });
          } else {
            const unresolved = selected.filter((p) => portOf(p) === undefined);
            const undeclared = typeof target === "number" ? selected.filter((p) => !findContainerPort(p, target, protocol)?.declared && declaredPorts(p).length > 0) : [];
            const portPath = `spec.ports[${sp.index}].targetPort`;
            if (unresolved.length === selected.length) {
              status = "failed";
              summary = `targetPort ${target}/${protocol} is a name no selected pod declares: no pod is an endpoint of this port`;
              evidence.push({ ref: refOf(service), path: portPath, value: target, note: `no ${protocol} container port named ${target}` });
            } else if (undeclared.length === selected.length) {
              status = "unknown";
              need = "the port the application listens on";
              summary = `targetPort ${target}/${protocol} is declared by no selected pod (they declare ${[...new Set(selected.flatMap(declaredPorts).map((p) => `${p.containerPort}/${p.protocol}`))].join(", ")}): connections are refused unless the application listens on ${target}`;
              evidence.push({ ref: refOf(service), path: portPath, value: target, note: "not declared by the pods" });
            } else {
              summary = `${type} port ${sp.port.port}/${protocol} -> targetPort ${target}, resolved on ${selected.length - unresolved.length}/${selected.length} selected pod(s)`;
            }
            checks.push({ step: "targetPort matches a container port", command: `kubectl get pods -n ${ns} -l ${selText} -o jsonpath='{.items[*].spec.containers[*].ports}'`, result: summary, outcome: status === "failed" ? "problem" : status === "unknown" ? "unknown" : "ok" });
          }
        }
      }
    }
    hops.push({ id: "service", title: "Service", status, summary, checks, evidence, ...(need ? { need } : {}) });
  } else {
    hops.push(skipped("service", "Service", "destination is pods, not a Service"));
    const port = options.port;
    if (port === undefined) throw new ConnectivityError("--port is required unless the destination is a Service with a single port", "e.g. --port 8080 or --port http (a port name of the destination pods)");
    portOf = (pod) => (typeof port === "number" ? port : findContainerPort(pod, port, protocol)?.port);
  }

  // 3. Endpoints
  let endpointPods = destinations;
  if (service && service.spec?.type !== "ExternalName" && hops[1]!.status !== "skipped") {
    const ns = nsOf(service);
    const addresses = endpointAddresses(index, service);
    const checks: InvestigationStep[] = [];
    const evidence: Evidence[] = [];
    let status: HopStatus;
    let summary: string;
    if (addresses) {
      const readyPods = destinations.filter((p) => addresses.ready.includes(p.status?.podIP ?? "") || [...addresses.targets.entries()].some(([ip, n]) => n === p.metadata.name && addresses.ready.includes(ip)));
      if (readyPods.length) endpointPods = readyPods;
      status = addresses.ready.length ? "passed" : "failed";
      summary = `${addresses.ready.length} ready, ${addresses.notReady.length} not ready endpoint(s) (${addresses.source})`;
      checks.push({ step: "Ready endpoints", command: `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${service.metadata.name} -o wide`, result: summary, outcome: status === "passed" ? "ok" : "problem" });
      if (!addresses.ready.length) evidence.push({ ref: refOf(service), path: "endpoints", value: { ready: addresses.ready, notReady: addresses.notReady }, note: `no ready endpoint (${addresses.source})` });
    } else {
      const ready = destinations.filter(isPodReady);
      // A pod without conditions in the snapshot (a manifest, not a captured object) says nothing about readiness.
      const undecided = destinations.filter((p) => !p.status?.conditions?.some((c) => c.type === "Ready"));
      if (ready.length) endpointPods = ready;
      status = ready.length ? "passed" : (destinations.length === 0 && !service.spec?.selector) || undecided.length > 0 ? "unknown" : "failed";
      summary = `EndpointSlices and Endpoints not in the snapshot; ${ready.length}/${destinations.length} selected pod(s) Ready${undecided.length ? `, ${undecided.length} without a Ready condition` : ""}`;
      checks.push({ step: "Ready endpoints (from pod readiness)", command: `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${service.metadata.name}`, result: summary, outcome: status === "passed" ? "ok" : status === "failed" ? "problem" : "unknown" });
    }
    if (status === "failed") {
      for (const p of destinations.filter((x) => !isPodReady(x)).slice(0, 5)) {
        const ready = p.status?.conditions?.find((c) => c.type === "Ready");
        evidence.push({ ref: refOf(p), path: "status.conditions[Ready]", value: ready?.status ?? "absent", note: `not ready${ready?.reason ? ` (${ready.reason})` : ""}: not an endpoint` });
      }
    }
    hops.push({ id: "endpoints", title: "Endpoints", status, summary, checks, evidence, ...(status === "unknown" ? { need: "the Service's EndpointSlices or Endpoints, or the pods' status" } : {}) });
  } else if (!service && !target.missingService) {
    const running = destinations.filter((p) => p.status?.phase === "Running");
    const status: HopStatus = destinations.length === 0 ? "failed" : running.length ? "passed" : "failed";
    const summary = destinations.length === 0 ? "the destination has no running pods" : `${running.length}/${destinations.length} destination pod(s) Running`;
    hops.push({ id: "endpoints", title: "Destination pods", status, summary, checks: [{ step: "Destination pods running", command: `kubectl get pods -n ${target.ref?.namespace ?? callerNs} -o wide`, result: summary, outcome: status === "passed" ? "ok" : "problem" }], evidence: [] });
  } else {
    hops.push(skipped("endpoints", "Endpoints", target.missingService ? "no Service to check" : "no endpoints to check"));
  }

  // 4. NetworkPolicy, both directions, on the pod port (a Service's targetPort resolved per pod)
  const pairs: Pair[] = [];
  for (const destination of endpointPods.slice(0, MAX_DESTINATIONS)) {
    const port = portOf(destination);
    if (port === undefined) continue;
    for (const source of sources) {
      if (source === destination) continue;
      pairs.push({ source, destination, port, protocol, verdict: evaluateCompiled(compiled, { kind: "pod", pod: source }, { kind: "pod", pod: destination }, port, protocol) });
    }
  }
  const denied = pairs.filter((p) => p.verdict.allowed === false);
  const unknownPairs = pairs.filter((p) => p.verdict.allowed === "unknown");
  const blocking = new Map<string, ObjectRef>();
  for (const p of denied) for (const side of [p.verdict.egress, p.verdict.ingress]) if (side.allowed === false) for (const d of side.denials) {
    const ref = { kind: "NetworkPolicy", namespace: d.policy.namespace, name: d.policy.name };
    blocking.set(refKey(ref), ref);
  }
  const blockingPolicies = [...blocking.values()].sort(compareRefs);
  if (pairs.length === 0) {
    hops.push(skipped("network-policy", "NetworkPolicy (egress of the source, ingress of the destination)", "no destination pod to evaluate"));
  } else {
    const checks: InvestigationStep[] = [];
    const shown = [...denied, ...unknownPairs, ...pairs.filter((p) => p.verdict.allowed === true)].slice(0, 3);
    for (const p of shown) {
      const explain = (v: DirectionVerdict): string => explainDirection(v).join("\n");
      checks.push({
        step: `${p.source.metadata.name} -> ${p.destination.metadata.name}:${p.port}/${p.protocol}`,
        command: `kubesleuth reach ${nsOf(p.source)}/pod/${p.source.metadata.name} ${nsOf(p.destination)}/pod/${p.destination.metadata.name} --port ${p.port} --protocol ${p.protocol}`,
        result: `${p.verdict.allowed === true ? "allowed" : p.verdict.allowed === false ? "denied" : "unknown"}\n${explain(p.verdict.egress)}\n${explain(p.verdict.ingress)}`,
        outcome: p.verdict.allowed === true ? "ok" : p.verdict.allowed === false ? "problem" : "unknown",
      });
    }
    const status: HopStatus = denied.length ? "failed" : unknownPairs.length ? "unknown" : "passed";
    const sides = [...new Set(denied.flatMap((p) => [p.verdict.egress.allowed === false ? "egress of the source" : "", p.verdict.ingress.allowed === false ? "ingress of the destination" : ""]).filter(Boolean))];
    const summary = denied.length
      ? `${denied.length === pairs.length ? "denied" : `partly denied (${denied.length} of ${pairs.length} pod pairs)`} by ${sides.join(" and ")}: isolated by ${blockingPolicies.map((r) => `NetworkPolicy ${r.namespace}/${r.name}`).join(", ")} and no rule admits ${formatRef(refOf(denied[0]!.source))} on ${denied[0]!.port}/${protocol}`
      : unknownPairs.length ? `${unknownPairs.length} of ${pairs.length} pod pair(s) depend on the network plugin (hostNetwork or node addresses)` : `allowed for all ${pairs.length} pod pair(s)`;
    hops.push({
      id: "network-policy",
      title: "NetworkPolicy (egress of the source, ingress of the destination)",
      status,
      summary,
      checks,
      evidence: denied.length ? policyEvidence(denied[0]!.verdict, index) : [],
      ...(status === "unknown" ? { need: "the network plugin's treatment of hostNetwork pods" } : {}),
    });
  }

  // 5. Nodes, 6. CNI
  const onPath = [...sources, ...endpointPods.slice(0, MAX_DESTINATIONS)];
  hops.push(nodeHop(index, onPath));
  const nodes = [...new Set(onPath.map((p) => p.spec?.nodeName).filter((n): n is string => !!n))].sort();
  hops.push(hop("cni", "CNI plugin and kube-proxy", cniHealth(index, logs, nodes, options.now)));

  if (options.probe) {
    const p = options.probe;
    hops.push({
      id: "probe",
      title: "Live probe from the source pod",
      status: p.status,
      summary: p.summary,
      checks: p.command ? [{ step: "Probe", command: p.command, result: p.output ?? p.summary, outcome: p.status === "passed" ? "ok" : p.status === "failed" ? "problem" : "unknown" }] : [],
      evidence: p.pod ? [{ ref: p.pod, path: "exec", value: p.output ?? p.summary, note: p.command ?? "probe" }] : [],
      ...(p.need ? { need: p.need } : {}),
    });
  }

  // Root cause: the first failed hop (the probe only confirms the symptom).
  const cause = hops.find((h) => h.status === "failed" && h.id !== "probe");
  const anyFailed = hops.some((h) => h.status === "failed");
  const verdict: ConnectivityDiagnosis["verdict"] = anyFailed ? "failed" : hops.some((h) => h.status === "unknown") ? "unknown" : "passed";
  const fromText = `${nsOf(fromObject)}/${fromObject.kind.toLowerCase()}/${fromObject.metadata.name}`;
  const verify = `kubesleuth diagnose connectivity ${fromText} ${toText}${options.port !== undefined ? ` --port ${options.port}` : ""}`;
  const fixes: ConnectivityFix[] = [];
  if (cause?.id === "network-policy") {
    const labels = service?.spec?.selector && Object.keys(service.spec.selector).length ? { ...service.spec.selector } : undefined;
    fixes.push(...proposeFixes(index, denied, policies, namespaces, labels, { from: fromObject.metadata.name, to: service?.metadata.name ?? target.ref?.name ?? "destination", verify }));
  } else if (cause?.id === "dns") {
    const dnsDenied = (hops[0] as ConnectivityHop & { dnsDenied?: Pair[] }).dnsDenied ?? [];
    if (dnsDenied.length) fixes.push(...proposeFixes(index, dnsDenied, policies, namespaces, undefined, { from: fromObject.metadata.name, to: "cluster-dns", verify }));
  }
  for (const h of hops) delete (h as ConnectivityHop & { dnsDenied?: Pair[] }).dnsDenied;
  return {
    from: refOf(fromObject),
    to: { text: toText, ...(target.ref ? { ref: target.ref } : {}), ...(service ? { service: refOf(service) } : {}) },
    port: options.port ?? servicePort?.port ?? null,
    protocol,
    ...(servicePort ? { servicePort } : {}),
    sourcePods: sources.map(refOf),
    destinationPods: endpointPods.slice(0, MAX_DESTINATIONS).map(refOf),
    verdict,
    hops,
    ...(cause ? { rootCause: { hop: cause.id, summary: cause.summary, evidence: cause.evidence } } : {}),
    fixes,
    blockingPolicies,
  };
}

// ---------------------------------------------------------------- as a finding

/** The message id of a root cause found at each hop (stable finding codes). */
export const ROOT_CAUSE_MESSAGES: Record<Exclude<HopId, "probe">, string> = {
  dns: "dnsFails",
  service: "serviceMisconfigured",
  endpoints: "noReadyEndpoints",
  "network-policy": "networkPolicyDenies",
  nodes: "nodeUnhealthy",
  cni: "cniUnhealthy",
};

/** Generic root-cause text per hop, for findings built from a diagnosis. */
export const ROOT_CAUSE_TEXT: Record<Exclude<HopId, "probe">, string> = {
  dns: "The destination name cannot be resolved from the source: the Service does not exist, the pod does not use the cluster DNS, cluster DNS is unhealthy, or a NetworkPolicy blocks the source's DNS traffic.",
  service: "The Service does not lead to the pods on the port the caller uses: the port, the selector or the targetPort does not match.",
  endpoints: "The Service has no ready endpoint: kube-proxy (or the CNI's Service implementation) has nowhere to send the connection.",
  "network-policy": "NetworkPolicies isolate a side of the connection and no rule of the isolating policies admits it: a policy-enforcing CNI drops the packets (clients see timeouts).",
  nodes: "A node on the connection's path is NotReady or has no network configured.",
  cni: "The CNI plugin or kube-proxy pod on a node of the connection's path is not running ready.",
};

/** The investigation steps of every hop, in order, as a finding carries them. */
export function investigationOf(d: ConnectivityDiagnosis): InvestigationStep[] {
  return d.hops.flatMap((h) =>
    h.checks.length
      ? h.checks.map((c) => ({ ...c, step: `${h.title}: ${c.step}`, result: c.result.split("\n").map((l) => l.trim()).join("; ") }))
      : [{ step: h.title, command: "-", result: `${h.status}: ${h.summary}${h.need ? ` (need ${h.need})` : ""}`, outcome: h.status === "failed" ? ("problem" as const) : h.status === "passed" ? ("ok" as const) : ("unknown" as const) }],
  );
}
