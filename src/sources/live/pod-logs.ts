// Picks the containers of unhealthy pods (and of running ingress controllers) whose logs are worth reading, and reads their tails.
import type { ContainerStatus, KubeObject, Pod } from "../../model/kube.js";
import type { PodLog } from "../../model/snapshot.js";
import type { ApiClient } from "./api-client.js";
import { KNOWN_INGRESS_CONTROLLERS, ingressControllerContainer } from "../../semantics/ingress-controllers.js";

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
}

export interface LogLimits {
  tailLines: number;
  limitBytes: number;
}

/**
 * The log requests for one pod: for each container that waits after having run, terminated with a
 * non-zero code, restarted, or is not ready while the pod runs. A container that never started (waiting
 * with restartCount 0: ContainerCreating, ImagePullBackOff) has no log and is left out. A restarted
 * container also gets its previous instance's log (`kubectl logs --previous`).
 */
export function logRequestsOf(pod: KubeObject): LogRequest[] {
  const p = pod as Pod;
  const namespace = p.metadata.namespace;
  if (!namespace) return [];
  const status = p.status;
  const requests: LogRequest[] = [];
  const consider = (container: ContainerStatus, init: boolean) => {
    if (!container || typeof container.name !== "string") return;
    const restarts = typeof container.restartCount === "number" ? container.restartCount : 0;
    const state = container.state ?? {};
    const failed = state.terminated !== undefined && state.terminated.exitCode !== 0;
    const waiting = state.waiting !== undefined;
    // Init containers are not ready once they completed; regular containers of a Succeeded pod neither.
    const notReady = !init && status?.phase === "Running" && container.ready === false;
    if (!(restarts > 0 || failed || waiting || notReady)) return;
    const hasRun = state.running !== undefined || state.terminated !== undefined || restarts > 0;
    if (hasRun) requests.push({ namespace, pod: p.metadata.name, container: container.name, previous: false });
    if (restarts > 0) requests.push({ namespace, pod: p.metadata.name, container: container.name, previous: true });
  };
  for (const c of status?.initContainerStatuses ?? []) consider(c, true);
  for (const c of status?.containerStatuses ?? []) consider(c, false);
  // A running ingress controller is healthy itself, but its log says which Ingresses it fails to serve.
  if (requests.length === 0 && status?.phase === "Running") {
    for (const known of KNOWN_INGRESS_CONTROLLERS) {
      const container = ingressControllerContainer(p, known);
      if (container) {
        requests.push({ namespace, pod: p.metadata.name, container: container.name, previous: false });
        break;
      }
    }
  }
  return requests;
}

/** Reads one log tail. Throws ApiRequestError. */
export async function readLog(client: ApiClient, request: LogRequest, limits: LogLimits): Promise<PodLog> {
  const path = `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log`;
  const { text, bytes } = await client.getText(
    path,
    {
      container: request.container,
      tailLines: String(limits.tailLines),
      limitBytes: String(limits.limitBytes),
      previous: request.previous ? "true" : undefined,
    },
    limits.limitBytes,
  );
  const lines = text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  const truncated = bytes >= limits.limitBytes || lines >= limits.tailLines;
  return { ...request, text, origin: "live", ...(truncated ? { truncated } : {}) };
}
