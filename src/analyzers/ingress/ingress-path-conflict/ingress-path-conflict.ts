// Decides which Ingresses of one class claim the same host and path (same pathType, equivalent path)
// for different backends: only one of them can be served for that path.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Ingress, IngressBackend } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { classOfIngress, requestedClassName } from "../ingress-class-of.js";

interface Claim {
  ingress: Ingress;
  path: string;
  /** Field path of the rule's path, for evidence. */
  field: string;
  backend: string;
}

/**
 * The key two paths of one pathType are equivalent under (Ingress API, "Path types" and "Examples"):
 * Exact matches the path string exactly, case-sensitively; Prefix matches element by element split on
 * "/", so a trailing slash does not matter (`/foo` and `/foo/` are the same prefix) and `/foo` matches
 * `/foo/bar` but not `/foobar`. ImplementationSpecific is up to the controller: undefined.
 */
export function pathKey(pathType: string | undefined, path: string | undefined): string | undefined {
  const p = path ?? "/";
  if (pathType === "Exact") return `Exact ${p}`;
  if (pathType === "Prefix") return `Prefix /${p.split("/").filter((e) => e !== "").join("/")}`;
  return undefined;
}

function describeBackend(backend: IngressBackend | undefined): string {
  if (backend?.service) return `service ${backend.service.name}:${backend.service.port?.number ?? backend.service.port?.name ?? "?"}`;
  if (backend?.resource) return `resource ${backend.resource.kind}/${backend.resource.name}`;
  return "no backend";
}

export const ingressPathConflict = defineAnalyzer({
  id: "ingress-path-conflict",
  title: "Ingresses of one class claim the same host and path for different backends",
  area: "ingress",
  severity: "warning",
  needs: ["Ingress", "IngressClass"],
  messages: {
    samePathDifferentBackends: {
      summary: "{{count}} Ingresses of class {{ingressClass}} route {{host}}{{path}} ({{pathType}}) to different backends: {{claims}}",
      rootCause:
        "The Ingress API merges the rules of all Ingresses of a class; for one host, the same {{pathType}} path {{path}} can lead to only one backend. {{claims}} all claim it, so requests for it reach one of them and the others are silently unused (ingress-nginx keeps the rule of the oldest Ingress, {{oldest}}).",
      remediation: "Keep the path in one Ingress only, or give each its own host or a more specific path.",
    },
  },
  run({ index, report }) {
    const claims = new Map<string, Claim[]>();
    for (const ingress of index.all<Ingress>("Ingress")) {
      const cls = classOfIngress(index, ingress)?.metadata.name ?? requestedClassName(ingress);
      if (!cls) continue;
      (ingress.spec?.rules ?? []).forEach((rule, r) => {
        (rule.http?.paths ?? []).forEach((p, i) => {
          const key = pathKey(p.pathType, p.path);
          if (!key) return;
          const k = `${cls}\u0000${(rule.host ?? "").toLowerCase()}\u0000${key}`;
          const list = claims.get(k) ?? [];
          list.push({ ingress, path: p.path ?? "/", field: `spec.rules[${r}].http.paths[${i}].path`, backend: describeBackend(p.backend) });
          claims.set(k, list);
        });
      });
    }
    for (const [k, list] of [...claims.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      const ingresses = new Set(list.map((c) => `${c.ingress.metadata.namespace}/${c.ingress.metadata.name}`));
      const backends = new Set(list.map((c) => `${c.ingress.metadata.namespace}/${c.backend}`));
      if (ingresses.size < 2 || backends.size < 2) continue;
      const [cls, host, key] = k.split("\u0000") as [string, string, string];
      const [pathType, path] = key.split(" ") as [string, string];
      const sorted = [...list].sort(
        (a, b) =>
          (a.ingress.metadata.creationTimestamp ?? "").localeCompare(b.ingress.metadata.creationTimestamp ?? "") ||
          `${a.ingress.metadata.namespace}/${a.ingress.metadata.name}`.localeCompare(`${b.ingress.metadata.namespace}/${b.ingress.metadata.name}`),
      );
      const first = sorted[0]!;
      const claimsText = sorted.map((c) => `${c.ingress.metadata.namespace}/${c.ingress.metadata.name} -> ${c.backend}`).join("; ");
      const evidence: Evidence[] = sorted.map((c) => ({ ref: refOf(c.ingress), path: c.field, value: c.path, note: `${pathType} -> ${c.backend}; created ${c.ingress.metadata.creationTimestamp ?? "?"}` }));
      report("samePathDifferentBackends", {
        subject: refOf(first.ingress),
        data: {
          count: ingresses.size,
          ingressClass: cls,
          host: host || "(any host)",
          path,
          pathType,
          claims: claimsText,
          oldest: `${first.ingress.metadata.namespace}/${first.ingress.metadata.name}`,
        },
        evidence,
        affected: sorted.slice(1).map((c) => refOf(c.ingress)),
        investigation: [
          {
            step: "List the Ingresses of the class with their hosts and paths",
            command: `kubectl get ingress -A -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,CLASS:.spec.ingressClassName,HOSTS:.spec.rules[*].host,PATHS:.spec.rules[*].http.paths[*].path`,
            result: claimsText,
            outcome: "problem",
          },
        ],
        remediation: [
          {
            description: `Remove ${path} for ${host || "(any host)"} from all but one of: ${[...ingresses].join(", ")}`,
            command: `kubectl edit ingress ${sorted[1]!.ingress.metadata.name} -n ${sorted[1]!.ingress.metadata.namespace}`,
            verify: `curl -sI https://${host || "<host>"}${path}  # answered by the intended backend`,
          },
        ],
      });
    }
  },
});
