// Decides, for pods whose logs show failed connections to an in-cluster Service (name, FQDN or
// ClusterIP), why the connection fails: the connectivity diagnosis for that caller and destination.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Pod, Service } from "../../../model/kube.js";
import { refKey, refOf, type ObjectRef } from "../../../model/ref.js";
import { ConnectivityError, diagnoseConnectivity, investigationOf, parseServiceName, type ConnectivityTarget } from "../../../engines/connectivity/index.js";
import { parseIp } from "../../../engines/network-policy/index.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { failedConnectionOf, type FailedConnection } from "./log-failures.js";

const MAX_LOG_LINES = 3;

/** The in-cluster destination a failed connection names, or undefined for anything outside the cluster. */
function targetOf(index: ClusterIndex, clusterIps: () => ReadonlySet<string>, pod: Pod, failure: FailedConnection): { target: ConnectivityTarget; key: string } | undefined {
  if (parseIp(failure.host)) return clusterIps().has(failure.host) ? { target: { type: "address", ip: failure.host }, key: failure.host } : undefined;
  const ns = pod.metadata.namespace ?? "default";
  const name = parseServiceName(failure.host, ns);
  if (!name) return undefined;
  const exists = index.get("Service", name.namespace, name.service) !== undefined;
  // A bare name counts only when it is a Service of the caller's namespace; a qualified one when its
  // namespace exists or the name is spelled with .svc (then a missing Service is a finding in itself).
  const inCluster = exists || (name.qualified && (/\.svc(\.|$)/.test(failure.host) || index.get("Namespace", undefined, name.namespace) !== undefined));
  return inCluster ? { target: { type: "dns", name: failure.host }, key: `${name.service}.${name.namespace}` } : undefined;
}

export const podConnectionFailing = defineAnalyzer({
  id: "pod-connection-failing",
  title: "Pod logs show failed connections to an in-cluster Service",
  area: "network",
  severity: "error",
  needs: ["Pod", "Service", "Endpoints", "EndpointSlice", "NetworkPolicy", "Namespace", "Node", "DaemonSet", "ConfigMap", "Deployment", "ReplicaSet", "StatefulSet", "Job", "CronJob"],
  needsLogs: true,
  messages: {
    rootCause: {
      summary: "{{caller}} fails to connect to {{destination}}: {{cause}}",
      rootCause:
        "The caller's log shows failed connections to an in-cluster destination. Following the path DNS -> Service -> endpoints -> NetworkPolicy -> nodes -> CNI, the first hop that fails is {{hop}}: {{cause}}",
      remediation: "Fix the failing hop: the finding's remediation gives the exact change (for a NetworkPolicy, the policy to add); `kubesleuth diagnose connectivity` shows every hop.",
    },
    cannotDetermine: {
      summary: "{{caller}} logs failed connections to {{destination}}, and no hop of the path fails in the cluster's objects",
      rootCause:
        "DNS, the Service, its endpoints, NetworkPolicies, the nodes and the CNI pods check out (or could not be decided: {{undecided}}). The cause is outside what the API objects show: the application itself (listening port, TLS, overload), a transient failure, or the network below the CNI.",
      remediation: "Probe from the caller (`kubesleuth diagnose connectivity ... --probe` or kubectl exec with nc/curl) and read the destination's logs.",
      severity: "warning",
    },
  },
  run({ snapshot, index, now, report }) {
    // Service ClusterIPs and pod IPs (not hostNetwork: those are node addresses), built on the first IP seen.
    let ips: Set<string> | undefined;
    const clusterIps = (): ReadonlySet<string> => {
      if (ips) return ips;
      ips = new Set<string>();
      for (const s of index.all<Service>("Service")) for (const ip of [s.spec?.clusterIP, ...((s.spec as { clusterIPs?: string[] } | undefined)?.clusterIPs ?? [])]) if (ip && ip !== "None") ips.add(ip);
      for (const p of index.all<Pod>("Pod")) if (!p.spec?.hostNetwork && p.status?.podIP) ips.add(p.status.podIP);
      return ips;
    };
    // One diagnosis per (caller workload, destination); every pod's log lines are evidence.
    const groups = new Map<string, { caller: ObjectRef; pods: Pod[]; target: ConnectivityTarget; port?: number; lines: Evidence[] }>();
    for (const log of snapshot.logs) {
      const pod = index.get<Pod>("Pod", log.namespace, log.pod);
      if (!pod) continue;
      for (const raw of log.text.split("\n")) {
        const failure = failedConnectionOf(raw);
        if (!failure) continue;
        const t = targetOf(index, clusterIps, pod, failure);
        if (!t) continue;
        const caller = refOf(index.rootController(pod));
        const key = `${refKey(caller)}|${t.key}|${failure.port ?? ""}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { caller, pods: [], target: t.target, ...(failure.port !== undefined ? { port: failure.port } : {}), lines: [] }));
        if (!group.pods.includes(pod)) group.pods.push(pod);
        if (group.lines.length < MAX_LOG_LINES && !group.lines.some((l) => l.value === failure.line)) {
          group.lines.push({ ref: refOf(pod), path: "log", value: failure.line, note: `container ${log.container}${log.previous ? " (previous instance)" : ""}` });
        }
      }
    }
    for (const group of [...groups.values()].sort((a, b) => refKey(a.caller).localeCompare(refKey(b.caller)))) {
      const destination = group.target.type === "dns" ? group.target.name : group.target.type === "address" ? group.target.ip : group.target.ref.name;
      const callerText = `${group.caller.kind} ${group.caller.namespace}/${group.caller.name}`;
      let diagnosis;
      try {
        diagnosis = diagnoseConnectivity(index, { type: "object", ref: group.caller }, group.target, { ...(group.port !== undefined ? { port: group.port } : {}), logs: snapshot.logs, now });
      } catch (error) {
        if (!(error instanceof ConnectivityError)) throw error;
        report("cannotDetermine", {
          subject: group.caller,
          data: { caller: callerText, destination, undecided: error.message },
          evidence: group.lines,
          affected: group.pods.map(refOf),
        });
        continue;
      }
      const cause = diagnosis.rootCause;
      if (!cause) {
        const undecided = diagnosis.hops.filter((h) => h.status === "unknown").map((h) => `${h.title} (need ${h.need ?? "more data"})`);
        report("cannotDetermine", {
          subject: group.caller,
          data: { caller: callerText, destination: `${destination}${diagnosis.servicePort ? `:${diagnosis.servicePort.port}` : ""}`, undecided: undecided.join("; ") || "none" },
          evidence: group.lines,
          affected: group.pods.map(refOf),
          investigation: investigationOf(diagnosis),
        });
        continue;
      }
      const hop = diagnosis.hops.find((h) => h.id === cause.hop)!;
      report("rootCause", {
        subject: group.caller,
        data: { caller: callerText, destination: `${destination}${diagnosis.servicePort ? `:${diagnosis.servicePort.port}` : group.port ? `:${group.port}` : ""}`, cause: cause.summary, hop: hop.title },
        evidence: [...group.lines, ...cause.evidence],
        affected: group.pods.map(refOf),
        // Each of these pods logged the failed connection: an application crash loop there is its effect.
        explains: group.pods.map(refOf),
        investigation: investigationOf(diagnosis),
        remediation: diagnosis.fixes.length
          ? diagnosis.fixes.map((f) => ({ description: f.description, ...(f.command ? { command: f.command } : {}), ...(f.verify ? { verify: f.verify } : {}), ...(f.rollback ? { rollback: f.rollback } : {}) }))
          : [{ description: `Fix the failing hop (${hop.title}): ${cause.summary}`, command: `kubesleuth diagnose connectivity ${group.caller.namespace}/${group.caller.kind.toLowerCase()}/${group.caller.name} ${destination}${group.port ? ` --port ${group.port}` : ""}` }],
      });
    }
  },
});
