// Decides whether a Service port's targetPort is exposed by the pods it selects (named: must resolve; numeric: should be declared).
import { defineAnalyzer } from "../../define.js";
import type { Evidence, Remediation } from "../../../model/finding.js";
import type { Pod, Service, ServicePort } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { declaredPorts, findContainerPort, formatDeclaredPort, protocolOf, targetPortOf, type DeclaredPort } from "../../../semantics/ports.js";

/** Injected mesh proxies declare their own ports; those say nothing about the application's. */
const MESH_SIDECARS = new Set(["istio-proxy", "linkerd-proxy"]);
/** At most this many pods are itemised in the evidence. */
const MAX_PODS_IN_EVIDENCE = 5;

function isServable(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

function applicationPorts(pod: Pod): DeclaredPort[] {
  return declaredPorts(pod).filter((p) => !MESH_SIDECARS.has(p.container));
}

/** Evidence listing what a pod declares, one item per container that declares ports. */
function declaredEvidence(pod: Pod, note: string): Evidence[] {
  const ports = applicationPorts(pod);
  if (ports.length === 0) return [{ ref: refOf(pod), path: "spec.containers[*].ports", value: [], note: `${note}; no container declares a port` }];
  const byContainer = new Map<string, DeclaredPort[]>();
  for (const p of ports) {
    const path = p.path.replace(/\.ports\[\d+\]$/, ".ports");
    byContainer.set(path, [...(byContainer.get(path) ?? []), p]);
  }
  return [...byContainer].map(([path, list]) => ({
    ref: refOf(pod),
    path,
    value: list.map(formatDeclaredPort),
    note: `${note}; container ${list[0]!.container} declares ${list.map(formatDeclaredPort).join(", ")}`,
  }));
}

/** A targetPort to suggest: the only number (or, for a named targetPort, the only name) the pods declare for the protocol. */
function suggestTarget(pods: readonly Pod[], protocol: string, preferName: boolean): number | string | undefined {
  const ports = pods.flatMap(applicationPorts).filter((p) => p.protocol === protocol);
  const names = new Set(ports.map((p) => p.name).filter((n): n is string => n !== undefined));
  const numbers = new Set(ports.map((p) => p.containerPort));
  if (preferName && names.size === 1 && ports.every((p) => p.name !== undefined)) return [...names][0];
  if (numbers.size === 1) return [...numbers][0];
  return undefined;
}

function targetPortEvidence(svc: Service, sp: ServicePort, i: number, note: string): Evidence {
  return sp.targetPort === undefined || sp.targetPort === 0
    ? { ref: refOf(svc), path: `spec.ports[${i}].port`, value: sp.port, note: `targetPort unset, so it defaults to port; ${note}` }
    : { ref: refOf(svc), path: `spec.ports[${i}].targetPort`, value: sp.targetPort, note };
}

export const serviceTargetPortMismatch = defineAnalyzer({
  id: "service-target-port-mismatch",
  title: "Service targetPort not exposed by its pods",
  area: "network",
  severity: "error",
  needs: ["Service", "Pod"],
  messages: {
    namedPortNotFound: {
      summary: "Service {{namespace}}/{{service}} port {{servicePort}} targets named port {{targetPort}}/{{protocol}}, which none of its {{selected}} selected pods defines",
      rootCause:
        "A named targetPort is looked up in each pod's container ports by name and protocol. No selected pod has a {{protocol}} port named {{targetPort}}, so the endpoints controller leaves every pod out of this port's endpoints: the Service port has no backend although the pods may be running and Ready.",
      remediation: "Point targetPort at a port name or number the pods declare, or name the container port in the pod template.",
    },
    namedPortMissingOnSomePods: {
      summary: "{{missing}} of the {{selected}} pods selected by Service {{namespace}}/{{service}} define no {{protocol}} port named {{targetPort}} (port {{servicePort}}); they get no traffic on it",
      rootCause:
        "A named targetPort is resolved per pod. {{missing}} selected pods have no {{protocol}} container port named {{targetPort}} and are left out of this port's endpoints, while the others serve it: typically pods of an old or new template in which the port was renamed.",
      remediation: "Give every pod template behind the Service the same port name, or finish or roll back the rollout that renamed it.",
      severity: "warning",
    },
    numberNotDeclared: {
      summary: "Service {{namespace}}/{{service}} port {{servicePort}} sends to {{targetPort}}/{{protocol}}, but its pods declare only {{declared}}",
      rootCause:
        "A numeric targetPort need not be declared in the container ports for traffic to reach it, so this cannot be confirmed from the manifests alone. But the selected pods declare other ports ({{declared}}) and not {{targetPort}}/{{protocol}}: the classic sign of a targetPort that does not match the port the application listens on, which makes connections fail with 'connection refused'.",
      remediation: "Check which port the application listens on and set targetPort to it (or declare the port in the pod template if it is right).",
      severity: "warning",
    },
  },
  run({ index, report }) {
    for (const svc of index.all<Service>("Service")) {
      const selector = svc.spec?.selector;
      if (!selector || Object.keys(selector).length === 0) continue;
      if (svc.spec?.type === "ExternalName") continue;
      const pods = index.podsSelectedByService(svc).filter(isServable);
      if (pods.length === 0) continue; // service-selects-no-pods
      const namespace = svc.metadata.namespace ?? "default";
      const name = svc.metadata.name;
      const selectorText = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const listPorts = {
        step: "List the ports the selected pods declare",
        command: `kubectl get pods -n ${namespace} -l ${selectorText} -o jsonpath='{range .items[*]}{.metadata.name}{": "}{.spec.containers[*].ports}{"\\n"}{end}'`,
      };

      (svc.spec?.ports ?? []).forEach((sp, i) => {
        const target = targetPortOf(sp);
        const protocol = protocolOf(sp);
        const servicePort = sp.name ? `${sp.name}(${sp.port})` : String(sp.port);
        const readPort = {
          step: "Read the Service port",
          command: `kubectl get service ${name} -n ${namespace} -o jsonpath='{.spec.ports[${i}]}'`,
          result: `port ${sp.port}/${protocol} -> targetPort ${target}`,
          outcome: "ok" as const,
        };
        const suggestion = suggestTarget(pods, protocol, typeof target === "string");
        const suggestionJson = suggestion === undefined ? "<port the pods listen on>" : JSON.stringify(suggestion);
        const previousJson = sp.targetPort === undefined ? undefined : JSON.stringify(sp.targetPort);
        const patch: Remediation = {
          description:
            suggestion === undefined
              ? `Set targetPort of port ${servicePort} to the port the application listens on`
              : `Set targetPort of port ${servicePort} to ${suggestion}, the port the pods declare`,
          command: `kubectl patch service ${name} -n ${namespace} --type=json -p '[{"op":"replace","path":"/spec/ports/${i}/targetPort","value":${suggestionJson}}]'`,
          verify: `kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${name} -o wide`,
          rollback: previousJson
            ? `kubectl patch service ${name} -n ${namespace} --type=json -p '[{"op":"replace","path":"/spec/ports/${i}/targetPort","value":${previousJson}}]'`
            : `kubectl patch service ${name} -n ${namespace} --type=json -p '[{"op":"remove","path":"/spec/ports/${i}/targetPort"}]'`,
        };

        if (typeof target === "string") {
          const missing = pods.filter((p) => findContainerPort(p, target, protocol) === undefined);
          if (missing.length === 0) return;
          const all = missing.length === pods.length;
          const evidence: Evidence[] = [
            targetPortEvidence(svc, sp, i, `named port, protocol ${protocol}`),
            ...missing.slice(0, MAX_PODS_IN_EVIDENCE).flatMap((p) => declaredEvidence(p, `no ${protocol} port named ${target}`)),
          ];
          const resolving = pods.filter((p) => !missing.includes(p));
          for (const p of resolving.slice(0, MAX_PODS_IN_EVIDENCE)) {
            const resolved = findContainerPort(p, target, protocol)!;
            evidence.push({ ref: refOf(p), path: resolved.declaredBy!.path, value: formatDeclaredPort(resolved.declaredBy!), note: `${target} resolves to ${resolved.port} here` });
          }
          const affected = missing.map(refOf);
          const root = index.rootController(missing[0]!);
          const remediation: Remediation[] = [patch];
          if (root !== missing[0]) {
            const workload = `${root.kind.toLowerCase()}/${root.metadata.name}`;
            remediation.push({
              description: `Or name the container port ${target} (protocol ${protocol}) in the pod template of ${workload}`,
              command: `kubectl edit ${workload} -n ${namespace}`,
              verify: `kubectl rollout status ${workload} -n ${namespace} && kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${name}`,
              rollback: `kubectl rollout undo ${workload} -n ${namespace}`,
            });
          }
          report(all ? "namedPortNotFound" : "namedPortMissingOnSomePods", {
            subject: refOf(svc),
            data: { namespace, service: name, servicePort, targetPort: target, protocol, selected: pods.length, missing: missing.length },
            evidence,
            affected,
            investigation: [
              readPort,
              {
                ...listPorts,
                result: `${missing.length} of ${pods.length} pods have no ${protocol} port named ${target}: ${missing.map((p) => p.metadata.name).join(", ")}`,
                outcome: "problem",
              },
              {
                step: "Confirm the pods are missing from the endpoints of this port",
                command: `kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${name} -o yaml`,
                result: all ? "expected: no endpoint carries this port" : `expected: ${missing.length} pods absent for this port`,
                outcome: "unknown",
              },
            ],
            remediation,
          });
          return;
        }

        // Numeric: traffic goes to that number whatever the pods declare; only a declared-elsewhere pattern is suspicious.
        if (pods.some((p) => findContainerPort(p, target, protocol)?.declared)) return;
        const declaring = pods.filter((p) => applicationPorts(p).length > 0);
        if (declaring.length === 0) return; // nothing declared at all: nothing to compare with
        const declared = [...new Set(declaring.flatMap(applicationPorts).map(formatDeclaredPort))].sort();
        report("numberNotDeclared", {
          subject: refOf(svc),
          data: { namespace, service: name, servicePort, targetPort: target, protocol, declared: declared.join(", ") },
          evidence: [
            targetPortEvidence(svc, sp, i, `no selected pod declares ${target}/${protocol}`),
            ...declaring.slice(0, MAX_PODS_IN_EVIDENCE).flatMap((p) => declaredEvidence(p, `${target}/${protocol} not declared`)),
          ],
          affected: pods.map(refOf),
          investigation: [
            readPort,
            { ...listPorts, result: `declared: ${declared.join(", ")}; none is ${target}/${protocol}`, outcome: "problem" },
            {
              step: "Check what the application really listens on (cannot be confirmed from the manifests)",
              command: `kubectl exec -n ${namespace} ${declaring[0]!.metadata.name} -- sh -c 'ss -ltnu || netstat -ltnu'`,
              result: "not run: kubesleuth does not exec into pods",
              outcome: "unknown",
            },
          ],
          remediation: [patch],
        });
      });
    }
  },
});
