// Decides which aggregated APIs (APIServices) are not Available, with the API server's condition message, and what their absence breaks.
import { defineAnalyzer } from "../../define.js";
import type { Condition, KubeObject } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";

interface APIService extends KubeObject {
  spec?: { service?: { namespace?: string; name?: string } | null; group?: string; version?: string };
  status?: { conditions?: Condition[] };
}

/** What commonly depends on well-known aggregated APIs. */
const DEPENDENTS: Record<string, string> = {
  "metrics.k8s.io": "kubectl top and HorizontalPodAutoscalers on CPU/memory",
  "custom.metrics.k8s.io": "HorizontalPodAutoscalers on custom metrics",
  "external.metrics.k8s.io": "HorizontalPodAutoscalers on external metrics",
};

export const apiserviceUnavailable = defineAnalyzer({
  id: "apiservice-unavailable",
  title: "Aggregated APIs that are not available",
  area: "control-plane",
  severity: "error",
  needs: ["APIService"],
  messages: {
    unavailable: {
      summary: "APIService {{name}} is not available: {{reason}}",
      rootCause:
        "The API server reports APIService {{name}} (served by {{service}}) Available={{status}} ({{reason}}): \"{{message}}\". Requests to {{groupVersion}} fail with 503, and API discovery is incomplete: kubectl prints \"unable to retrieve the complete list of server APIs: {{groupVersion}}: the server is currently unable to handle the request\", and clients that discover every group (namespace deletion, garbage collection, helm) can fail or stall. Used by: {{dependents}}.",
      remediation: "Fix the backend Service and its pods (or its network path and certificates), or delete the APIService if the add-on was removed.",
    },
  },
  run({ index, report }) {
    for (const apiService of index.all<APIService>("APIService")) {
      const conditions = apiService.status?.conditions ?? [];
      const i = conditions.findIndex((c) => c.type === "Available");
      if (i < 0 || conditions[i]!.status === "True") continue;
      const condition = conditions[i]!;
      const ref = refOf(apiService);
      const target = apiService.spec?.service;
      const service = target?.name ? `Service ${target.namespace}/${target.name}` : "the API server itself (Local)";
      const group = apiService.spec?.group ?? "";
      const groupVersion = `${group}/${apiService.spec?.version ?? ""}`;
      report("unavailable", {
        subject: ref,
        data: {
          name: apiService.metadata.name,
          status: condition.status,
          reason: condition.reason ?? "no reason",
          message: condition.message ?? "",
          service,
          groupVersion,
          dependents: DEPENDENTS[group] ?? "every client of this API",
        },
        evidence: [
          { ref, path: `status.conditions[${i}].status`, value: condition.status },
          { ref, path: `status.conditions[${i}].reason`, value: condition.reason },
          { ref, path: `status.conditions[${i}].message`, value: condition.message },
          ...(target?.name ? [{ ref, path: "spec.service", value: `${target.namespace}/${target.name}` }] : []),
        ],
        ...(target?.name && target.namespace ? { affected: [{ kind: "Service", namespace: target.namespace, name: target.name }] } : {}),
        investigation: [
          { step: "Read the APIService's condition", command: `kubectl get apiservice ${apiService.metadata.name} -o yaml`, result: `${condition.reason ?? ""}: ${condition.message ?? ""}`, outcome: "problem" },
          ...(target?.name ? [{ step: "Check the backend", command: `kubectl -n ${target.namespace} get service ${target.name} && kubectl -n ${target.namespace} get endpointslices -l kubernetes.io/service-name=${target.name}`, result: "not in the snapshot", outcome: "unknown" as const }] : []),
        ],
        remediation: [
          { description: "Fix the backend (its Deployment, pods, Service)", command: `kubectl get apiservice ${apiService.metadata.name} -w`, verify: "AVAILABLE turns True" },
          { description: "If the add-on was removed, remove its APIService", command: `kubectl delete apiservice ${apiService.metadata.name}`, rollback: "re-install the add-on" },
        ],
      });
    }
  },
});
