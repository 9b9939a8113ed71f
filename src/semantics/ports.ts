// Port resolution as Kubernetes does it: a Service targetPort against a pod's container ports
// (k8s.io/kubernetes/pkg/api/v1/pod FindPort) and an Ingress backend port against a Service's ports.
import type { Container, ContainerPort, Pod, Service, ServicePort } from "../model/kube.js";

/** The protocol the API server defaults to when a port omits it (ServicePort and ContainerPort). */
export const DEFAULT_PROTOCOL = "TCP";

/** A port a pod's container declares, with where it is declared. */
export interface DeclaredPort {
  container: string;
  name?: string;
  containerPort: number;
  protocol: string;
  /** Field path in the pod, e.g. `spec.containers[0].ports[1]`. */
  path: string;
}

/** The result of resolving a targetPort on one pod. */
export interface ResolvedPort {
  /** The port traffic is sent to on the pod's IP. */
  port: number;
  /** Whether a container declares this port (always true for a named port that resolved). */
  declared: boolean;
  /** The declaring container port, when there is one. */
  declaredBy?: DeclaredPort;
}

/** The protocol of a port, defaulted the way the API server defaults it. */
export function protocolOf(port: { protocol?: string } | undefined): string {
  return port?.protocol || DEFAULT_PROTOCOL;
}

/** A Service port's targetPort, defaulted to `port` as the API server does when it is unset (or 0). */
export function targetPortOf(servicePort: ServicePort): number | string {
  const target = servicePort.targetPort;
  if (target === undefined || target === null || target === 0 || target === "") return servicePort.port;
  return target;
}

/** A sidecar: an init container with restartPolicy Always (KEP-753); its ports count for named-port lookup. */
function isRestartableInitContainer(container: Container): boolean {
  return container.restartPolicy === "Always";
}

/**
 * Every port the pod's containers declare, in the order FindPort looks at them: regular containers
 * first, then restartable (sidecar) init containers. Plain init containers are not listed: they
 * have exited before the pod can serve.
 */
export function declaredPorts(pod: Pod): DeclaredPort[] {
  const out: DeclaredPort[] = [];
  const collect = (containers: readonly Container[] | undefined, field: string, include: (c: Container) => boolean): void => {
    (containers ?? []).forEach((container, i) => {
      if (!include(container)) return;
      (container.ports ?? []).forEach((p: ContainerPort, j) => {
        out.push({
          container: container.name,
          ...(p.name ? { name: p.name } : {}),
          containerPort: p.containerPort,
          protocol: protocolOf(p),
          path: `spec.${field}[${i}].ports[${j}]`,
        });
      });
    });
  };
  collect(pod.spec?.containers, "containers", () => true);
  collect(pod.spec?.initContainers, "initContainers", isRestartableInitContainer);
  return out;
}

/**
 * Resolves a targetPort on a pod, following upstream FindPort: a number is used as is (it need not
 * be declared; `declared` says whether it is); a name is looked up among the containers' named
 * ports with the same protocol, regular containers first, then sidecars. Returns undefined when a
 * name is not found: the endpoints controller then leaves the pod out of the Service's endpoints.
 */
export function findContainerPort(pod: Pod, portNameOrNumber: number | string, protocol: string = DEFAULT_PROTOCOL): ResolvedPort | undefined {
  const ports = declaredPorts(pod);
  if (typeof portNameOrNumber === "number") {
    const declaredBy = ports.find((p) => p.containerPort === portNameOrNumber && p.protocol === protocol);
    return declaredBy ? { port: portNameOrNumber, declared: true, declaredBy } : { port: portNameOrNumber, declared: false };
  }
  // FindPort compares port.Name == name && port.Protocol == svcPort.Protocol: a named port of another protocol does not count.
  const declaredBy = ports.find((p) => p.name === portNameOrNumber && p.protocol === protocol);
  return declaredBy ? { port: declaredBy.containerPort, declared: true, declaredBy } : undefined;
}

/** A Service port an Ingress backend (or anything else) names by number or by name. */
export interface ServicePortMatch {
  port: ServicePort;
  /** Index in `spec.ports`, for evidence paths. */
  index: number;
}

/**
 * Finds the Service port an Ingress backend refers to: `port.number` matches `spec.ports[].port`,
 * `port.name` matches `spec.ports[].name` (networking.k8s.io/v1 ServiceBackendPort).
 */
export function findServicePort(service: Service, backendPort: { number?: number; name?: string } | undefined): ServicePortMatch | undefined {
  const ports = service.spec?.ports ?? [];
  const index = ports.findIndex((p) =>
    backendPort?.number !== undefined ? p.port === backendPort.number : backendPort?.name !== undefined ? p.name === backendPort.name : false,
  );
  return index < 0 ? undefined : { port: ports[index]!, index };
}

/** A port as kubectl prints it: `8080/TCP`, or `http(8080)/TCP` for a named one. */
export function formatDeclaredPort(port: DeclaredPort): string {
  return port.name ? `${port.name}(${port.containerPort})/${port.protocol}` : `${port.containerPort}/${port.protocol}`;
}
