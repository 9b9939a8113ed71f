// Decides why a pod's persistent volume cannot be attached or mounted: a ReadWriteOnce volume held by pods on another node (Multi-Attach), the CSI node plugin missing on the pod's node, or the mount error the kubelet reports.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Event, KubeObject, PersistentVolume, PersistentVolumeClaim, Pod } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { isSettled, podEvents } from "../../workload/workload-pods.js";
import { csiNodePlugins } from "../csi-pods.js";

const MOUNT_REASONS = new Set(["FailedMount", "FailedAttachVolume", "FailedMapVolume"]);
/** kubelet csi_plugin.go / csi_client.go: "driver name X not found in the list of registered CSI drivers". */
const UNREGISTERED_DRIVER = /driver name (\S+) not found in the list of registered CSI drivers/;

function eventEvidence(e: Event): Evidence {
  return { ref: { kind: "Event", namespace: e.metadata.namespace, name: e.metadata.name }, path: "message", value: e.message ?? "", note: `${e.reason} x${e.count ?? 1}` };
}

/** The pod's claims with their PVs, and the volume names they are mounted as. */
function claimVolumes(index: ClusterIndex, pod: Pod): { volume: string; claim: PersistentVolumeClaim; pv?: PersistentVolume }[] {
  const out: { volume: string; claim: PersistentVolumeClaim; pv?: PersistentVolume }[] = [];
  for (const v of pod.spec.volumes ?? []) {
    const name = v.persistentVolumeClaim?.claimName;
    if (!name) continue;
    const claim = index.get<PersistentVolumeClaim>("PersistentVolumeClaim", pod.metadata.namespace, name);
    if (!claim) continue;
    const pv = index.volumeOfClaim(claim);
    out.push({ volume: v.name, claim, ...(pv ? { pv } : {}) });
  }
  return out;
}

/** Whether an event is about one of these volumes: it names the PV (`volume "pvc-..."`) or lists the pod volume as unmounted/unattached. */
function mentions<V extends { volume: string; pv?: PersistentVolume }>(message: string, volumes: readonly V[]): V | undefined {
  return volumes.find(
    (v) => (v.pv && message.includes(`"${v.pv.metadata.name}"`)) || new RegExp(`(?:unmounted|unattached) volumes=\\[[^\\]]*\\b${v.volume.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(message),
  );
}

/**
 * The kubelet mounts all volumes before it creates any container: a container that runs, ran, or waits
 * for anything but ContainerCreating means the mounts succeeded, and an old FailedMount is history.
 */
function pastMounting(pod: Pod): boolean {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.some((s) => s.state?.running || s.state?.terminated || (s.state?.waiting?.reason && s.state.waiting.reason !== "ContainerCreating"));
}

function csiNodeDrivers(csiNode: KubeObject): string[] {
  return ((csiNode.spec as { drivers?: { name?: string }[] } | undefined)?.drivers ?? []).map((d) => d.name ?? "").filter(Boolean);
}

/**
 * A CSI driver of the pod's PVs that the node's CSINode does not list (the kubelet adds a driver there
 * when its node plugin registers). Undefined when CSINodes were not read or the node has none.
 */
function unregisteredOnNode(index: ClusterIndex, node: string, volumes: readonly { pv?: PersistentVolume }[]): { driver: string; csiNode: KubeObject } | undefined {
  if (!index.has("CSINode")) return undefined;
  const csiNode = index.get<KubeObject>("CSINode", undefined, node);
  if (!csiNode) return undefined;
  const registered = csiNodeDrivers(csiNode);
  const driver = volumes.map((v) => v.pv?.spec?.csi?.driver).find((d): d is string => !!d && !registered.includes(d));
  return driver ? { driver, csiNode } : undefined;
}

export const volumeAttachFailing = defineAnalyzer({
  id: "volume-attach-failing",
  title: "Volume cannot be attached or mounted",
  area: "storage",
  severity: "error",
  needs: ["Pod", "Event", "PersistentVolumeClaim", "PersistentVolume", "CSINode"],
  messages: {
    multiAttach: {
      summary: "PVC {{claim}} ({{accessModes}}) is in use on node {{holderNodes}}; pod {{pod}} on node {{node}} cannot attach it",
      rootCause:
        "Volume {{pv}} of claim {{claim}} allows {{accessModes}}, so it is attached to one node at a time. Pod(s) {{holders}} on node {{holderNodes}} use it, so the attach/detach controller refuses to attach it to {{node}} for pod {{pod}} (\"{{message}}\"). Typical causes: a rolling update that starts the new pod before the old one is gone, or two replicas sharing one ReadWriteOnce claim.",
      remediation: "Run one pod per ReadWriteOnce claim: for a Deployment use strategy Recreate (or scale to one), give each replica its own claim (StatefulSet volumeClaimTemplates), or use a ReadWriteMany volume.",
    },
    multiAttachHolderUnknown: {
      summary: "PVC {{claim}} ({{accessModes}}) is still attached elsewhere; pod {{pod}} on node {{node}} cannot attach it",
      rootCause:
        "The attach/detach controller reports the volume {{pv}} exclusively attached to another node (\"{{message}}\"), and no running pod in the snapshot uses claim {{claim}} there: the old node has not detached it (a node that went down keeps it until the controller force-detaches after 6 minutes, or never if the node is shut down without the out-of-service taint).",
      remediation: "Check `kubectl get volumeattachment` for the node that holds it; if that node is gone, taint it node.kubernetes.io/out-of-service=nodeshutdown:NoExecute so the volume is detached.",
    },
    nodePluginMissing: {
      summary: "Node {{node}} has no running CSI node plugin for {{driver}}: pods there cannot mount its volumes",
      rootCause:
        "On {{node}}: \"{{message}}\". Driver {{driver}} has not registered on this node (its node plugin's node-driver-registrar did not register a socket with the kubelet), so no volume of it can be mounted there. {{plugins}}",
      remediation: "Get the driver's node plugin DaemonSet running on the node (check its nodeSelector, tolerations and pod status on that node).",
    },
    mountFailed: {
      summary: "Pod {{pod}} cannot mount volume {{volume}} (claim {{claim}}): {{reason}}",
      rootCause: "The kubelet on {{node}} fails to set up volume {{volume}} of claim {{claim}}: \"{{message}}\". The pod stays ContainerCreating until the mount succeeds.",
      remediation: "Fix what the mount error names (driver logs on that node, the backing storage, permissions, filesystem); the kubelet retries on its own.",
    },
  },
  run({ index, report }) {
    const pluginFindings = new Map<string, { node: string; driver: string; pods: Pod[]; event?: Event; csiNode?: KubeObject }>();
    for (const pod of index.all<Pod>("Pod")) {
      if (isSettled(pod) || pod.status?.phase === "Running" || pastMounting(pod)) continue;
      const volumes = claimVolumes(index, pod);
      if (volumes.length === 0) continue;
      const events = podEvents(index, pod, (e) => MOUNT_REASONS.has(e.reason ?? ""));
      const last = [...events].reverse().find((e) => mentions(e.message ?? "", volumes)) ?? [...events].reverse().find((e) => UNREGISTERED_DRIVER.test(e.message ?? ""));
      if (!last) {
        // No event (yet, or expired): the node's CSINode may still say that the driver never registered there.
        const missing = pod.spec.nodeName ? unregisteredOnNode(index, pod.spec.nodeName, volumes) : undefined;
        if (missing) {
          const key = `${pod.spec.nodeName}\u0000${missing.driver}`;
          const entry = pluginFindings.get(key) ?? { node: pod.spec.nodeName!, driver: missing.driver, pods: [], csiNode: missing.csiNode };
          entry.pods.push(pod);
          pluginFindings.set(key, entry);
        }
        continue;
      }
      const message = last.message ?? "";
      const node = pod.spec.nodeName ?? "(no node)";
      const podName = `${pod.metadata.namespace}/${pod.metadata.name}`;

      const unregistered = UNREGISTERED_DRIVER.exec(message);
      if (unregistered) {
        const driver = unregistered[1]!;
        const key = `${node}\u0000${driver}`;
        const entry = pluginFindings.get(key) ?? { node, driver, pods: [], event: last };
        entry.pods.push(pod);
        pluginFindings.set(key, entry);
        continue;
      }

      const target = mentions(message, volumes) ?? volumes[0]!;
      const claimName = `${target.claim.metadata.namespace}/${target.claim.metadata.name}`;
      const modes = target.pv?.spec?.accessModes ?? target.claim.spec?.accessModes ?? [];
      if (/Multi-Attach error/.test(message)) {
        const holders = index
          .podsUsingClaim(target.claim)
          .filter((p) => p.metadata.uid !== pod.metadata.uid && !isSettled(p) && p.spec.nodeName && p.spec.nodeName !== pod.spec.nodeName);
        const holderNodes = [...new Set(holders.map((p) => p.spec.nodeName!))];
        const evidence: Evidence[] = [
          { ref: refOf(target.claim), path: "spec.accessModes", value: modes, note: "one node at a time" },
          eventEvidence(last),
          { ref: refOf(pod), path: "spec.nodeName", value: node, note: "the pod that cannot attach it" },
          ...holders.map((p) => ({ ref: refOf(p), path: "spec.nodeName", value: p.spec.nodeName!, note: `uses claim ${target.claim.metadata.name} (phase ${p.status?.phase ?? "?"})` })),
        ];
        const data = {
          claim: claimName,
          pv: target.pv?.metadata.name ?? "(unbound)",
          accessModes: modes.join(", ") || "ReadWriteOnce",
          pod: podName,
          node,
          message,
          holders: holders.map((p) => p.metadata.name).join(", "),
          holderNodes: holderNodes.join(", "),
        };
        report(holders.length ? "multiAttach" : "multiAttachHolderUnknown", {
          subject: refOf(target.claim),
          data,
          evidence,
          affected: [refOf(pod)],
          investigation: [
            { step: "Read the attach error", command: `kubectl describe pod ${pod.metadata.name} -n ${pod.metadata.namespace}`, result: message, outcome: "problem" },
            {
              step: `Find the pods using claim ${target.claim.metadata.name} and their nodes`,
              command: `kubectl get pods -n ${pod.metadata.namespace} -o wide | grep -v Completed   # then match spec.volumes[].persistentVolumeClaim.claimName`,
              result: holders.length ? holders.map((p) => `${p.metadata.name} on ${p.spec.nodeName}`).join("; ") : "no other running pod uses it",
              outcome: holders.length ? "problem" : "unknown",
            },
            ...(holders.length ? [] : [{ step: "Find the node the volume is attached to", command: `kubectl get volumeattachment -o wide | grep -- '${target.pv?.metadata.name ?? target.claim.metadata.name}'`, result: "VolumeAttachments are not read by kubesleuth yet", outcome: "unknown" as const }]),
          ],
          remediation: holders.length
            ? [
                {
                  description: `Let the pod(s) on ${holderNodes.join(", ")} release the volume first: delete ${holders.map((p) => p.metadata.name).join(", ")} if they are old replicas, and for a Deployment switch to strategy Recreate so old and new pods never overlap`,
                  command: `kubectl delete pod ${holders.map((p) => p.metadata.name).join(" ")} -n ${pod.metadata.namespace}`,
                  verify: `kubectl get pod ${pod.metadata.name} -n ${pod.metadata.namespace} -w`,
                },
              ]
            : [
                {
                  description: "Find the node that holds the attachment; if it is down for good, mark it out of service so the volume is force-detached",
                  command: `kubectl get volumeattachment -o wide`,
                  verify: `kubectl get pod ${pod.metadata.name} -n ${pod.metadata.namespace} -w`,
                },
              ],
        });
        continue;
      }
      report("mountFailed", {
        subject: refOf(target.claim),
        data: { pod: podName, node, volume: target.volume, claim: claimName, message, reason: last.reason ?? "FailedMount" },
        evidence: [eventEvidence(last), { ref: refOf(pod), path: "spec.nodeName", value: node }],
        affected: [refOf(pod)],
        investigation: [{ step: "Read the mount error", command: `kubectl describe pod ${pod.metadata.name} -n ${pod.metadata.namespace}`, result: message, outcome: "problem" }],
        remediation: [{ description: `Fix what the kubelet reports for volume ${target.volume} on ${node}; the kubelet retries by itself`, verify: `kubectl get pod ${pod.metadata.name} -n ${pod.metadata.namespace} -w` }],
      });
    }

    for (const { node, driver, pods, event, csiNode } of [...pluginFindings.values()].sort((a, b) => `${a.node}/${a.driver}`.localeCompare(`${b.node}/${b.driver}`))) {
      const plugins = index.has("Pod") ? csiNodePlugins(index, driver) : undefined;
      const onNode = plugins?.onNode(node) ?? [];
      const elsewhere = [...new Set((plugins?.all ?? []).map((p) => p.spec.nodeName).filter((n): n is string => !!n && n !== node))];
      const pluginText = !plugins
        ? "Pods are not in the snapshot: kubesleuth cannot tell whether the node plugin runs there."
        : onNode.length
          ? `Its node plugin pod ${onNode.map((p) => `${p.metadata.namespace}/${p.metadata.name} is ${p.status?.phase ?? "?"}`).join(", ")} but has not registered the driver.`
          : plugins.all.length
            ? `Its node plugin pods run on ${elsewhere.join(", ")} but not on ${node}: the DaemonSet does not place one there (nodeSelector, affinity or an untolerated taint).`
            : `kubesleuth finds no node plugin pod of ${driver} at all (pods with a node-driver-registrar container that name the driver); if the plugin pods name it differently, check them by hand.`;
      const registered = csiNode ? csiNodeDrivers(csiNode) : undefined;
      const evidence: Evidence[] = [
        ...(event ? [eventEvidence(event)] : []),
        ...(csiNode ? [{ ref: refOf(csiNode), path: "spec.drivers", value: registered ?? [], note: `${driver} is not among the drivers registered on ${node}` }] : []),
        ...onNode.map((p) => ({ ref: refOf(p), path: "status.phase", value: p.status?.phase ?? null, note: `node plugin of ${driver} on ${node}` }))];
      if (plugins && !onNode.length) evidence.push({ value: elsewhere, note: `nodes with a node plugin pod of ${driver}` });
      report("nodePluginMissing", {
        subject: { kind: "Node", name: node },
        data: { node, driver, message: event?.message ?? `CSINode ${node} lists drivers [${(registered ?? []).join(", ")}], not ${driver}`, plugins: pluginText },
        evidence,
        affected: pods.map((p) => refOf(p)),
        investigation: [
          {
            step: `List the CSI drivers registered on ${node}`,
            command: `kubectl get csinode ${node} -o jsonpath='{.spec.drivers[*].name}'`,
            result: registered ? (registered.join(" ") || "(none)") : index.has("CSINode") ? "no CSINode object for the node" : "CSINode objects are not in the snapshot; the kubelet's error says the driver is missing",
            outcome: registered ? "problem" : "unknown",
          },
          { step: `Find ${driver}'s node plugin pods`, command: `kubectl get pods -A -o wide --field-selector spec.nodeName=${node}`, result: pluginText, outcome: "problem" },
        ],
        remediation: [
          {
            description: `Get ${driver}'s node plugin running on ${node} (check the DaemonSet's nodeSelector and tolerations against the node, and the plugin pod's state)`,
            command: `kubectl describe node ${node}`,
            verify: `kubectl get csinode ${node} -o jsonpath='{.spec.drivers[*].name}'   # lists ${driver}`,
          },
        ],
      });
    }
  },
});
