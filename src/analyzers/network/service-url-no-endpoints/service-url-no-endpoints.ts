// Decides whether a workload is configured to call a Service that has no ready endpoint: a container
// env value, or a value of a ConfigMap the pod uses, names the Service as `<svc>`, `<svc>.<ns>`,
// `<svc>.<ns>.svc[.<cluster domain>]` (optionally with a port, in a URL or host:port). The caller is
// the impacted workload; the Service's own problem (selector, readiness) is its cause.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { ConfigMap, Container, Pod, Service } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { groupByWorkload, WORKLOAD_KINDS } from "../../workload/workload-pods.js";
import { isLivePod, readyEndpointCount } from "../../../engines/connectivity/cluster-network.js";

/** A DNS name (RFC 1123 labels) optionally followed by :port, bounded by URL/config punctuation. */
const HOST = /(^|[\s"'=,;(@[]|\/\/)([a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)(?::([0-9]{1,5}))?(?=$|[\s"'/,;)\]?#])/gi;
/** Keys whose whole value is commonly a bare host name. */
const HOST_KEY = /(HOST|ADDR|ADDRESS|URL|URI|ENDPOINT|SERVER|SERVICE|UPSTREAM|BACKEND)S?$/i;

export interface ServiceReference {
  namespace: string;
  service: string;
  /** The host[:port] as written. */
  text: string;
}

/**
 * The in-cluster Service names a configuration value refers to, resolved from `namespace` the way a
 * pod's resolver search path does (`<svc>` in the pod's namespace, `<svc>.<ns>`, `<svc>.<ns>.svc...`).
 * A bare `<svc>` only counts in a URL, as host:port, or as the whole value of a host-like key.
 */
export function serviceReferencesIn(value: string, key: string, namespace: string, exists: (namespace: string, name: string) => boolean): ServiceReference[] {
  const out: ServiceReference[] = [];
  for (const m of value.matchAll(HOST)) {
    const host = m[2]!.toLowerCase();
    const port = m[3];
    const text = port ? `${host}:${port}` : host;
    const parts = host.split(".");
    let ref: { namespace: string; service: string } | undefined;
    if (parts.length >= 3 && parts[2] === "svc") ref = { service: parts[0]!, namespace: parts[1]! };
    else if (parts.length === 2) ref = { service: parts[0]!, namespace: parts[1]! };
    else if (parts.length === 1) {
      const urlForm = m[1] === "//" || port !== undefined;
      const whole = value.trim().toLowerCase() === host && HOST_KEY.test(key);
      if (urlForm || whole) ref = { service: host, namespace };
    }
    if (ref && exists(ref.namespace, ref.service) && !out.some((o) => o.namespace === ref.namespace && o.service === ref.service)) out.push({ ...ref, text });
  }
  return out;
}

interface Found {
  service: Service;
  reference: string;
  evidence: Evidence;
}

function containersOf(pod: Pod): { container: Container; path: string }[] {
  return [
    ...(pod.spec?.initContainers ?? []).map((container, i) => ({ container, path: `spec.initContainers[${i}]` })),
    ...(pod.spec?.containers ?? []).map((container, i) => ({ container, path: `spec.containers[${i}]` })),
  ];
}

export const serviceUrlNoEndpoints = defineAnalyzer({
  id: "service-url-no-endpoints",
  title: "Workload configured to call a Service with no ready endpoint",
  area: "network",
  severity: "error",
  needs: ["Service", "Pod", "Endpoints", "EndpointSlice", "ConfigMap", ...WORKLOAD_KINDS],
  messages: {
    noEndpoints: {
      summary: "{{workload}} calls Service {{namespace}}/{{service}} ({{reference}} in {{where}}), which has no ready endpoint",
      rootCause:
        "{{workload}} is configured to reach {{reference}} ({{where}}), which resolves to Service {{namespace}}/{{service}}. The Service has no ready endpoint, so every connection from {{workload}} to it is refused or times out.",
      remediation: "Make the Service's pods run and become Ready (or fix its selector), or point the caller at the right Service.",
    },
  },
  run({ index, report }) {
    if (!index.has("Service") || !index.has("Pod")) return;
    const readiness = new Map<Service, number | undefined>();
    const noEndpoints = (namespace: string, name: string): Service | undefined => {
      const service = index.get<Service>("Service", namespace, name);
      if (!service || service.spec?.type === "ExternalName") return undefined;
      if (!readiness.has(service)) readiness.set(service, readyEndpointCount(index, service));
      return readiness.get(service) === 0 ? service : undefined;
    };
    const exists = (namespace: string, name: string): boolean => noEndpoints(namespace, name) !== undefined;
    const items: { pod: Pod; detail: Found[] }[] = [];
    for (const pod of index.all<Pod>("Pod")) {
      if (!isLivePod(pod)) continue;
      const namespace = pod.metadata.namespace ?? "default";
      const found: Found[] = [];
      const add = (refs: { namespace: string; service: string; text: string }[], evidence: (text: string) => Evidence): void => {
        for (const r of refs) {
          if (found.some((f) => f.service.metadata.name === r.service && f.service.metadata.namespace === r.namespace)) continue;
          found.push({ service: noEndpoints(r.namespace, r.service)!, reference: r.text, evidence: evidence(r.text) });
        }
      };
      for (const { container, path } of containersOf(pod)) {
        (container.env ?? []).forEach((env, j) => {
          if (typeof env.value !== "string" || env.value === "") return;
          // Only the host[:port] is shown: the value may carry credentials (scheme://user:password@host).
          add(serviceReferencesIn(env.value, env.name, namespace, exists), (text) => ({ ref: refOf(pod), path: `${path}.env[${j}].value`, value: text, note: `env ${env.name} of container ${container.name}` }));
        });
      }
      const configMaps = new Set(index.referencesOfPod(pod).filter((r) => r.kind === "ConfigMap").map((r) => r.name));
      for (const name of configMaps) {
        const cm: ConfigMap | undefined = index.configMap(namespace, name);
        for (const [key, value] of Object.entries(cm?.data ?? {})) {
          add(serviceReferencesIn(value, key, namespace, exists), (text) => ({ ref: refOf(cm!), path: `data.${key}`, value: text, note: `ConfigMap ${name} used by ${pod.metadata.name}` }));
        }
      }
      if (found.length > 0) items.push({ pod, detail: found });
    }
    for (const group of groupByWorkload(index, items)) {
      const byService = new Map<Service, Found[]>();
      for (const m of group.members) for (const f of m.detail) byService.set(f.service, [...(byService.get(f.service) ?? []), f]);
      for (const [service, founds] of byService) {
        const first = founds[0]!;
        const namespace = service.metadata.namespace ?? "default";
        const workload = `${group.subject.kind.toLowerCase()}/${group.subject.name}`;
        const where = first.evidence.note!.startsWith("env") ? first.evidence.note!.split(" of ")[0]! : `ConfigMap ${first.evidence.ref!.name} key ${first.evidence.path!.slice("data.".length)}`;
        const evidence: Evidence[] = [];
        for (const f of founds) if (!evidence.some((e) => e.path === f.evidence.path && e.ref?.name === f.evidence.ref?.name)) evidence.push(f.evidence);
        evidence.push({ ref: refOf(service), path: "endpoints", value: 0, note: "ready endpoints (EndpointSlices, Endpoints or Ready selected pods)" });
        report("noEndpoints", {
          subject: group.subject,
          data: { workload, namespace, service: service.metadata.name, reference: first.reference, where },
          evidence,
          affected: group.members.filter((m) => m.detail.some((f) => f.service === service)).map((m) => refOf(m.pod)),
          causedBy: [refOf(service)],
          investigation: [
            { step: "Check the Service's endpoints", command: `kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${service.metadata.name}`, result: "no ready endpoint", outcome: "problem" },
            { step: "Check the pods behind the Service", command: `kubectl get pods -n ${namespace} -l ${Object.entries(service.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",") || "<selector>"}`, result: "none Ready", outcome: "problem" },
          ],
          remediation: [
            {
              description: `Bring up Ready pods for Service ${namespace}/${service.metadata.name} (or fix its selector), or point ${workload} at the intended Service`,
              command: `kubectl describe service ${service.metadata.name} -n ${namespace}`,
              verify: `kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${service.metadata.name}`,
            },
          ],
        });
      }
    }
  },
});
