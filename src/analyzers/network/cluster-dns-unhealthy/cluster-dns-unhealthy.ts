// Decides whether the cluster DNS (kube-system/kube-dns, CoreDNS) is down or degraded: no ready
// endpoint, CoreDNS crash looping, or CoreDNS's loop plugin detecting a forwarding loop.
import { defineAnalyzer } from "../../define.js";
import type { Pod } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { CLUSTER_DNS_SERVICE, clusterDnsState, isLivePod, isNodeDown, usesClusterDns } from "../../../engines/connectivity/cluster-network.js";

export const clusterDnsUnhealthy = defineAnalyzer({
  id: "cluster-dns-unhealthy",
  title: "Cluster DNS (CoreDNS) unhealthy",
  area: "network",
  severity: "error",
  needs: ["Service", "Pod", "Endpoints", "EndpointSlice", "ReplicaSet", "Deployment"],
  needsLogs: true,
  messages: {
    noReadyEndpoints: {
      summary: "Cluster DNS is down: Service {{namespace}}/{{service}} has no ready endpoint ({{pods}} DNS pod(s))",
      rootCause:
        "No CoreDNS pod behind {{namespace}}/{{service}} is ready, so every lookup of a Service name from a pod with dnsPolicy ClusterFirst fails ({{affected}} pod(s) resolve names through it).",
      remediation: "Find why the CoreDNS pods are not ready (kubectl -n kube-system describe pods -l k8s-app=kube-dns; their logs), fix it, then check lookups.",
      severity: "critical",
    },
    loopDetected: {
      summary: "CoreDNS detected a forwarding loop ({{pods}} pod(s))",
      rootCause:
        "CoreDNS's loop plugin found that queries it forwards come back to itself (typically the node's /etc/resolv.conf points at a local resolver such as 127.0.0.53), and it exits: CoreDNS crash loops and {{affected}} pod(s) cannot resolve names.",
      remediation: "Point the Corefile's `forward . /etc/resolv.conf` at real upstream resolvers (or set the kubelet's --resolv-conf to the real resolv.conf, e.g. /run/systemd/resolve/resolv.conf), then restart CoreDNS.",
    },
    crashLooping: {
      summary: "{{crashing}} of {{pods}} CoreDNS pod(s) crash looping",
      rootCause: "CoreDNS pods restart repeatedly; while some remain ready DNS still answers, with less capacity, and lookups sent to a restarting pod time out. {{affected}} pod(s) resolve names through it.",
      remediation: "Read the previous container's logs (kubectl -n kube-system logs POD --previous) and fix the Corefile or the resource limits.",
      severity: "warning",
    },
  },
  run({ index, snapshot, now, report }) {
    const health = clusterDnsState(index, snapshot.logs, now, snapshot.coverage.Pod?.status === "ok");
    if (!health.present || health.problems.length === 0) return;
    const subject = health.service ? refOf(health.service) : refOf(health.pods[0]!);
    const dnsPods = new Set(health.pods);
    const affected = index
      .all<Pod>("Pod")
      .filter((p) => !dnsPods.has(p) && isLivePod(p) && usesClusterDns(p))
      .map(refOf);
    const data = { namespace: CLUSTER_DNS_SERVICE.namespace, service: CLUSTER_DNS_SERVICE.name, pods: health.pods.length, affected: affected.length, crashing: health.crashLooping.length };
    const investigation = [
      { step: "Check the cluster DNS endpoints", command: `kubectl -n ${CLUSTER_DNS_SERVICE.namespace} get endpointslices -l kubernetes.io/service-name=${CLUSTER_DNS_SERVICE.name}`, result: health.readyEndpoints === undefined ? "not determinable from the snapshot" : `${health.readyEndpoints} ready endpoint(s)`, outcome: health.readyEndpoints === 0 ? ("problem" as const) : ("ok" as const) },
      { step: "Check the CoreDNS pods", command: "kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide", result: `${health.pods.length} pod(s), ${health.crashLooping.length} crash looping`, outcome: health.crashLooping.length > 0 ? ("problem" as const) : ("ok" as const) },
      { step: "Read the CoreDNS logs", command: "kubectl -n kube-system logs -l k8s-app=kube-dns --previous --tail=20", result: health.loopDetected ? "[FATAL] plugin/loop: Loop ... detected" : "no loop plugin line in the logs read", outcome: health.loopDetected ? ("problem" as const) : ("ok" as const) },
    ];
    const messageId = health.loopDetected ? "loopDetected" : health.readyEndpoints === 0 ? "noReadyEndpoints" : health.crashLooping.length > 0 ? "crashLooping" : undefined;
    if (!messageId) return;
    // CoreDNS pods down only because their nodes are down (kubelet stopped, unreachable): the nodes' findings explain it.
    const nodes = [...new Set(health.pods.map((p) => p.spec?.nodeName))];
    const causedBy = messageId !== "loopDetected" && nodes.length > 0 && nodes.every((n) => isNodeDown(index, n)) ? nodes.map((name) => ({ kind: "Node", name: name! })) : undefined;
    report(messageId, {
      subject,
      ...(causedBy ? { causedBy } : {}),
      // A forwarding loop with no endpoint left is as bad as any outage.
      ...(messageId === "loopDetected" && health.readyEndpoints === 0 ? { severity: "critical" as const } : {}),
      data,
      evidence: health.problems,
      affected,
      investigation,
      remediation: [
        messageId === "loopDetected"
          ? {
              description: "Forward to real upstream resolvers instead of the node's resolv.conf that loops back",
              command: "kubectl -n kube-system edit configmap coredns   # forward . 1.1.1.1 8.8.8.8  (or fix the kubelet's --resolv-conf)",
              verify: "kubectl -n kube-system rollout restart deployment coredns && kubectl -n kube-system rollout status deployment coredns",
              rollback: "kubectl -n kube-system edit configmap coredns   # restore the previous forward line",
            }
          : {
              description: "Find why the CoreDNS pods are not ready or restarting, from their events and previous logs",
              command: "kubectl -n kube-system describe pods -l k8s-app=kube-dns && kubectl -n kube-system logs -l k8s-app=kube-dns --previous --tail=50",
              verify: `kubectl -n ${CLUSTER_DNS_SERVICE.namespace} get endpointslices -l kubernetes.io/service-name=${CLUSTER_DNS_SERVICE.name}`,
              rollback: "kubectl -n kube-system rollout undo deployment coredns   (if a recent change broke it)",
            },
      ],
    });
  },
});
