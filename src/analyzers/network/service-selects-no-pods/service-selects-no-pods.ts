// Decides whether a Service with a selector selects no pod at all, and says why (labels that differ).
import { defineAnalyzer } from "../../define.js";
import type { Pod, Service } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";

/** Label keys the Service requires that no pod in the namespace carries with that value, for the evidence. */
function closestMismatch(selector: Record<string, string>, pods: readonly Pod[]): { pod: Pod; missing: string[] } | undefined {
  let best: { pod: Pod; missing: string[] } | undefined;
  for (const pod of pods) {
    const missing = Object.entries(selector)
      .filter(([k, v]) => pod.metadata.labels?.[k] !== v)
      .map(([k, v]) => `${k}=${v}`);
    if (!best || missing.length < best.missing.length) best = { pod, missing };
  }
  return best;
}

export const serviceSelectsNoPods = defineAnalyzer({
  id: "service-selects-no-pods",
  title: "Service selects no pods",
  area: "network",
  severity: "error",
  needs: ["Service", "Pod"],
  messages: {
    noMatch: {
      summary: "Service {{namespace}}/{{service}} selects no pods ({{selector}})",
      rootCause:
        "No pod in namespace {{namespace}} has all the labels of the Service selector {{selector}}, so the Service has no endpoints and connections to it are refused or time out.",
      remediation: "Make the selector match the labels of the intended pods' template, or fix the pods' labels.",
    },
  },
  run({ index, snapshot, report }) {
    // "Selects no pods" needs every pod: when Pods were not read (forbidden, not in the dump) or only partly
    // (the API server went away), a Service whose pods were not read would be reported wrongly.
    if (!index.has("Pod") || snapshot.coverage.Pod?.status === "partial") return;
    for (const svc of index.all<Service>("Service")) {
      const selector = svc.spec?.selector;
      if (!selector || Object.keys(selector).length === 0) continue; // selector-less Services have manual endpoints
      if (svc.spec?.type === "ExternalName") continue;
      if (index.podsSelectedByService(svc).length > 0) continue;
      const namespace = svc.metadata.namespace ?? "default";
      const selectorText = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const candidates = index.inNamespace<Pod>("Pod", namespace);
      const closest = closestMismatch(selector, candidates);
      const evidence = [{ ref: refOf(svc), path: "spec.selector", value: selector, note: `no pod in ${namespace} matches` }];
      if (closest) {
        evidence.push({
          ref: refOf(closest.pod),
          path: "metadata.labels",
          value: closest.pod.metadata.labels ?? {},
          note: `closest pod lacks ${closest.missing.join(", ")}`,
        });
      }
      report("noMatch", {
        subject: refOf(svc),
        data: { namespace, service: svc.metadata.name, selector: selectorText },
        evidence,
        investigation: [
          {
            step: "Read the Service selector",
            command: `kubectl get service ${svc.metadata.name} -n ${namespace} -o jsonpath='{.spec.selector}'`,
            result: selectorText,
            outcome: "ok",
          },
          {
            step: "List pods matching the selector",
            command: `kubectl get pods -n ${namespace} -l ${selectorText}`,
            result: `No resources found (${candidates.length} pods in the namespace, none with all the labels)`,
            outcome: "problem",
          },
        ],
        remediation: [
          {
            description: closest
              ? `Align the selector with the labels of the intended pods (closest: ${closest.pod.metadata.name}, lacking ${closest.missing.join(", ")})`
              : "Deploy the pods this Service is meant for, or fix the selector",
            command: `kubectl edit service ${svc.metadata.name} -n ${namespace}`,
            verify: `kubectl get endpoints ${svc.metadata.name} -n ${namespace}`,
            rollback: `kubectl rollout undo` + " (for the workload) or re-apply the previous Service manifest",
          },
        ],
      });
    }
  },
});
