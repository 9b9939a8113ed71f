// Decides whether a node networking DaemonSet (a CNI plugin such as Calico, Flannel, Cilium, Weave Net,
// or kube-proxy) is degraded: some of its pods crash loop or stay not Ready. The pods on those nodes
// lose pod networking or Service routing.
import { defineAnalyzer } from "../../define.js";
import type { DaemonSet, Node, Pod } from "../../../model/kube.js";
import { refOf, type ObjectRef } from "../../../model/ref.js";
import { daemonSetHealth, isLivePod, isNodeDown, nodeNetworkComponent } from "../../../engines/connectivity/cluster-network.js";

export const cniDaemonsetDegraded = defineAnalyzer({
  id: "cni-daemonset-degraded",
  title: "CNI or kube-proxy DaemonSet degraded",
  area: "network",
  severity: "error",
  needs: ["DaemonSet", "Pod", "Node"],
  needsLogs: true,
  messages: {
    degraded: {
      summary: "{{component}} DaemonSet {{namespace}}/{{name}}: {{unhealthy}} pod(s) unhealthy on node(s) {{nodes}} ({{ready}}/{{desired}} ready)",
      rootCause:
        "{{component}} runs on every node to give pods their network (CNI) or to route Service traffic (kube-proxy). Where its pod crash loops or is not ready, pods on that node ({{affected}} of them) can lose connectivity, new pods there fail to get a network, and Service traffic is not routed.",
      remediation: "Read the failing pods' previous logs and events (kubectl -n NS logs POD --previous; kubectl -n NS describe pod POD), fix the configuration or node problem, and let the DaemonSet recreate the pods.",
    },
  },
  run({ index, snapshot, now, report }) {
    for (const ds of index.all<DaemonSet>("DaemonSet")) {
      const component = nodeNetworkComponent(ds);
      if (!component) continue;
      const health = daemonSetHealth(index, snapshot.logs, ds, now);
      if (health.unhealthy.length === 0) continue;
      const namespace = ds.metadata.namespace ?? "default";
      const affected: ObjectRef[] = [];
      for (const nodeName of health.nodes) {
        const node = index.get<Node>("Node", undefined, nodeName);
        if (node) affected.push(refOf(node));
        const pods = node ? index.podsOnNode(node) : index.all<Pod>("Pod").filter((p) => p.spec?.nodeName === nodeName);
        for (const pod of pods) if (isLivePod(pod) && !health.unhealthy.some((u) => u.pod === pod)) affected.push(refOf(pod));
      }
      const affectedPods = affected.filter((r) => r.kind === "Pod").length;
      const evidence = [
        { ref: refOf(ds), path: "status.desiredNumberScheduled", value: health.desired ?? null },
        { ref: refOf(ds), path: "status.numberReady", value: health.ready ?? null },
        ...health.unhealthy.flatMap((u) => [{ ref: refOf(u.pod), path: "spec.nodeName", value: u.node ?? null, note: "node of the unhealthy pod" }, ...u.evidence]),
      ];
      const first = health.unhealthy[0]!.pod;
      // A networking pod on a node that is itself not Ready (kubelet down, unreachable) is explained by the node:
      // when that holds for every unhealthy pod, this finding is grouped under the node's own finding.
      const causedBy = health.unhealthy.every((u) => isNodeDown(index, u.node)) ? health.nodes.map((name) => ({ kind: "Node", name })) : undefined;
      report("degraded", {
        subject: refOf(ds),
        data: {
          component,
          namespace,
          name: ds.metadata.name,
          unhealthy: health.unhealthy.length,
          nodes: health.nodes.join(", ") || "unknown",
          ready: health.ready ?? "?",
          desired: health.desired ?? "?",
          affected: affectedPods,
        },
        evidence,
        affected,
        ...(causedBy ? { causedBy } : {}),
        investigation: [
          { step: `List the ${component} pods and their nodes`, command: `kubectl -n ${namespace} get pods -o wide -l ${Object.entries(ds.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",")}`, result: `${health.unhealthy.length} unhealthy: ${health.unhealthy.map((u) => `${u.pod.metadata.name} on ${u.node ?? "?"}`).join(", ")}`, outcome: "problem" },
          { step: "Read the failing pod's previous logs", command: `kubectl -n ${namespace} logs ${first.metadata.name} --all-containers --previous --tail=50`, result: health.unhealthy[0]!.evidence.filter((e) => e.path === "log").map((e) => String(e.value)).join(" | ") || "no log read", outcome: "problem" },
        ],
        remediation: [
          {
            description: `Fix what the ${component} pod logs and events show on ${health.nodes.join(", ") || "the affected nodes"}, then recreate the pod`,
            command: `kubectl -n ${namespace} describe pod ${first.metadata.name} && kubectl -n ${namespace} delete pod ${first.metadata.name}`,
            verify: `kubectl -n ${namespace} rollout status daemonset/${ds.metadata.name}`,
            rollback: `kubectl -n ${namespace} rollout undo daemonset/${ds.metadata.name}   (if a recent change broke it)`,
          },
        ],
      });
    }
  },
});
