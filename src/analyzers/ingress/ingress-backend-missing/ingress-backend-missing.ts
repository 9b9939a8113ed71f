// Decides whether an Ingress points at things that do not exist: its IngressClass, backend Services, their ports, its TLS Secrets.
import { defineAnalyzer, type FindingDraft } from "../../define.js";
import { editDistance as distance } from "../../similar-names.js";
import type { Evidence } from "../../../model/finding.js";
import type { Ingress, IngressClass, Service } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import type { IngressBackendRef } from "../../../indexes/types.js";
import { findServicePort, protocolOf } from "../../../semantics/ports.js";
import { parseTime } from "../../../semantics/time.js";

const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
const CERT_MANAGER_ANNOTATIONS = ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"];
/** cert-manager normally issues a certificate within minutes; a missing Secret on a newer Ingress is expected. */
const CERTIFICATE_GRACE_MS = 10 * 60_000;

/** The JSON-pointer form of an evidence path (`spec.rules[0].http` -> `/spec/rules/0/http`), for kubectl patch. */
function pointer(path: string): string {
  return "/" + path.replace(/\[(\d+)\]/g, ".$1").split(".").join("/");
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d <= Math.max(2, Math.floor(name.length / 4)) && (!best || d < best.d)) best = { name: c, d };
  }
  return best?.name;
}

function formatServicePorts(svc: Service): string[] {
  return (svc.spec?.ports ?? []).map((p) => `${p.name ? `${p.name}:` : ""}${p.port}/${protocolOf(p)}`);
}

function describeBackend(b: IngressBackendRef): string {
  const where = b.path === "spec.defaultBackend.service" ? "default backend" : `${b.host ?? "*"}${b.httpPath ?? "/"}`;
  return `${where} -> ${b.serviceName}:${b.port?.number ?? b.port?.name ?? "?"}`;
}

function patchCommand(ingress: Ingress, op: "replace" | "add", path: string, value: unknown): string {
  return `kubectl patch ingress ${ingress.metadata.name} -n ${ingress.metadata.namespace ?? "default"} --type=json -p '[{"op":"${op}","path":"${path}","value":${JSON.stringify(value)}}]'`;
}

export const ingressBackendMissing = defineAnalyzer({
  id: "ingress-backend-missing",
  title: "Ingress refers to a missing class, Service, port or TLS Secret",
  area: "ingress",
  severity: "error",
  needs: ["Ingress", "IngressClass", "Service", "Secret"],
  messages: {
    ingressClassNotFound: {
      summary: "Ingress {{namespace}}/{{ingress}} names IngressClass {{ingressClass}}, which does not exist",
      rootCause:
        "spec.ingressClassName is {{ingressClass}} but no IngressClass of that name exists ({{classes}}). Ingress controllers only serve Ingresses of their own class, so no controller programs this one: its hosts get no route (404 from the default backend, or no answer). A default IngressClass does not apply to an Ingress that names a class.",
      remediation: "Set spec.ingressClassName to an existing IngressClass, or create the IngressClass of the controller meant to serve it.",
    },
    ingressClassAnnotationNotFound: {
      summary: "Ingress {{namespace}}/{{ingress}} asks for class {{ingressClass}} through the deprecated kubernetes.io/ingress.class annotation, and no IngressClass has that name",
      rootCause:
        "The annotation kubernetes.io/ingress.class is {{ingressClass}} and no IngressClass of that name exists ({{classes}}). Some controllers still match the annotation against their own --ingress-class setting without an IngressClass object, so this cannot be confirmed as broken; controllers that require the IngressClass resource ignore this Ingress.",
      remediation: "Replace the annotation with spec.ingressClassName naming an existing IngressClass.",
      severity: "warning",
    },
    noIngressClass: {
      summary: "Ingress {{namespace}}/{{ingress}} names no IngressClass and the cluster has no default IngressClass",
      rootCause:
        "Neither spec.ingressClassName nor the kubernetes.io/ingress.class annotation is set and no IngressClass is annotated ingressclass.kubernetes.io/is-default-class=true ({{classes}}). Most controllers (ingress-nginx unless --watch-ingress-without-class) ignore class-less Ingresses, so this one is likely not served.",
      remediation: "Set spec.ingressClassName, or mark the intended IngressClass as the default.",
      severity: "warning",
    },
    serviceNotFound: {
      summary: "Ingress {{namespace}}/{{ingress}} routes to Service {{service}}, which does not exist in {{namespace}}",
      rootCause:
        "The backends {{backends}} point at Service {{service}}, but namespace {{namespace}} has no Service of that name. The controller has no endpoint for these routes and answers 503 (ingress-nginx logs Service \"{{namespace}}/{{service}}\" does not exist).",
      remediation: "Correct the backend Service name, or create the Service.",
    },
    servicePortNotFound: {
      summary: "Ingress {{namespace}}/{{ingress}} routes to port {{port}} of Service {{service}}, which has no such port ({{servicePorts}})",
      rootCause:
        "The backends {{backends}} name port {{port}} of Service {{service}}, but the Service only has {{servicePorts}}: service.port.number must equal a Service port's port (not its targetPort) and service.port.name one of its port names. The controller has no endpoint for the route and answers 503.",
      remediation: "Point the backend at a port the Service exposes (its port, not the container port), or add the port to the Service.",
    },
    tlsSecretNotFound: {
      summary: "Ingress {{namespace}}/{{ingress}} uses TLS Secret {{secret}}, which does not exist in {{namespace}}",
      rootCause:
        "spec.tls names Secret {{secret}} for {{hosts}}, but namespace {{namespace}} has no such Secret. The controller serves these hosts with its default (self-signed) certificate, so clients fail certificate verification.",
      remediation: "Create the TLS Secret (or fix the Certificate that should create it), or correct secretName.",
    },
  },
  run({ index, now, report }) {
    const checkClasses = index.has("IngressClass");
    const checkServices = index.has("Service");
    const checkSecrets = index.has("Secret");
    const classes = index.all<IngressClass>("IngressClass");
    const classList = classes.length ? `existing: ${classes.map((c) => c.metadata.name).join(", ")}` : "the cluster has none";
    const defaults = index.defaultIngressClasses();

    for (const ing of index.all<Ingress>("Ingress")) {
      const namespace = ing.metadata.namespace ?? "default";
      const name = ing.metadata.name;
      const ref = refOf(ing);
      const base = { namespace, ingress: name };
      const say = (messageId: string, draft: FindingDraft): void => report(messageId, draft);

      // ---- class
      if (checkClasses) {
        const specClass = ing.spec?.ingressClassName;
        const annotationClass = ing.metadata.annotations?.[CLASS_ANNOTATION];
        const classEvidence: Evidence = { value: classes.map((c) => c.metadata.name), note: `kubectl get ingressclass: ${classList}` };
        const listClasses = { step: "List the IngressClasses", command: "kubectl get ingressclass", result: classList, outcome: "problem" as const };
        const fallback = defaults.length === 1 ? defaults[0]!.metadata.name : classes.length === 1 ? classes[0]!.metadata.name : undefined;
        if (specClass && !index.ingressClass(specClass)) {
          say("ingressClassNotFound", {
            subject: ref,
            data: { ...base, ingressClass: specClass, classes: classList },
            evidence: [{ ref, path: "spec.ingressClassName", value: specClass, note: "no IngressClass of this name" }, classEvidence],
            investigation: [
              { step: "Read the Ingress class", command: `kubectl get ingress ${name} -n ${namespace} -o jsonpath='{.spec.ingressClassName}'`, result: specClass, outcome: "ok" },
              listClasses,
            ],
            remediation: [
              {
                description: fallback ? `Use the existing IngressClass ${fallback}` : "Set spec.ingressClassName to the class of the controller that should serve this Ingress",
                command: patchCommand(ing, "replace", "/spec/ingressClassName", fallback ?? "<ingress-class>"),
                verify: `kubectl get ingress ${name} -n ${namespace}   # ADDRESS gets filled by the controller`,
                rollback: patchCommand(ing, "replace", "/spec/ingressClassName", specClass),
              },
            ],
          });
        } else if (!specClass && annotationClass && !index.ingressClass(annotationClass)) {
          say("ingressClassAnnotationNotFound", {
            subject: ref,
            data: { ...base, ingressClass: annotationClass, classes: classList },
            evidence: [{ ref, path: `metadata.annotations["${CLASS_ANNOTATION}"]`, value: annotationClass, note: "no IngressClass of this name" }, classEvidence],
            investigation: [
              {
                step: "Read the Ingress class annotation",
                command: `kubectl get ingress ${name} -n ${namespace} -o jsonpath='{.metadata.annotations.kubernetes\\.io/ingress\\.class}'`,
                result: annotationClass,
                outcome: "ok",
              },
              listClasses,
            ],
            remediation: [
              {
                description: `Name an existing IngressClass in spec.ingressClassName${fallback ? ` (${fallback})` : ""} and drop the deprecated annotation`,
                command: `${patchCommand(ing, "add", "/spec/ingressClassName", fallback ?? "<ingress-class>")} && kubectl annotate ingress ${name} -n ${namespace} ${CLASS_ANNOTATION}-`,
                verify: `kubectl get ingress ${name} -n ${namespace}`,
                rollback: `kubectl patch ingress ${name} -n ${namespace} --type=json -p '[{"op":"remove","path":"/spec/ingressClassName"}]' && kubectl annotate ingress ${name} -n ${namespace} ${CLASS_ANNOTATION}=${annotationClass}`,
              },
            ],
          });
        } else if (!specClass && !annotationClass && defaults.length === 0) {
          say("noIngressClass", {
            subject: ref,
            data: { ...base, classes: classList },
            evidence: [
              { ref, path: "spec.ingressClassName", value: null, note: `neither spec.ingressClassName nor ${CLASS_ANNOTATION} is set` },
              { ...classEvidence, note: `${classList}; none annotated ingressclass.kubernetes.io/is-default-class=true` },
            ],
            investigation: [
              { step: "Read the Ingress class", command: `kubectl get ingress ${name} -n ${namespace} -o jsonpath='{.spec.ingressClassName}'`, result: "(empty)", outcome: "problem" },
              { ...listClasses, result: `${classList}; no default` },
            ],
            remediation: [
              {
                description: classes.length === 1 ? `Name the only IngressClass, ${classes[0]!.metadata.name}` : "Name the IngressClass of the controller that should serve this Ingress",
                command: patchCommand(ing, "add", "/spec/ingressClassName", classes.length === 1 ? classes[0]!.metadata.name : "<ingress-class>"),
                verify: `kubectl get ingress ${name} -n ${namespace}`,
                rollback: `kubectl patch ingress ${name} -n ${namespace} --type=json -p '[{"op":"remove","path":"/spec/ingressClassName"}]'`,
              },
            ],
          });
        }
      }

      // ---- backends, grouped per Service (and per port)
      if (checkServices) {
        const backends = index.backendsOfIngress(ing);
        const byService = new Map<string, IngressBackendRef[]>();
        for (const b of backends) byService.set(b.serviceName, [...(byService.get(b.serviceName) ?? []), b]);
        const serviceNames = index.inNamespace<Service>("Service", namespace).map((s) => s.metadata.name);
        for (const [serviceName, refs] of byService) {
          const svc = index.get<Service>("Service", namespace, serviceName);
          if (!svc) {
            const guess = closest(serviceName, serviceNames);
            const first = refs[0]!;
            say("serviceNotFound", {
              subject: ref,
              data: { ...base, service: serviceName, backends: refs.map(describeBackend).join(", ") },
              evidence: [
                ...refs.map((b) => ({ ref, path: `${b.path}.name`, value: serviceName, note: describeBackend(b) })),
                { ref: { kind: "Service", namespace, name: serviceName }, value: null, note: `not found; Services in ${namespace}: ${serviceNames.join(", ") || "none"}` },
              ],
              investigation: [
                { step: "List the Ingress backends", command: `kubectl describe ingress ${name} -n ${namespace}`, result: refs.map(describeBackend).join(", "), outcome: "ok" },
                { step: "Look up the backend Service", command: `kubectl get service ${serviceName} -n ${namespace}`, result: `Error from server (NotFound): services "${serviceName}" not found`, outcome: "problem" },
              ],
              remediation: [
                {
                  description: guess ? `Point the backend at Service ${guess} (closest existing name)` : `Point the backend at the intended Service, or create Service ${serviceName}`,
                  command: patchCommand(ing, "replace", pointer(`${first.path}.name`), guess ?? "<service>"),
                  verify: `kubectl describe ingress ${name} -n ${namespace}   # the backend lists endpoints instead of <error: endpoints "${serviceName}" not found>`,
                  rollback: patchCommand(ing, "replace", pointer(`${first.path}.name`), serviceName),
                },
              ],
            });
            continue;
          }
          if (svc.spec?.type === "ExternalName" && !(svc.spec.ports ?? []).length) continue; // any port goes to the external name
          const byPort = new Map<string, IngressBackendRef[]>();
          for (const b of refs) {
            if (!b.port || (b.port.number === undefined && b.port.name === undefined)) continue;
            if (findServicePort(svc, b.port)) continue;
            const key = b.port.number !== undefined ? String(b.port.number) : b.port.name!;
            byPort.set(key, [...(byPort.get(key) ?? []), b]);
          }
          const servicePorts = formatServicePorts(svc);
          for (const [port, portRefs] of byPort) {
            const first = portRefs[0]!;
            const byNumber = first.port!.number !== undefined;
            const portField = byNumber ? "port.number" : "port.name";
            const only = svc.spec?.ports?.length === 1 ? svc.spec.ports[0]! : undefined;
            // A number that is the Service's targetPort is the classic mix-up of container port and Service port.
            const viaTarget = byNumber ? svc.spec?.ports?.find((p) => p.targetPort === first.port!.number) : undefined;
            const suggestion = viaTarget ?? only;
            const suggested = suggestion ? (byNumber || !suggestion.name ? { number: suggestion.port } : { name: suggestion.name }) : undefined;
            say("servicePortNotFound", {
              subject: ref,
              data: { ...base, service: serviceName, port, servicePorts: servicePorts.join(", ") || "no ports", backends: portRefs.map(describeBackend).join(", ") },
              evidence: [
                ...portRefs.map((b) => ({ ref, path: `${b.path}.${portField}`, value: byNumber ? b.port!.number : b.port!.name, note: describeBackend(b) })),
                {
                  ref: refOf(svc),
                  path: "spec.ports",
                  value: servicePorts,
                  note: viaTarget ? `${port} is the targetPort of Service port ${viaTarget.port}, not a Service port` : `no port ${byNumber ? "numbered" : "named"} ${port}`,
                },
              ],
              affected: [refOf(svc)],
              investigation: [
                { step: "List the Ingress backends", command: `kubectl describe ingress ${name} -n ${namespace}`, result: portRefs.map(describeBackend).join(", "), outcome: "ok" },
                {
                  step: "Read the Service ports",
                  command: `kubectl get service ${serviceName} -n ${namespace} -o jsonpath='{.spec.ports}'`,
                  result: servicePorts.join(", ") || "no ports",
                  outcome: "problem",
                },
              ],
              remediation: [
                {
                  description: suggested
                    ? `Point the backend at Service port ${suggested.number ?? suggested.name}`
                    : `Point the backend at one of the Service's ports (${servicePorts.join(", ")})`,
                  command: patchCommand(ing, "replace", pointer(`${first.path}.port`), suggested ?? { number: "<service-port>" }),
                  verify: `kubectl describe ingress ${name} -n ${namespace}   # the backend lists endpoints`,
                  rollback: patchCommand(ing, "replace", pointer(`${first.path}.port`), first.port),
                },
              ],
            });
          }
        }
      }

      // ---- TLS Secrets
      if (checkSecrets) {
        const issuer = CERT_MANAGER_ANNOTATIONS.find((a) => ing.metadata.annotations?.[a]);
        const created = parseTime(ing.metadata.creationTimestamp);
        const seen = new Set<string>();
        (ing.spec?.tls ?? []).forEach((tls, i) => {
          const secretName = tls.secretName;
          if (!secretName || seen.has(secretName)) return;
          seen.add(secretName);
          if (index.secret(namespace, secretName)) return;
          if (issuer && created !== undefined && now - created < CERTIFICATE_GRACE_MS) return; // cert-manager is still issuing
          const hosts = (tls.hosts ?? []).join(", ") || "all hosts";
          const certificateSteps = issuer
            ? [
                {
                  step: "Check the cert-manager Certificate that should write the Secret",
                  command: `kubectl describe certificate ${secretName} -n ${namespace}`,
                  result: `the Ingress is annotated ${issuer}=${ing.metadata.annotations![issuer]}; the Secret is still missing`,
                  outcome: "problem" as const,
                },
              ]
            : [];
          say("tlsSecretNotFound", {
            subject: ref,
            data: { ...base, secret: secretName, hosts },
            evidence: [
              { ref, path: `spec.tls[${i}].secretName`, value: secretName, note: `TLS for ${hosts}` },
              { ref: { kind: "Secret", namespace, name: secretName }, value: null, note: "not found" },
              ...(issuer ? [{ ref, path: `metadata.annotations["${issuer}"]`, value: ing.metadata.annotations![issuer], note: "cert-manager should create the Secret" }] : []),
            ],
            investigation: [
              { step: "Look up the TLS Secret", command: `kubectl get secret ${secretName} -n ${namespace}`, result: `Error from server (NotFound): secrets "${secretName}" not found`, outcome: "problem" },
              ...certificateSteps,
            ],
            remediation: [
              issuer
                ? {
                    description: "Find out why cert-manager has not issued the certificate (challenge, issuer, rate limit)",
                    command: `kubectl describe certificate ${secretName} -n ${namespace} && kubectl get certificaterequests,orders,challenges -n ${namespace}`,
                    verify: `kubectl get secret ${secretName} -n ${namespace}`,
                  }
                : {
                    description: `Create the TLS Secret ${secretName} from the certificate and key for ${hosts}`,
                    command: `kubectl create secret tls ${secretName} -n ${namespace} --cert=tls.crt --key=tls.key`,
                    verify: `kubectl get secret ${secretName} -n ${namespace} && curl -vI https://${tls.hosts?.[0] ?? "<host>"}/ 2>&1 | grep -i 'subject:'`,
                    rollback: `kubectl delete secret ${secretName} -n ${namespace}`,
                  },
            ],
          });
        });
      }
    }
  },
});
