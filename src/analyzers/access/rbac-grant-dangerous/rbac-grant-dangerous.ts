// Decides which bindings give non-system subjects powers that amount to (or lead to) cluster admin: full wildcards,
// wildcard verbs or resources, reading every Secret, escalate/bind/impersonate, pods/exec and nodes/proxy.
import { defineAnalyzer } from "../../define.js";
import { resolveRoleRef, rulesAllow, type PolicyRule, type RequestAttributes, type RoleBindingObject, type Subject } from "../../../engines/rbac/index.js";
import type { Evidence } from "../../../model/finding.js";
import { bindingRef, isSystemObject, loadedCompletely, rbacIndexOf, subjectNamespace } from "../access-rbac.js";

/** Groups every user of a kind belongs to (k8s.io/apiserver/pkg/authentication/user). */
const BROAD_GROUPS = new Set(["system:authenticated", "system:unauthenticated", "system:serviceaccounts"]);

/** The broad groups, and system:serviceaccounts:<ns> (every service account of a namespace). */
function isBroadGroup(name: string): boolean {
  return BROAD_GROUPS.has(name) || name.startsWith("system:serviceaccounts:");
}

type Danger = "clusterAdmin" | "wildcard" | "secretsClusterWide" | "escalation" | "podExec" | "nodeProxy";

/**
 * Whether a subject is someone the control plane does not own: any ServiceAccount outside kube-system,
 * any User or Group not named system:*, and the broad groups that hold every (service account) user.
 */
function isNonSystemSubject(subject: Subject, bindingNamespace: string): boolean {
  // In one namespace, admin/edit for people (Users, Groups) is what those roles are for; only
  // workload identities and groups of every workload are flagged there.
  if (bindingNamespace && subject.kind !== "ServiceAccount" && !(subject.kind === "Group" && isBroadGroup(subject.name))) return false;
  switch (subject.kind) {
    case "ServiceAccount":
      return subjectNamespace(subject, bindingNamespace) !== "kube-system";
    case "Group":
      return isBroadGroup(subject.name) || !subject.name.startsWith("system:");
    case "User":
      return !subject.name.startsWith("system:");
    default:
      return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  return s.kind === "ServiceAccount" ? `ServiceAccount ${subjectNamespace(s, bindingNamespace)}/${s.name}` : `${s.kind} ${s.name}`;
}

/** The requests each danger stands for; the binding's role grants the danger when it allows any of them. */
function probes(namespace: string): Record<Exclude<Danger, "wildcard">, { label: string; requests: Omit<RequestAttributes, "user">[] }> {
  const r = (verb: string, apiGroup: string, resource: string, subresource = "") => ({ verb, apiGroup, resource, subresource, namespace });
  return {
    // A literal "*" verb, group and resource is matched only by rules with "*" in all three.
    clusterAdmin: { label: "every verb on every resource (*/*/*)", requests: [r("*", "*", "*")] },
    secretsClusterWide: { label: "get/list/watch secrets in every namespace", requests: namespace ? [] : ["get", "list", "watch"].map((v) => r(v, "", "secrets")) },
    escalation: {
      label: "escalate/bind roles or impersonate users, groups or service accounts",
      requests: [
        ...["escalate", "bind"].flatMap((v) => [r(v, "rbac.authorization.k8s.io", "roles"), r(v, "rbac.authorization.k8s.io", "clusterroles")]),
        r("impersonate", "", "users"),
        r("impersonate", "", "groups"),
        r("impersonate", "", "serviceaccounts"),
      ],
    },
    // kubectl exec POSTs pods/exec (SPDY, verb create); the WebSocket transport sends GET, which older API servers authorize as get.
    podExec: { label: "exec into pods (pods/exec)", requests: [r("create", "", "pods", "exec"), r("get", "", "pods", "exec")] },
    nodeProxy: { label: "the kubelet API through nodes/proxy", requests: namespace ? [] : ["get", "create", "update", "patch", "delete"].map((v) => r(v, "", "nodes", "proxy")) },
  };
}

/** Rules with "*" in verbs or resources (a wildcard grows with every new resource and verb). */
function wildcardRules(rules: readonly PolicyRule[]): number[] {
  return rules.flatMap((rule, i) => ((rule.verbs ?? []).includes("*") || (rule.resources ?? []).includes("*") ? [i] : []));
}

export const rbacGrantDangerous = defineAnalyzer({
  id: "rbac-grant-dangerous",
  title: "Bindings give non-system subjects admin-equivalent permissions",
  area: "access",
  severity: "warning",
  needs: ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
  messages: {
    clusterAdmin: {
      summary: "{{binding}} gives {{subjects}} every permission{{scope}} ({{role}})",
      rootCause: "{{role}} allows every verb on every resource (a rule with \"*\" verbs, API groups and resources){{scope}}, and {{binding}} binds it to {{subjects}}. {{who}}",
      remediation: "Bind a role with only the verbs and resources the subject needs; keep cluster-admin for people, through a group, not for service accounts or everyone.",
    },
    wildcard: {
      summary: "{{binding}} gives {{subjects}} wildcard permissions{{scope}} ({{role}})",
      rootCause: "{{role}} has rules with \"*\" verbs or resources ({{rules}}){{scope}}, bound to {{subjects}} by {{binding}}. A wildcard grants every verb or resource, including ones added later (CRDs, subresources). {{who}}",
      remediation: "List the verbs and resources explicitly.",
    },
    secretsClusterWide: {
      summary: "{{binding}} lets {{subjects}} read every Secret in the cluster ({{role}})",
      rootCause: "{{role}} allows {{what}} and {{binding}} grants it cluster-wide to {{subjects}}: every service account token, TLS key and password of every namespace. {{who}}",
      remediation: "Grant Secrets in the namespaces needed only (RoleBindings), with resourceNames where possible.",
    },
    escalation: {
      summary: "{{binding}} lets {{subjects}} escalate privileges{{scope}} ({{role}})",
      rootCause: "{{role}} allows {{what}}{{scope}}, bound to {{subjects}} by {{binding}}. escalate and bind let a subject grant permissions it does not hold, impersonate lets it act as anyone: each leads to cluster admin. {{who}}",
      remediation: "Remove escalate, bind and impersonate from the role, or restrict them with resourceNames.",
    },
    podExec: {
      summary: "{{binding}} lets {{subjects}} exec into pods{{scope}} ({{role}})",
      rootCause: "{{role}} allows {{what}}{{scope}}, bound to {{subjects}} by {{binding}}: a shell in any of those pods, with its service account token and mounted Secrets. {{who}}",
      remediation: "Grant pods/exec to people (through a group) in the namespaces they operate only.",
    },
    nodeProxy: {
      summary: "{{binding}} gives {{subjects}} the kubelet API of every node ({{role}})",
      rootCause: "{{role}} allows {{what}}, bound to {{subjects}} by {{binding}}: the kubelet API runs commands in any pod on the node and is not audited by the API server. {{who}}",
      remediation: "Use nodes/metrics or nodes/stats for monitoring instead of nodes/proxy.",
    },
  },
  run({ index, snapshot, report }) {
    if (!loadedCompletely(snapshot, index, "ClusterRole")) return;
    const rbac = rbacIndexOf(index);
    const check = (binding: RoleBindingObject, bindingNamespace: string) => {
      if (isSystemObject(binding)) return;
      const subjects = (binding.subjects ?? []).map((s, i) => ({ s, i })).filter(({ s }) => isNonSystemSubject(s, bindingNamespace));
      if (subjects.length === 0) return;
      const resolved = resolveRoleRef(rbac, binding.roleRef, bindingNamespace);
      if ("error" in resolved) return; // binding-role-missing reports it; it grants nothing
      const ref = bindingRef(binding, bindingNamespace);
      const bindingName = ref.namespace ? `RoleBinding ${ref.namespace}/${ref.name}` : `ClusterRoleBinding ${ref.name}`;
      const roleName = `${resolved.role.kind} ${resolved.role.name}`;
      const subjectText = subjects.map(({ s }) => describeSubject(s, bindingNamespace)).join(", ");
      const broad = subjects.filter(({ s }) => s.kind === "Group" && BROAD_GROUPS.has(s.name)).map(({ s }) => s.name);
      const who = broad.length
        ? `Group ${broad.join(", ")} holds every ${broad.includes("system:unauthenticated") ? "anonymous request" : broad.includes("system:authenticated") ? "authenticated user" : "service account"}, so anyone with such a credential has it.`
        : subjects.some(({ s }) => s.kind === "ServiceAccount")
          ? "A ServiceAccount's token is mounted into every pod that runs as it: whoever controls such a pod has it."
          : "Check that the subject needs it.";
      const scope = bindingNamespace ? ` in namespace ${bindingNamespace}` : " in every namespace";
      const base: Evidence[] = [
        { ref, path: "roleRef", value: { kind: binding.roleRef.kind, name: binding.roleRef.name } },
        ...subjects.map(({ s, i }) => ({ ref, path: `subjects[${i}]`, value: { ...s } })),
      ];
      const aggregated = rbac.aggregationSources.get(resolved.role.name);
      const emit = (danger: Danger, data: Record<string, string>, evidence: Evidence[]) => {
        report(danger, {
          subject: ref,
          data: { binding: bindingName, role: roleName, subjects: subjectText, who, scope: danger === "clusterAdmin" || danger === "wildcard" || danger === "escalation" || danger === "podExec" ? scope : "", ...data },
          evidence: [...base, ...evidence],
          investigation: [
            { step: `Read ${roleName}`, command: `kubectl get ${resolved.role.kind.toLowerCase()} ${resolved.role.name}${resolved.role.namespace ? ` -n ${resolved.role.namespace}` : ""} -o yaml`, result: data.what ?? data.rules ?? "rules: \"*\" on \"*\"", outcome: "problem" },
            ...(subjects[0]
              ? [{ step: "List what the subject may do", command: `kubectl auth can-i --list${bindingNamespace ? ` -n ${bindingNamespace}` : ""} ${asFlags(subjects[0].s, bindingNamespace)}`.trimEnd(), result: data.what ?? "everything", outcome: "problem" as const }]
              : []),
          ],
          remediation: [
            {
              description: `Replace ${bindingName} by a binding to a role with only what ${subjectText} needs`,
              command: `kubectl get ${ref.kind.toLowerCase()} ${ref.name}${ref.namespace ? ` -n ${ref.namespace}` : ""} -o yaml > ${ref.name}.binding.yaml && kubectl delete ${ref.kind.toLowerCase()} ${ref.name}${ref.namespace ? ` -n ${ref.namespace}` : ""}`,
              verify: `kubectl auth can-i --list${bindingNamespace ? ` -n ${bindingNamespace}` : ""} ${subjects[0] ? asFlags(subjects[0].s, bindingNamespace) : ""}`.trimEnd(),
              rollback: `kubectl apply -f ${ref.name}.binding.yaml`,
            },
          ],
        });
      };

      const checks = probes(bindingNamespace);
      // Evaluated with the engine over the role's effective rules (aggregation included), in the binding's scope.
      const grants = (requests: Omit<RequestAttributes, "user">[]) => requests.filter((q) => rulesAllow(q, resolved.rules));
      const engineEvidence = (requests: Omit<RequestAttributes, "user">[]): Evidence[] =>
        requests.slice(0, 3).map((q) => ({
          ref: resolved.role,
          path: "rules",
          value: `${q.verb} ${q.apiGroup ? `${q.apiGroup}/` : ""}${q.resource}${q.subresource ? `/${q.subresource}` : ""}`,
          note: `allowed by the RBAC engine${aggregated ? ` (aggregated from ${aggregated.join(", ")})` : ""}`,
        }));
      if (grants(checks.clusterAdmin.requests).length) {
        emit("clusterAdmin", { what: checks.clusterAdmin.label }, engineEvidence(checks.clusterAdmin.requests));
        return; // everything else follows from it
      }
      const wildcards = wildcardRules(resolved.rules);
      if (wildcards.length) {
        const rules = wildcards
          .slice(0, 3)
          .map((i) => `rule ${i}: verbs ${JSON.stringify(resolved.rules[i]!.verbs ?? [])} resources ${JSON.stringify(resolved.rules[i]!.resources ?? [])}`)
          .join("; ");
        emit("wildcard", { rules }, wildcards.slice(0, 3).map((i) => ({ ref: resolved.role, path: `rules[${i}]`, value: { ...resolved.rules[i]! } })));
      }
      for (const danger of ["secretsClusterWide", "escalation", "podExec", "nodeProxy"] as const) {
        const allowed = grants(checks[danger].requests);
        if (allowed.length === 0) continue;
        const what = allowed.map((q) => `${q.verb} ${q.resource}${q.subresource ? `/${q.subresource}` : ""}`).join(", ");
        emit(danger, { what }, engineEvidence(allowed));
      }
    };
    for (const binding of rbac.clusterRoleBindings) check(binding, "");
    for (const [ns, bindings] of rbac.roleBindingsByNamespace) for (const binding of bindings) check(binding, ns);
  },
});

/** kubectl's impersonation flags for a subject. */
function asFlags(s: Subject, bindingNamespace: string): string {
  switch (s.kind) {
    case "ServiceAccount":
      return `--as=system:serviceaccount:${subjectNamespace(s, bindingNamespace)}:${s.name}`;
    case "Group":
      return `--as=probe --as-group=${s.name}`;
    default:
      return `--as=${s.name}`;
  }
}
