// `kubesleuth reach`: resolves object refs and addresses to pods/IPs, asks the NetworkPolicy engine
// about every pod-to-pod pair, and builds the workload-level connectivity matrix. Pure: index in, data out.
import type { ClusterIndex } from "../indexes/types.js";
import type { KubeObject, NetworkPolicy, Pod, Service, ServicePort } from "../model/kube.js";
import { compareRefs, refKey, refOf, type ObjectRef } from "../model/ref.js";
import { findContainerPort, protocolOf, targetPortOf } from "../semantics/ports.js";
import {
  buildConnectivityMatrix,
  compilePolicies,
  containsConnection,
  evaluateCompiled,
  formatIp,
  parseCidr,
  parseIp,
  type CompiledPolicies,
  type ConnectionSet,
  type DirectionVerdict,
  type Endpoint,
  type IpRange,
  type NamespaceLike,
  type PolicyRef,
  type Protocol,
} from "../engines/network-policy/index.js";

/** A user-facing error (bad ref, object not found, no pods): the CLI turns it into exit 2. */
export class ReachError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = "ReachError";
    this.hint = hint;
  }
}

export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

/** What `from`/`to` name: an object, or an address (a single IP or a CIDR). */
export type ReachSubject = { type: "object"; ref: ObjectRef } | { type: "address"; text: string; range: IpRange };

/** Workload kinds whose pods are found through the controller chain. */
/** Workload kinds whose pods are found through the controller chain. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"]);
export const SUBJECT_HINT = "from/to: pod, deploy, sts, ds, rs, job, svc, ns/<name> ([namespace/]kind/name) or an IP/CIDR, e.g. shop/deploy/web, svc/api -n shop, 10.0.0.0/8";

/** An IP address or CIDR as a range; undefined for anything else. */
export function parseAddress(text: string): IpRange | undefined {
  return text.includes("/") ? parseCidr(text) : rangeOfIp(text);
}

/** Checks an object subject's kind: pods, workloads, Services and namespaces. */
export function checkSubjectKind(ref: ObjectRef, text: string): void {
  const kind = ref.kind;
  if (kind !== "Pod" && kind !== "Service" && kind !== "Namespace" && !WORKLOAD_KINDS.has(kind)) {
    throw new ReachError(`reach cannot take a ${kind} ("${text}")`, SUBJECT_HINT);
  }
}

function rangeOfIp(text: string): IpRange | undefined {
  const ip = parseIp(text);
  return ip ? { family: ip.family, start: ip.value, end: ip.value } : undefined;
}

/** One end of a pair as printed: a pod, or an address (a single IP or a first-last range). */
export type PairEnd = { kind: "Pod"; namespace: string; name: string } | { kind: "IP"; address: string };
/** from/to of the result: the object ref as resolved, or the address as given. */
export type SubjectOut = ObjectRef | { kind: "IP"; address: string };

export interface ReachPair {
  from: PairEnd;
  to: PairEnd;
  /** The port the connection reaches on the destination (a Service's targetPort resolved on this pod). */
  port: number | string | null;
  protocol: Protocol;
  allowed: boolean | "unknown";
  /** The engine's explanation: the source's egress and the destination's ingress. */
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
  problems: string[];
}

export interface ReachResult {
  verdict: "allowed" | "denied" | "partial" | "unknown";
  from: SubjectOut;
  to: SubjectOut;
  /** The port asked for: for a Service destination the Service port; null when not given. */
  port: number | string | null;
  protocol: Protocol;
  /** For a Service destination: the Service port used and its targetPort. */
  service?: { port: number; name?: string; targetPort: number | string; protocol: Protocol };
  /** The NetworkPolicies whose rules allowed the pairs, or that isolated the denied ones. */
  decidedBy: ObjectRef[];
  counts: { pairs: number; allowed: number; denied: number; unknown: number };
  pairs: ReachPair[];
  /** Endpoints left out, with why (a named targetPort a pod does not declare; a pod to itself). */
  skipped: { from?: PairEnd; to?: PairEnd; reason: string }[];
}

interface Side {
  endpoint: Endpoint;
  end: PairEnd;
  pod?: Pod;
}

function isLive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed";
}

function podEnd(pod: Pod): PairEnd {
  return { kind: "Pod", namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name };
}

function podsOfSubject(index: ClusterIndex, ref: ObjectRef): { object: KubeObject; pods: Pod[] } {
  const object = index.getByRef(ref);
  if (!object) {
    const where = ref.namespace ? ` in namespace ${ref.namespace}` : "";
    throw new ReachError(`${ref.kind} ${ref.name} not found${where}`, index.has(ref.kind) ? "check the name and the namespace (-n)" : `the source holds no ${ref.kind} objects`);
  }
  let pods: readonly Pod[];
  if (ref.kind === "Pod") pods = [object as Pod];
  else if (ref.kind === "Service") pods = index.podsSelectedByService(object as Service);
  else if (ref.kind === "Namespace") pods = index.inNamespace<Pod>("Pod", ref.name);
  else pods = index.podsOfWorkload(object);
  return { object, pods: pods.filter(isLive) };
}

/** Cuts an address range at every ipBlock boundary the policies know: each piece is judged alike by every rule. */
export function addressSegments(range: IpRange, cidrs: readonly IpRange[]): IpRange[] {
  const cuts = new Set<bigint>();
  for (const c of cidrs) {
    if (c.family !== range.family) continue;
    if (c.start > range.start && c.start <= range.end) cuts.add(c.start);
    if (c.end + 1n > range.start && c.end + 1n <= range.end) cuts.add(c.end + 1n);
  }
  const starts = [range.start, ...[...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))];
  return starts.map((start, i) => ({ family: range.family, start, end: i + 1 < starts.length ? starts[i + 1]! - 1n : range.end }));
}

function addressText(range: IpRange): string {
  const first = formatIp(range.family, range.start);
  return range.start === range.end ? first : `${first}-${formatIp(range.family, range.end)}`;
}

function podsByIp(index: ClusterIndex): Map<string, Pod> {
  const m = new Map<string, Pod>();
  for (const pod of index.all<Pod>("Pod")) {
    if (pod.spec?.hostNetwork || !isLive(pod)) continue;
    const status = pod.status as { podIP?: string; podIPs?: { ip: string }[] } | undefined;
    for (const ip of [status?.podIP, ...(status?.podIPs ?? []).map((p) => p.ip)]) if (ip) m.set(ip, pod);
  }
  return m;
}

/** The sides of a subject: its pods, or the address pieces (a single IP that is a pod's IP is that pod). */
function sidesOf(index: ClusterIndex, subject: ReachSubject, compiled: CompiledPolicies, role: "from" | "to"): { sides: Side[]; out: SubjectOut; object?: KubeObject } {
  if (subject.type === "address") {
    if (subject.range.start === subject.range.end) {
      const text = formatIp(subject.range.family, subject.range.start);
      const pod = podsByIp(index).get(text);
      if (pod) return { sides: [{ endpoint: { kind: "pod", pod }, end: podEnd(pod), pod }], out: { kind: "IP", address: text } };
    }
    const sides = addressSegments(subject.range, compiled.cidrs).map((r): Side => {
      const ip = formatIp(r.family, r.start);
      return { endpoint: { kind: "ip", ip }, end: { kind: "IP", address: addressText(r) } };
    });
    return { sides, out: { kind: "IP", address: subject.text } };
  }
  const { object, pods } = podsOfSubject(index, subject.ref);
  if (pods.length === 0) {
    throw new ReachError(`${subject.ref.kind} ${subject.ref.namespace ? `${subject.ref.namespace}/` : ""}${subject.ref.name} (${role}) has no running pods`, "nothing to evaluate: NetworkPolicies apply to pods");
  }
  return { sides: pods.map((pod) => ({ endpoint: { kind: "pod", pod }, end: podEnd(pod), pod })), out: refOf(object), object };
}

export function parsePort(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    if (n < 1 || n > 65535) throw new ReachError(`--port ${text} is outside 1-65535`);
    return n;
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(text) || text.length > 15) throw new ReachError(`--port "${text}" is neither a port number nor a port name`);
  return text;
}

function servicePortOf(service: Service, port: number | string | undefined, protocol: Protocol | undefined): ServicePort {
  const ports = (service.spec?.ports ?? []).filter((p) => protocol === undefined || protocolOf(p) === protocol);
  const list = (service.spec?.ports ?? []).map((p) => `${p.name ? `${p.name}:` : ""}${p.port}/${protocolOf(p)}`).join(", ") || "none";
  const name = `Service ${service.metadata.namespace}/${service.metadata.name}`;
  if (port === undefined) {
    if (ports.length === 1) return ports[0]!;
    throw new ReachError(`${name} has ${ports.length === 0 ? "no" : "several"} ports${protocol ? ` of protocol ${protocol}` : ""}: give --port`, `its ports: ${list}`);
  }
  const match = ports.find((p) => (typeof port === "number" ? p.port === port : p.name === port));
  if (!match) throw new ReachError(`${name} has no port ${port}${protocol ? `/${protocol}` : ""}`, `its ports: ${list} (--port names the Service port; the pods are checked on its targetPort)`);
  return match;
}

export interface ReachOptions {
  port?: string;
  protocol?: Protocol;
}

function subjectText(subject: ReachSubject): string {
  return subject.type === "address" ? subject.text : refText(subject.ref);
}

/** Evaluates reachability from `fromText` to `toText` over every pod pair. */
export function reach(index: ClusterIndex, fromSubject: ReachSubject, toSubject: ReachSubject, options: ReachOptions): ReachResult {
  const fromText = subjectText(fromSubject);
  const toText = subjectText(toSubject);
  if (fromSubject.type === "address" && toSubject.type === "address") {
    throw new ReachError("from and to are both addresses: NetworkPolicy governs traffic of pods", "name a pod, workload, Service or namespace on at least one side");
  }
  const port = parsePort(options.port);
  const compiled = compilePolicies(index.all<NetworkPolicy>("NetworkPolicy"), index.all("Namespace") as readonly NamespaceLike[]);
  const from = sidesOf(index, fromSubject, compiled, "from");
  const to = sidesOf(index, toSubject, compiled, "to");
  const skipped: ReachResult["skipped"] = [];
  let protocol: Protocol = options.protocol ?? "TCP";
  let service: ReachResult["service"];
  // The port to check on each destination side.
  let portOf: (side: Side) => number | string | undefined = () => port;
  if (to.object?.kind === "Service") {
    const sp = servicePortOf(to.object as Service, port, options.protocol);
    protocol = protocolOf(sp) as Protocol;
    const target = targetPortOf(sp);
    service = { port: sp.port, ...(sp.name ? { name: sp.name } : {}), targetPort: target, protocol };
    // A named targetPort is resolved per pod (FindPort); a pod that does not declare it is no endpoint.
    portOf = (side) => (typeof target === "number" ? target : findContainerPort(side.pod!, target, protocol)?.port);
  } else if (port === undefined) {
    throw new ReachError("--port is required unless the destination is a Service with a single port", "e.g. --port 8080 or --port http (a port name declared by the destination pods)");
  } else if (typeof port === "string" && toSubject.type === "address") {
    throw new ReachError(`--port "${port}" is a name: an address destination needs a port number`);
  }
  const pairs: ReachPair[] = [];
  for (const dst of to.sides) {
    const dstPort = portOf(dst);
    if (dstPort === undefined) {
      skipped.push({ to: dst.end, reason: `declares no ${protocol} port named "${String(service?.targetPort)}" (targetPort of the Service port): not an endpoint` });
      continue;
    }
    for (const src of from.sides) {
      if (src.pod && src.pod === dst.pod) {
        skipped.push({ from: src.end, to: dst.end, reason: "a pod to itself (loopback; NetworkPolicy does not govern it)" });
        continue;
      }
      const v = evaluateCompiled(compiled, src.endpoint, dst.endpoint, dstPort, protocol);
      pairs.push({ from: src.end, to: dst.end, port: v.port ?? dstPort, protocol, allowed: v.allowed, egress: v.egress, ingress: v.ingress, problems: v.problems });
    }
  }
  if (pairs.length === 0) {
    throw new ReachError(`no pod pair to evaluate from ${fromText} to ${toText}`, skipped.map((s) => s.reason).filter((r, i, a) => a.indexOf(r) === i).join("; ") || undefined);
  }
  const counts = {
    pairs: pairs.length,
    allowed: pairs.filter((p) => p.allowed === true).length,
    denied: pairs.filter((p) => p.allowed === false).length,
    unknown: pairs.filter((p) => p.allowed === "unknown").length,
  };
  const verdict: ReachResult["verdict"] =
    counts.allowed > 0 && counts.denied > 0 ? "partial" : counts.unknown > 0 ? "unknown" : counts.denied > 0 ? "denied" : "allowed";
  return {
    verdict,
    from: from.out,
    to: to.out,
    port: port ?? (service ? service.port : null),
    protocol,
    ...(service ? { service } : {}),
    decidedBy: decidingPolicies(pairs),
    counts,
    pairs,
    skipped,
  };
}

function decidingPolicies(pairs: readonly ReachPair[]): ObjectRef[] {
  const refs = new Map<string, ObjectRef>();
  const add = (p: PolicyRef): void => {
    const ref = { kind: "NetworkPolicy", namespace: p.namespace, name: p.name };
    refs.set(refKey(ref), ref);
  };
  for (const pair of pairs) {
    for (const side of [pair.egress, pair.ingress]) {
      if (pair.allowed === true) side.allowedBy.forEach((m) => add(m.policy));
      else if (side.allowed !== true) {
        side.denials.forEach((d) => add(d.policy));
        if (side.allowed === "unknown") side.policies.forEach(add);
      }
    }
  }
  return [...refs.values()].sort(compareRefs);
}

// ---------------------------------------------------------------- matrix

export interface MatrixEntry {
  from: ObjectRef;
  to: ObjectRef;
  allowed: boolean;
  /** Present when some pod pair depends on the network plugin (hostNetwork): then allowed is false. */
  unknown?: true;
}

export interface ReachMatrix {
  port: number | null;
  protocol: Protocol;
  workloads: ObjectRef[];
  entries: MatrixEntry[];
}

/**
 * The workload-level matrix: a pod's workload is the top of its controller chain (a bare pod is
 * its own). Workload A reaches B when every pod pair does (pods of one workload that policies
 * tell apart are all checked), on `port` or, without one, on some port of `protocol`.
 */
export function reachMatrix(index: ClusterIndex, options: { namespace?: string; port?: string; protocol?: Protocol }): ReachMatrix {
  const port = parsePort(options.port);
  if (typeof port === "string") throw new ReachError(`--matrix needs a port number, not the name "${port}"`);
  const protocol = options.protocol ?? "TCP";
  const pods = (options.namespace ? index.inNamespace<Pod>("Pod", options.namespace) : index.all<Pod>("Pod")).filter(isLive);
  const matrix = buildConnectivityMatrix({ pods, policies: index.all<NetworkPolicy>("NetworkPolicy"), namespaces: index.all("Namespace") as readonly NamespaceLike[] });
  const groups = new Map<string, { ref: ObjectRef; classes: Set<number> }>();
  for (const pod of pods) {
    const podClass = matrix.classOf(pod);
    if (!podClass) continue;
    const ref = refOf(index.rootController(pod));
    const key = refKey(ref);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ref, classes: new Set() }));
    group.classes.add(podClass.index);
  }
  const workloads = [...groups.values()].sort((a, b) => compareWorkloads(a.ref, b.ref));
  const allows = (set: ConnectionSet | "unknown"): boolean | "unknown" =>
    set === "unknown" ? "unknown" : port !== undefined ? containsConnection(set, protocol, port) : set[protocol].length > 0;
  // The verdict of each class pair, computed once: 0 not yet, 1 allowed, 2 denied, 3 unknown.
  const size = matrix.classes.length;
  const verdicts = new Uint8Array(size * size);
  const classPair = (ca: number, cb: number): number => {
    const slot = ca * size + cb;
    if (verdicts[slot] === 0) {
      const one = allows(matrix.between(matrix.classes[ca]!, matrix.classes[cb]!));
      verdicts[slot] = one === true ? 1 : one === false ? 2 : 3;
    }
    return verdicts[slot]!;
  };
  const classLists = new Map(workloads.map((w) => [w, [...w.classes]]));
  const entries: MatrixEntry[] = [];
  for (const a of workloads) {
    const fromClasses = classLists.get(a)!;
    for (const b of workloads) {
      if (a === b) continue;
      const toClasses = classLists.get(b)!;
      let allowed: boolean | "unknown" = true;
      for (const ca of fromClasses) {
        for (const cb of toClasses) {
          const one = classPair(ca, cb);
          if (one === 2) allowed = false;
          else if (one === 3 && allowed === true) allowed = "unknown";
        }
      }
      entries.push({ from: a.ref, to: b.ref, allowed: allowed === true, ...(allowed === "unknown" ? { unknown: true as const } : {}) });
    }
  }
  return { port: port ?? null, protocol, workloads: workloads.map((w) => w.ref), entries };
}

function compareWorkloads(a: ObjectRef, b: ObjectRef): number {
  return (a.namespace ?? "").localeCompare(b.namespace ?? "") || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name);
}

// ---------------------------------------------------------------- explanations (text)

/** `namespace/kind/name` as the CLI accepts it back. */
export function refText(ref: ObjectRef): string {
  return `${ref.namespace ? `${ref.namespace}/` : ""}${ref.kind.toLowerCase()}/${ref.name}`;
}

export { explainDirection, formatLabelSelector } from "../engines/network-policy/explain.js";
