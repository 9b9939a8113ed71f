// In-cluster DNS names of Services as a pod's resolver expands them (ClusterFirst, search path
// <ns>.svc.<domain> svc.<domain> <domain>): `api`, `api.shop`, `api.shop.svc`, `api.shop.svc.cluster.local`,
// and a headless Service's `host.api.shop.svc.cluster.local`.

export interface ServiceName {
  service: string;
  namespace: string;
  /** The pod hostname label of a headless Service's per-pod record. */
  hostname?: string;
  /** Whether the name was qualified with a namespace (a bare `api` resolves in the caller's namespace only). */
  qualified: boolean;
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Parses a host name as a Service DNS name, resolved from a pod in `callerNamespace`. Returns
 * undefined for names that cannot be a Service (`svc` in the wrong place, invalid labels). Whether
 * the namespace exists is the caller's question: `api.example` parses as Service api in namespace example.
 */
export function parseServiceName(host: string, callerNamespace: string): ServiceName | undefined {
  const name = host.toLowerCase().replace(/\.$/, "");
  const labels = name.split(".");
  if (labels.some((l) => !LABEL.test(l))) return undefined;
  if (labels.length === 1) return { service: labels[0]!, namespace: callerNamespace, qualified: false };
  if (labels.length === 2) return { service: labels[0]!, namespace: labels[1]!, qualified: true };
  // <service>.<namespace>.svc[.<cluster domain>]
  if (labels[2] === "svc") return { service: labels[0]!, namespace: labels[1]!, qualified: true };
  // <hostname>.<service>.<namespace>.svc.<cluster domain> (headless Service, per-pod record)
  if (labels.length >= 5 && labels[3] === "svc") return { hostname: labels[0]!, service: labels[1]!, namespace: labels[2]!, qualified: true };
  return undefined;
}
