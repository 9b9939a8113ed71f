// Decides whether the API server's own health checks (/livez, /readyz, /healthz ?verbose) fail, and names etcd as the root cause when its checks fail.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { HealthCheck } from "../../../model/control-plane.js";
import { API_SERVER_REF } from "../api-server-ref.js";

/**
 * The checks that report the API server's storage: `etcd` (a livez/healthz/readyz check that pings etcd)
 * and `etcd-readiness` (readyz, 1.26+), both registered by the storage factory
 * (k8s.io/apiserver/pkg/server/options/etcd.go, addEtcdHealthEndpoint).
 */
function isEtcdCheck(name: string): boolean {
  return name === "etcd" || name === "etcd-readiness";
}

export const apiserverUnhealthy = defineAnalyzer({
  id: "apiserver-unhealthy",
  title: "The API server fails its health checks",
  area: "control-plane",
  severity: "error",
  needs: [],
  needsControlPlane: true,
  messages: {
    etcdFailing: {
      summary: "The API server cannot reach its storage: etcd checks fail ({{failed}})",
      rootCause:
        "etcd, the API server's storage, does not answer the API server: its health checks {{failed}} fail. Every read and write that needs etcd fails or hangs until etcd is back, so controllers, the scheduler and kubelets stall too; the other failing checks ({{others}}) follow from it.",
      remediation: "Bring etcd back: check the etcd process or static pod, its disk, its certificates and the API server's --etcd-servers; then watch /readyz turn ok.",
      severity: "critical",
    },
    checksFailing: {
      summary: "The API server fails its health checks: {{failed}}",
      rootCause: "The API server reports these checks as failed on {{endpoints}}: {{failed}}. The API server withholds the reason from the answer; it is in the API server's log.",
      remediation: "Read the API server's log for the named checks (post-start hooks, informer sync, shutdown) and fix what they wait for.",
    },
    unreachable: {
      summary: "The API server does not answer its health endpoints",
      rootCause: "No health endpoint answered: {{error}}. Nothing else can be read until the API server is reachable.",
      remediation: "Check that the API server process runs, that its address and port are reachable from here, and its log.",
      severity: "critical",
    },
  },
  run({ snapshot, report }) {
    const data = snapshot.controlPlane;
    if (!data) return;
    if (data.unreachable) {
      report("unreachable", {
        subject: API_SERVER_REF,
        data: { error: data.unreachable },
        evidence: data.health.map((h) => ({ ref: API_SERVER_REF, path: `${h.path}?verbose`, value: h.error ?? "no answer" })),
        investigation: [{ step: "Ask the API server whether it is ready", command: "kubectl get --raw='/readyz?verbose'", result: data.unreachable, outcome: "problem" }],
        remediation: [{ description: "Check the API server process and its log", command: "kubectl -n kube-system logs -l component=kube-apiserver --tail=100", verify: "kubectl get --raw='/readyz'" }],
      });
      return;
    }
    const failed = new Map<string, { check: HealthCheck; paths: string[] }>();
    const evidence: Evidence[] = [];
    const endpoints: string[] = [];
    for (const endpoint of data.health) {
      const bad = endpoint.checks.filter((c) => !c.ok);
      if (bad.length === 0 && (endpoint.ok || endpoint.status === undefined || endpoint.status < 500)) continue;
      endpoints.push(`${endpoint.path} (HTTP ${endpoint.status})`);
      if (bad.length === 0) evidence.push({ ref: API_SERVER_REF, path: `${endpoint.path}?verbose`, value: `HTTP ${endpoint.status}`, note: "failed without naming a check" });
      for (const check of bad) {
        evidence.push({ ref: API_SERVER_REF, path: `${endpoint.path}?verbose`, value: check.line, note: `HTTP ${endpoint.status}` });
        const seen = failed.get(check.name);
        if (seen) seen.paths.push(endpoint.path);
        else failed.set(check.name, { check, paths: [endpoint.path] });
      }
    }
    if (evidence.length === 0) return;
    const names = [...failed.keys()];
    const etcd = names.filter(isEtcdCheck);
    const investigation: InvestigationStep[] = [
      { step: "List the API server's readiness checks", command: "kubectl get --raw='/readyz?verbose'", result: names.map((n) => `[-]${n} failed`).join(", ") || endpoints.join(", "), outcome: "problem" },
    ];
    const remediation: Remediation[] = [];
    if (etcd.length > 0) {
      investigation.push(
        { step: "Ask etcd itself (on a control-plane node)", command: "etcdctl endpoint health --cluster && etcdctl endpoint status -w table && etcdctl alarm list", result: "not in the snapshot", outcome: "unknown" },
        { step: "Read etcd's log", command: "kubectl -n kube-system logs -l component=etcd --tail=100   # or: journalctl -u etcd / crictl logs", result: "not in the snapshot", outcome: "unknown" },
      );
      remediation.push({
        description: "Restore etcd (process or static pod, disk space, certificates), then confirm the API server reconnects",
        command: "kubectl get --raw='/readyz/etcd'",
        verify: "kubectl get --raw='/readyz?verbose' | grep etcd   # [+]etcd ok",
      });
      report("etcdFailing", {
        subject: API_SERVER_REF,
        data: { failed: etcd.join(", "), others: names.filter((n) => !isEtcdCheck(n)).join(", ") || "none" },
        evidence,
        investigation,
        remediation,
      });
      return;
    }
    remediation.push({ description: "Read the API server's log for the failing checks", command: "kubectl -n kube-system logs -l component=kube-apiserver --tail=200", verify: "kubectl get --raw='/readyz?verbose'" });
    report("checksFailing", {
      subject: API_SERVER_REF,
      data: { failed: names.join(", ") || "(none named)", endpoints: endpoints.join(", ") },
      evidence,
      investigation,
      remediation,
    });
  },
});
