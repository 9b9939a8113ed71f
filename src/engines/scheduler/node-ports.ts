// NodePorts: the pod's hostPorts must not collide with hostPorts already used on the node.
import type { Container, Pod } from "../../model/kube.js";
import { minorVersion, SUCCESS, unschedulable, type FilterOptions, type FilterPlugin } from "./framework.js";

/** ErrReason, unchanged from v1.16 to v1.36 (nodeports/node_ports.go). */
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

const ANY_IP = "0.0.0.0";

function isRestartableInit(container: Container): boolean {
  return container.restartPolicy === "Always";
}

/**
 * The host ports a pod claims (schedutil.GetContainerPorts / NodeInfo.updateUsedPorts): container
 * ports with hostPort > 0; hostIP defaults to 0.0.0.0 and protocol to TCP. Since v1.29 (sidecar
 * containers on by default) restartable init containers' ports count as well.
 */
export function hostPortsOf(pod: Pod, options?: FilterOptions): HostPort[] {
  const containers = [...(pod.spec?.containers ?? [])];
  if (minorVersion(options) >= 29) containers.push(...(pod.spec?.initContainers ?? []).filter(isRestartableInit));
  const ports: HostPort[] = [];
  for (const container of containers) {
    for (const port of container.ports ?? []) {
      if (!port.hostPort || port.hostPort <= 0) continue;
      ports.push({ ip: port.hostIP || ANY_IP, protocol: port.protocol || "TCP", port: port.hostPort });
    }
  }
  return ports;
}

// HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every IP on the same protocol/port; a specific IP
// conflicts with itself and with 0.0.0.0.
function conflicts(wanted: HostPort, used: readonly HostPort[]): boolean {
  return used.some(
    (u) => u.protocol === wanted.protocol && u.port === wanted.port && (wanted.ip === ANY_IP || u.ip === ANY_IP || u.ip === wanted.ip),
  );
}

/** NodePorts.Filter. */
export const nodePorts: FilterPlugin = (pod, nodeInfo, _cluster, options) => {
  const wanted = hostPortsOf(pod, options);
  if (wanted.length === 0) return SUCCESS;
  const used = nodeInfo.pods.flatMap((existing) => hostPortsOf(existing, options));
  if (wanted.some((port) => conflicts(port, used))) return unschedulable(ERR_REASON_NODE_PORTS);
  return SUCCESS;
};
