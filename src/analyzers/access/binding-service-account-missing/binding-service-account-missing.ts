// Decides which RoleBindings and ClusterRoleBindings grant to a ServiceAccount that does not exist.
import { defineAnalyzer } from "../../define.js";
import type { RoleBindingObject } from "../../../engines/rbac/index.js";
import type { ServiceAccount } from "../../../model/kube.js";
import { bindingRef, coverageNote, isSystemObject, loadedCompletely, rbacIndexOf, similarNames, subjectNamespace } from "../access-rbac.js";

export const bindingServiceAccountMissing = defineAnalyzer({
  id: "binding-service-account-missing",
  title: "Bindings grant to a ServiceAccount that does not exist",
  area: "access",
  severity: "warning",
  needs: ["RoleBinding", "ClusterRoleBinding", "ServiceAccount", "Namespace"],
  messages: {
    serviceAccountMissing: {
      summary: "{{binding}} grants {{role}} to ServiceAccount {{namespace}}/{{name}}, which does not exist",
      rootCause:
        "Subject {{index}} of {{binding}} is ServiceAccount {{name}} in namespace {{namespace}}, and there is no such ServiceAccount ({{loaded}}). The grant reaches nobody: the workload it was meant for runs as another identity and is denied, and whoever later creates a ServiceAccount of that name receives {{role}}.{{similar}}",
      remediation: "Fix the subject's name or namespace (recreate the binding, or edit its subjects), or remove the stale binding.",
    },
    cannotDetermine: {
      summary: "Cannot determine whether the ServiceAccounts named by {{count}} binding subjects exist: ServiceAccounts are not (completely) in the snapshot",
      rootCause: "{{coverage}}. Bindings to ServiceAccounts that do not exist cannot be told from ServiceAccounts that were not loaded.",
      remediation: "Collect ServiceAccounts too (a snapshot with serviceaccounts, or a live scan by an identity that may list them).",
      severity: "info",
    },
  },
  run({ index, snapshot, report }) {
    const rbac = rbacIndexOf(index);
    const candidates: { binding: RoleBindingObject; bindingNamespace: string; i: number; namespace: string; name: string }[] = [];
    const collect = (binding: RoleBindingObject, bindingNamespace: string) => {
      // The control plane's bindings name controller ServiceAccounts that the controller manager creates on demand.
      if (isSystemObject(binding)) return;
      (binding.subjects ?? []).forEach((s, i) => {
        if (s.kind !== "ServiceAccount") return;
        const namespace = subjectNamespace(s, bindingNamespace);
        if (namespace) candidates.push({ binding, bindingNamespace, i, namespace, name: s.name });
      });
    };
    for (const binding of rbac.clusterRoleBindings) collect(binding, "");
    for (const [ns, bindings] of rbac.roleBindingsByNamespace) for (const binding of bindings) collect(binding, ns);
    if (candidates.length === 0) return;

    if (!loadedCompletely(snapshot, index, "ServiceAccount")) {
      const first = candidates[0]!;
      report("cannotDetermine", {
        subject: bindingRef(first.binding, first.bindingNamespace),
        data: { count: candidates.length, coverage: coverageNote(snapshot, "ServiceAccount") },
        evidence: [{ path: "coverage.ServiceAccount", value: snapshot.coverage["ServiceAccount"]?.status ?? "not collected", note: coverageNote(snapshot, "ServiceAccount") }],
        investigation: [{ step: "List the ServiceAccounts", command: "kubectl get serviceaccounts -A", result: "not in the snapshot; run the command", outcome: "unknown" }],
      });
      return;
    }
    const namespacesLoaded = loadedCompletely(snapshot, index, "Namespace");
    for (const c of candidates) {
      if (index.serviceAccount(c.namespace, c.name)) continue;
      const inNamespace = index.inNamespace<ServiceAccount>("ServiceAccount", c.namespace);
      const namespaceExists = index.get("Namespace", undefined, c.namespace) !== undefined;
      // Every namespace holds ServiceAccount "default": none at all means the namespace is gone or was not collected.
      if (inNamespace.length === 0 && !(namespacesLoaded && !namespaceExists)) continue;
      const ref = bindingRef(c.binding, c.bindingNamespace);
      const bindingName = ref.namespace ? `RoleBinding ${ref.namespace}/${ref.name}` : `ClusterRoleBinding ${ref.name}`;
      const role = `${c.binding.roleRef.kind} ${c.binding.roleRef.name}`;
      const similar = similarNames(c.name, inNamespace.map((s) => s.metadata.name));
      // The same name in other namespaces (a binding made in, or pointing at, the wrong namespace).
      const elsewhere = index
        .all<ServiceAccount>("ServiceAccount")
        .filter((s) => s.metadata.name === c.name && s.metadata.namespace !== c.namespace)
        .map((s) => `${s.metadata.namespace}/${s.metadata.name}`)
        .slice(0, 3);
      const hints = [...similar.map((n) => `${c.namespace}/${n}`), ...elsewhere];
      const loaded = namespacesLoaded && !namespaceExists ? `namespace ${c.namespace} does not exist` : `${inNamespace.length} ServiceAccounts loaded in ${c.namespace}`;
      const nsFlag = ref.namespace ? ` -n ${ref.namespace}` : "";
      report("serviceAccountMissing", {
        subject: ref,
        data: {
          binding: bindingName,
          role,
          namespace: c.namespace,
          name: c.name,
          index: c.i,
          loaded,
          similar: hints.length ? ` Existing ServiceAccounts with a similar name: ${hints.join(", ")}.` : "",
        },
        evidence: [
          { ref, path: `subjects[${c.i}]`, value: { ...c.binding.subjects![c.i]! } },
          { ref: { kind: "ServiceAccount", namespace: c.namespace, name: c.name }, path: "metadata.name", value: c.name, note: `not in the snapshot (${loaded})` },
          ...hints.map((h) => ({ ref: { kind: "ServiceAccount", namespace: h.split("/")[0]!, name: h.split("/")[1]! }, path: "metadata.name", value: h, note: "exists, similar" })),
        ],
        investigation: [
          { step: `Look for ServiceAccount ${c.namespace}/${c.name}`, command: `kubectl get serviceaccount ${c.name} -n ${c.namespace}`, result: `Error from server (NotFound): serviceaccounts "${c.name}" not found`, outcome: "problem" },
          { step: "Find which ServiceAccount the workload runs as", command: `kubectl get pods -n ${c.namespace} -o custom-columns=NAME:.metadata.name,SA:.spec.serviceAccountName`, result: hints.length ? `similar: ${hints.join(", ")}` : "run the command", outcome: "unknown" },
        ],
        remediation: [
          {
            description: `Point subject ${c.i} of ${bindingName} at the ServiceAccount the workload runs as${hints[0] ? ` (probably ${hints[0]})` : ""}`,
            command: `kubectl edit ${ref.kind.toLowerCase()} ${ref.name}${nsFlag}`,
            verify: hints[0] ? `kubectl auth can-i --list${c.bindingNamespace ? ` -n ${c.bindingNamespace}` : ""} --as=system:serviceaccount:${hints[0].replace("/", ":")}` : `kubectl get ${ref.kind.toLowerCase()} ${ref.name}${nsFlag} -o wide`,
          },
          { description: "Or, if the binding is left over from a removed workload, delete it", command: `kubectl delete ${ref.kind.toLowerCase()} ${ref.name}${nsFlag}` },
        ],
      });
    }
  },
});
