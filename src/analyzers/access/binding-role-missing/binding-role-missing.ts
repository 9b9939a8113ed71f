// Decides which RoleBindings and ClusterRoleBindings name a Role or ClusterRole that does not exist, so that they grant nothing.
import { defineAnalyzer } from "../../define.js";
import { resolveRoleRef, type RoleBindingObject } from "../../../engines/rbac/index.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import { refOf, type ObjectRef } from "../../../model/ref.js";
import { bindingRef, loadedCompletely, rbacIndexOf, similarNames, subjectFlags, subjectNamespace } from "../access-rbac.js";

function describeRules(rules: readonly { verbs?: readonly string[] | null; resources?: readonly string[] | null; nonResourceURLs?: readonly string[] | null }[]): string {
  const parts = rules.slice(0, 4).map((r) => `${(r.verbs ?? []).join(",")} ${[...(r.resources ?? []), ...(r.nonResourceURLs ?? [])].join(",")}`);
  return parts.join("; ") + (rules.length > 4 ? `; ... (${rules.length} rules)` : "");
}

export const bindingRoleMissing = defineAnalyzer({
  id: "binding-role-missing",
  title: "Bindings refer to a Role or ClusterRole that does not exist",
  area: "access",
  severity: "error",
  needs: ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ServiceAccount", "Pod"],
  messages: {
    roleMissing: {
      summary: "{{binding}} refers to {{roleKind}} {{role}}, which does not exist: it grants nothing to {{subjects}}",
      rootCause:
        "roleRef of {{binding}} names {{roleKind}} {{role}}{{scope}}, and there is no such {{roleKind}}. The RBAC authorizer resolves the reference on every request, fails (\"{{error}}\") and grants nothing through this binding, so whatever it was meant to allow {{subjects}} is denied (403 Forbidden).{{similar}}",
      remediation:
        "Create the missing role, or recreate the binding with the right role name (roleRef cannot be changed in place: delete and create the binding).",
    },
  },
  run({ index, snapshot, report }) {
    if (!loadedCompletely(snapshot, index, "Role") || !loadedCompletely(snapshot, index, "ClusterRole")) return;
    const rbac = rbacIndexOf(index);
    const check = (binding: RoleBindingObject, bindingNamespace: string) => {
      const resolved = resolveRoleRef(rbac, binding.roleRef, bindingNamespace);
      if (!("error" in resolved) || !resolved.role) return; // unsupported roleRef kinds are rejected by API validation
      const roleKind = binding.roleRef.kind;
      const roleName = binding.roleRef.name;
      const subject = bindingRef(binding, bindingNamespace);
      const kind = subject.kind;
      const bindingName = bindingNamespace ? `${kind} ${bindingNamespace}/${binding.metadata.name}` : `${kind} ${binding.metadata.name}`;
      // ClusterRoleBindings can only name ClusterRoles; a RoleBinding's Role lives in its own namespace.
      const candidates =
        roleKind === "Role"
          ? [...rbac.roles.values()].filter((r) => (r.metadata.namespace ?? "") === bindingNamespace).map((r) => r.metadata.name)
          : [...rbac.clusterRoles.keys()];
      const similar = similarNames(roleName, candidates);
      const subjects = binding.subjects ?? [];
      const subjectText = subjects.length ? subjects.map((s) => `${s.kind} ${s.kind === "ServiceAccount" ? `${subjectNamespace(s, bindingNamespace)}/` : ""}${s.name}`).join(", ") : "no subject";

      const evidence: Evidence[] = [
        { ref: subject, path: "roleRef", value: { kind: roleKind, name: roleName }, note: resolved.error },
        {
          ref: resolved.role,
          path: "metadata.name",
          value: roleName,
          note: `not in the snapshot (${roleKind === "Role" ? `${candidates.length} Roles in namespace ${bindingNamespace}` : `${candidates.length} ClusterRoles`})`,
        },
      ];
      for (const name of similar) {
        const rules = roleKind === "Role" ? (rbac.roles.get(`${bindingNamespace}/${name}`)?.rules ?? []) : (rbac.clusterRoleRules.get(name) ?? []);
        evidence.push({
          ref: roleKind === "Role" ? { kind: "Role", namespace: bindingNamespace, name } : { kind: "ClusterRole", name },
          path: "metadata.name",
          value: name,
          note: `exists, similar name; grants ${describeRules(rules) || "nothing"}`,
        });
      }
      subjects.forEach((s, i) => evidence.push({ ref: subject, path: `subjects[${i}]`, value: { ...s } }));

      // Pods running as a ServiceAccount subject lose what the binding was meant to grant them.
      const affected: ObjectRef[] = [];
      for (const s of subjects) {
        if (s.kind !== "ServiceAccount") continue;
        for (const pod of index.podsReferencing("ServiceAccount", subjectNamespace(s, bindingNamespace), s.name)) affected.push(refOf(pod));
      }

      const nsFlag = bindingNamespace ? ` -n ${bindingNamespace}` : "";
      const lowerKind = kind.toLowerCase();
      const investigation: InvestigationStep[] = [
        { step: `Read the role ${bindingName} refers to`, command: `kubectl get ${lowerKind} ${binding.metadata.name}${nsFlag} -o yaml`, result: `roleRef: ${roleKind} ${roleName}`, outcome: "problem" },
        {
          step: `Look for ${roleKind} ${roleName}`,
          command: `kubectl get ${roleKind.toLowerCase()} ${roleName}${roleKind === "Role" ? nsFlag : ""}`,
          result: `Error from server (NotFound): ${roleKind === "Role" ? "roles" : "clusterroles"}.rbac.authorization.k8s.io "${roleName}" not found${similar.length ? `; similar: ${similar.join(", ")}` : ""}`,
          outcome: "problem",
        },
      ];
      const firstSa = subjects.find((s) => s.kind === "ServiceAccount");
      const asFlag = firstSa ? ` --as=system:serviceaccount:${subjectNamespace(firstSa, bindingNamespace)}:${firstSa.name}` : "";
      if (firstSa) {
        investigation.push({
          step: "List what the subject may do now",
          command: `kubectl auth can-i --list${nsFlag}${asFlag}`,
          result: `nothing through ${bindingName}: ${resolved.error}`,
          outcome: "problem",
        });
      }

      const remediation: Remediation[] = [];
      const verify = firstSa ? `kubectl auth can-i --list${nsFlag}${asFlag}` : `kubectl get ${lowerKind} ${binding.metadata.name}${nsFlag} -o wide`;
      const flags = subjectFlags(subjects, bindingNamespace);
      for (const name of similar.slice(0, 1)) {
        const roleFlag = roleKind === "Role" ? `--role=${name}` : `--clusterrole=${name}`;
        remediation.push({
          description: `The binding probably means ${roleKind} ${name}: recreate it with that name (roleRef is immutable)`,
          command: `kubectl delete ${lowerKind} ${binding.metadata.name}${nsFlag} && kubectl create ${lowerKind} ${binding.metadata.name}${nsFlag} ${roleFlag} ${flags}`.trim(),
          verify,
          rollback: `kubectl delete ${lowerKind} ${binding.metadata.name}${nsFlag} && kubectl create ${lowerKind} ${binding.metadata.name}${nsFlag} ${roleKind === "Role" ? `--role=${roleName}` : `--clusterrole=${roleName}`} ${flags}`.trim(),
        });
      }
      remediation.push({
        description: `Or create ${roleKind} ${roleName} with the rules the subjects need`,
        command: `kubectl create ${roleKind.toLowerCase()} ${roleName}${roleKind === "Role" ? nsFlag : ""} --verb=<verbs> --resource=<resources>`,
        verify,
        rollback: `kubectl delete ${roleKind.toLowerCase()} ${roleName}${roleKind === "Role" ? nsFlag : ""}`,
      });

      report("roleMissing", {
        subject,
        data: {
          binding: bindingName,
          roleKind,
          role: roleName,
          scope: roleKind === "Role" ? ` in namespace ${bindingNamespace}` : "",
          error: resolved.error,
          subjects: subjectText,
          similar: similar.length ? ` Existing ${roleKind}s with a similar name: ${similar.join(", ")}.` : "",
        },
        evidence,
        investigation,
        remediation,
        affected,
      });
    };
    for (const binding of rbac.clusterRoleBindings) check(binding, "");
    for (const [ns, bindings] of rbac.roleBindingsByNamespace) for (const binding of bindings) check(binding, ns);
  },
});
