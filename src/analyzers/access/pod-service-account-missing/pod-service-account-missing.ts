// Decides which workloads and pods run as a ServiceAccount that does not exist (their pods cannot be created).
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Event, KubeObject, Pod, PodSpec, ServiceAccount } from "../../../model/kube.js";
import { formatRef, refOf, type ObjectRef } from "../../../model/ref.js";
import { WORKLOAD_KINDS, isSettled, kubectlTarget, podCount, podNames } from "../../workload/workload-pods.js";
import { loadedCompletely, similarNames } from "../access-rbac.js";

/** The pod template of a workload and its field path, or undefined for kinds without one. */
function templateOf(object: KubeObject): { spec: PodSpec; path: string } | undefined {
  const o = object as { spec?: { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } };
  if (object.kind === "CronJob") {
    const spec = o.spec?.jobTemplate?.spec?.template?.spec;
    return spec ? { spec, path: "spec.jobTemplate.spec.template.spec" } : undefined;
  }
  const spec = o.spec?.template?.spec;
  return spec ? { spec, path: "spec.template.spec" } : undefined;
}

/** The ServiceAccount a pod spec runs as: serviceAccountName, the deprecated serviceAccount, else "default" (ServiceAccount admission). */
function serviceAccountOf(spec: PodSpec): { name: string; field: string } {
  if (spec.serviceAccountName) return { name: spec.serviceAccountName, field: "serviceAccountName" };
  if (spec.serviceAccount) return { name: spec.serviceAccount, field: "serviceAccount" };
  return { name: "default", field: "serviceAccountName" };
}

/** Whether the workload wants pods now (replicas > 0, an unfinished Job, an active CronJob, any DaemonSet). */
function wantsPods(object: KubeObject): boolean {
  const o = object as { spec?: { replicas?: number; suspend?: boolean }; status?: { conditions?: { type?: string; status?: string }[] } };
  switch (object.kind) {
    case "DaemonSet":
      return true;
    case "CronJob":
      return o.spec?.suspend !== true;
    case "Job":
      return !(o.status?.conditions ?? []).some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    default:
      return (o.spec?.replicas ?? 1) > 0;
  }
}

/** The ServiceAccount admission plugin's refusal, as the controllers' FailedCreate events carry it. */
function refusesServiceAccount(event: Event, name: string): boolean {
  return event.reason === "FailedCreate" && (event.message ?? "").includes(`serviceaccount "${name}" not found`);
}

export const podServiceAccountMissing = defineAnalyzer({
  id: "pod-service-account-missing",
  title: "Workloads run as a ServiceAccount that does not exist",
  area: "access",
  severity: "error",
  needs: ["Pod", "ServiceAccount", "Event", ...WORKLOAD_KINDS],
  messages: {
    workloadServiceAccountMissing: {
      summary: "{{workload}} runs as ServiceAccount {{namespace}}/{{name}}, which does not exist: its pods cannot be created",
      rootCause:
        "{{field}} of {{workload}} names ServiceAccount {{name}}, and namespace {{namespace}} has no ServiceAccount of that name ({{loaded}}). The ServiceAccount admission plugin refuses every pod that names a missing ServiceAccount, so the controller cannot create pods (FailedCreate: serviceaccount \"{{name}}\" not found).{{events}}{{similar}}",
      remediation: "Create the ServiceAccount (and the bindings it needs), or fix serviceAccountName in the pod template.",
    },
    podServiceAccountMissing: {
      summary: "Pod {{namespace}}/{{pod}} runs as ServiceAccount {{name}}, which no longer exists",
      rootCause:
        "{{field}} of pod {{pod}} names ServiceAccount {{name}}, and namespace {{namespace}} has no ServiceAccount of that name ({{loaded}}). The pod was created before it was deleted; its service account token is rejected by the API server (401) once the ServiceAccount is gone, and a replacement pod would be refused by admission.{{similar}}",
      remediation: "Recreate the ServiceAccount (and its bindings), or move the workload to an existing one.",
    },
  },
  run({ index, snapshot, report }) {
    if (!loadedCompletely(snapshot, index, "ServiceAccount")) return;
    const missing = (namespace: string, name: string): boolean => {
      // Every namespace holds ServiceAccount "default"; none at all means its ServiceAccounts were not collected.
      if (index.inNamespace("ServiceAccount", namespace).length === 0) return false;
      return index.serviceAccount(namespace, name) === undefined;
    };
    const describe = (namespace: string, name: string) => {
      const names = index.inNamespace<ServiceAccount>("ServiceAccount", namespace).map((s) => s.metadata.name);
      const similar = similarNames(name, names);
      return {
        loaded: `${names.length} ServiceAccounts loaded: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}`,
        similar,
        similarText: similar.length ? ` Existing ServiceAccounts with a similar name: ${similar.join(", ")}.` : "",
      };
    };
    const reported = new Set<string>();

    // 1. Workload templates: the top of each controller chain (a Deployment, not its ReplicaSets).
    for (const kind of WORKLOAD_KINDS) {
      for (const workload of index.all(kind)) {
        if (index.rootController(workload) !== workload) continue;
        const template = templateOf(workload);
        const namespace = workload.metadata.namespace ?? "default";
        if (!template || (workload.kind === "Job" && !wantsPods(workload))) continue; // a finished Job creates no more pods
        const sa = serviceAccountOf(template.spec);
        if (!missing(namespace, sa.name)) continue;
        const subject = refOf(workload);
        const pods = index.podsOfWorkload(workload);
        pods.forEach((p) => reported.add(`${namespace}/${p.metadata.name}`));
        // FailedCreate events of the workload or of the controllers under it (a Deployment's ReplicaSets).
        const sources = [workload, ...index.controlledBy(workload)];
        const events = sources.flatMap((o) => index.eventsFor(o).filter((e) => refusesServiceAccount(e, sa.name)).map((e) => ({ o, e })));
        const d = describe(namespace, sa.name);
        const field = `${template.path}.${sa.field}`;
        const evidence: Evidence[] = [
          { ref: subject, path: field, value: sa.name, note: sa.field === "serviceAccountName" && !template.spec.serviceAccountName ? "not set: defaults to \"default\"" : undefined },
          { ref: { kind: "ServiceAccount", namespace, name: sa.name }, path: "metadata.name", value: sa.name, note: `not in the snapshot (${d.loaded})` },
          ...events.map(({ o, e }) => ({ ref: refOf(o), path: "event", value: e.message ?? "", note: `${e.reason} x${e.count ?? 1}` })),
        ].map((e) => (e.note === undefined ? { ref: e.ref, path: e.path, value: e.value } : e));
        const target = kubectlTarget(subject);
        const verify = pods.length || wantsPods(workload) ? `kubectl get pods -n ${namespace} -o custom-columns=NAME:.metadata.name,SA:.spec.serviceAccountName` : `kubectl get serviceaccount ${sa.name} -n ${namespace}`;
        report("workloadServiceAccountMissing", {
          subject,
          severity: wantsPods(workload) ? "error" : "warning",
          data: {
            workload: formatRef(subject),
            namespace,
            name: sa.name,
            field,
            loaded: d.loaded,
            events: events.length ? ` ${events.length} FailedCreate event${events.length === 1 ? " confirms" : "s confirm"} it.` : "",
            similar: d.similarText,
          },
          evidence,
          investigation: [
            { step: `Look for ServiceAccount ${sa.name}`, command: `kubectl get serviceaccount ${sa.name} -n ${namespace}`, result: `Error from server (NotFound): serviceaccounts "${sa.name}" not found`, outcome: "problem" },
            {
              step: `Read why ${formatRef(subject)} creates no pods`,
              command: `kubectl get events -n ${namespace} --field-selector reason=FailedCreate`,
              result: events.length ? events[events.length - 1]!.e.message ?? "" : "no FailedCreate event in the snapshot (events expire after an hour)",
              outcome: events.length ? "problem" : "unknown",
            },
          ],
          remediation: [
            ...d.similar.slice(0, 1).map((name) => ({
              description: `The template probably means ServiceAccount ${name}: fix ${field}`,
              command: `kubectl patch ${target} -n ${namespace} --type merge -p '${JSON.stringify(
                workload.kind === "CronJob" ? { spec: { jobTemplate: { spec: { template: { spec: { serviceAccountName: name } } } } } } : { spec: { template: { spec: { serviceAccountName: name } } } },
              )}'`,
              verify,
            })),
            { description: `Create ServiceAccount ${sa.name} in namespace ${namespace} (and bind the roles it needs); the controller retries on its own`, command: `kubectl create serviceaccount ${sa.name} -n ${namespace}`, verify, rollback: `kubectl delete serviceaccount ${sa.name} -n ${namespace}` },
          ],
          affected: pods.map((p) => refOf(p)),
        });
      }
    }

    // 2. Pods outside those workloads (bare pods, or pods whose template has changed since).
    const byServiceAccount = new Map<string, Pod[]>();
    for (const pod of index.all<Pod>("Pod")) {
      const namespace = pod.metadata.namespace ?? "default";
      if (isSettled(pod) || reported.has(`${namespace}/${pod.metadata.name}`)) continue;
      const sa = serviceAccountOf(pod.spec);
      if (!missing(namespace, sa.name)) continue;
      const key = `${namespace}/${sa.name}`;
      byServiceAccount.set(key, [...(byServiceAccount.get(key) ?? []), pod]);
    }
    for (const pods of byServiceAccount.values()) {
      const pod = pods[0]!;
      const namespace = pod.metadata.namespace ?? "default";
      const sa = serviceAccountOf(pod.spec);
      const d = describe(namespace, sa.name);
      const subject: ObjectRef = refOf(pod);
      report("podServiceAccountMissing", {
        subject,
        severity: "warning",
        data: { namespace, pod: pod.metadata.name, name: sa.name, field: `spec.${sa.field}`, loaded: d.loaded, similar: d.similarText },
        evidence: [
          ...pods.map((p) => ({ ref: refOf(p), path: `spec.${sa.field}`, value: sa.name })),
          { ref: { kind: "ServiceAccount", namespace, name: sa.name }, path: "metadata.name", value: sa.name, note: `not in the snapshot (${d.loaded})` },
        ],
        investigation: [
          { step: `Look for ServiceAccount ${sa.name}`, command: `kubectl get serviceaccount ${sa.name} -n ${namespace}`, result: `Error from server (NotFound): serviceaccounts "${sa.name}" not found`, outcome: "problem" },
          { step: "List the pods that run as it", command: `kubectl get pods -n ${namespace} -o custom-columns=NAME:.metadata.name,SA:.spec.serviceAccountName`, result: `${podCount(pods.length)}: ${podNames(pods)}`, outcome: "problem" },
        ],
        remediation: [
          { description: `Recreate ServiceAccount ${sa.name} in namespace ${namespace} (and its bindings)`, command: `kubectl create serviceaccount ${sa.name} -n ${namespace}`, verify: `kubectl get serviceaccount ${sa.name} -n ${namespace}`, rollback: `kubectl delete serviceaccount ${sa.name} -n ${namespace}` },
        ],
        affected: pods.slice(1).map((p) => refOf(p)),
      });
    }
  },
});
