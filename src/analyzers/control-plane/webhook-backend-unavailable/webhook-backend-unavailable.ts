// Decides which admission webhooks with failurePolicy Fail point at a Service with no ready endpoints (or none at all), what they block, and which FailedCreate events they already caused; and which webhooks wait longer than 10 s.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Event, KubeObject, LabelSelector, Service } from "../../../model/kube.js";
import { refOf, type ObjectRef } from "../../../model/ref.js";
import { matchesSelector } from "../../../semantics/labels.js";
import { readyInEndpoints, readyInSlices } from "../../network/service-endpoints-not-ready/service-endpoints-not-ready.js";

interface Webhook {
  name: string;
  clientConfig?: { service?: { namespace?: string; name?: string; port?: number; path?: string }; url?: string };
  rules?: { operations?: string[]; apiGroups?: string[]; resources?: string[]; scope?: string }[];
  failurePolicy?: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  timeoutSeconds?: number;
}

interface WebhookConfiguration extends KubeObject {
  webhooks?: Webhook[];
}

/** admissionregistration.k8s.io/v1 default; the API server's hard maximum is 30. */
const DEFAULT_TIMEOUT_SECONDS = 10;

function describeRules(webhook: Webhook): string {
  const rules = webhook.rules ?? [];
  if (rules.length === 0) return "no rules (matches nothing)";
  return rules
    .map((r) => {
      const groups = (r.apiGroups ?? []).map((g) => (g === "" ? "core" : g)).join(",");
      return `${(r.operations ?? []).join(",")} ${(r.resources ?? []).join(",")} (${groups})`;
    })
    .join("; ");
}

/** The FailedCreate (and other) Warning events the API server's webhook error produced: `failed calling webhook "<name>"`. */
function eventsCausedBy(events: readonly Event[], webhook: string): Event[] {
  const needle = `failed calling webhook "${webhook}"`;
  return events.filter((e) => e.message?.includes(needle));
}

export const webhookBackendUnavailable = defineAnalyzer({
  id: "webhook-backend-unavailable",
  title: "Admission webhooks whose backend is down block requests",
  area: "control-plane",
  severity: "error",
  needs: ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "Service", "Endpoints", "EndpointSlice", "Namespace", "Event"],
  messages: {
    blocking: {
      summary: "Webhook {{webhook}} has {{backend}}: with failurePolicy Fail it rejects {{rules}}",
      rootCause:
        "The {{configKind}} {{config}} sends {{rules}} in {{namespaces}} to Service {{service}}, which has {{backend}}. The API server cannot call the webhook and, with failurePolicy Fail, rejects every matching request: {{events}} events already show it (\"failed calling webhook\").",
      remediation: "Bring the webhook's backend back (its Deployment and pods), or, if it is gone for good, delete the webhook configuration; set failurePolicy Ignore only for webhooks whose check is optional.",
    },
    longTimeout: {
      summary: "Webhook {{webhook}} may hold requests for {{timeout}}s",
      severity: "warning",
      rootCause: "timeoutSeconds is {{timeout}} (default 10, maximum 30): a slow or hung backend delays every matching request by up to that long, and clients with shorter timeouts (kubectl's, controllers') give up first.",
      remediation: "Lower timeoutSeconds to what the backend needs (a few seconds) and make the backend fast.",
    },
  },
  run({ index, report }) {
    const events = index.all<Event>("Event");
    const namespaces = index.all("Namespace");
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
      for (const config of index.all<WebhookConfiguration>(kind)) {
        const configRef = refOf(config);
        (config.webhooks ?? []).forEach((webhook, i) => {
          const path = `webhooks[${i}]`;
          if ((webhook.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) > DEFAULT_TIMEOUT_SECONDS) {
            report("longTimeout", {
              subject: configRef,
              data: { webhook: webhook.name, timeout: webhook.timeoutSeconds! },
              evidence: [{ ref: configRef, path: `${path}.timeoutSeconds`, value: webhook.timeoutSeconds, note: `webhook ${webhook.name}` }],
              remediation: [{ description: "Lower the timeout", command: `kubectl edit ${kind.toLowerCase()} ${config.metadata.name}` }],
            });
          }
          const target = webhook.clientConfig?.service;
          const policy = webhook.failurePolicy ?? "Fail";
          if (!target?.name || !target.namespace || policy !== "Fail") return;
          const serviceRef: ObjectRef = { kind: "Service", namespace: target.namespace, name: target.name };
          const service = index.get<Service>("Service", target.namespace, target.name);
          let backend: string;
          const evidence: Evidence[] = [
            { ref: configRef, path: `${path}.clientConfig.service`, value: `${target.namespace}/${target.name}${target.port ? `:${target.port}` : ""}`, note: `webhook ${webhook.name}` },
            { ref: configRef, path: `${path}.failurePolicy`, value: policy, ...(webhook.failurePolicy ? {} : { note: "unset: v1 defaults to Fail" }) },
          ];
          if (!service) {
            if (!index.has("Service")) return;
            backend = "no Service (it does not exist)";
            evidence.push({ ref: serviceRef, note: "the Service does not exist" });
          } else {
            if (service.spec?.type === "ExternalName") return;
            const slices = index.endpointSlicesOfService(service);
            const endpoints = index.endpointsOfService(service);
            if (slices.length === 0 && !endpoints && !index.has("EndpointSlice") && !index.has("Endpoints")) return;
            const ready = slices.length > 0 ? readyInSlices(slices) : endpoints ? readyInEndpoints(endpoints) : 0;
            if (ready > 0) return;
            backend = "no ready endpoints";
            evidence.push({ ref: serviceRef, path: slices.length > 0 ? "EndpointSlice endpoints" : "Endpoints subsets", value: 0, note: "ready endpoints" });
          }
          evidence.push({ ref: configRef, path: `${path}.rules`, value: describeRules(webhook) });
          const matched = namespaces.filter((ns) => !webhook.namespaceSelector || matchesSelector(webhook.namespaceSelector, ns.metadata.labels ?? {}));
          const allNamespaces = !webhook.namespaceSelector || (Object.keys(webhook.namespaceSelector.matchLabels ?? {}).length === 0 && (webhook.namespaceSelector.matchExpressions ?? []).length === 0);
          const scope = allNamespaces ? "all namespaces" : `${matched.length} namespaces (${matched.slice(0, 10).map((n) => n.metadata.name).join(", ")}${matched.length > 10 ? ", ..." : ""})`;
          if (webhook.namespaceSelector) evidence.push({ ref: configRef, path: `${path}.namespaceSelector`, value: webhook.namespaceSelector, note: `matches ${scope}` });
          if (webhook.objectSelector) evidence.push({ ref: configRef, path: `${path}.objectSelector`, value: webhook.objectSelector });
          const caused = eventsCausedBy(events, webhook.name);
          const affected: ObjectRef[] = [];
          const add = (r: ObjectRef): void => {
            if (!affected.some((a) => a.kind === r.kind && a.name === r.name && a.namespace === r.namespace)) affected.push(r);
          };
          for (const e of caused) {
            const o = e.involvedObject;
            if (!o.kind || !o.name) continue;
            add({ kind: o.kind, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) });
            // A ReplicaSet's failed pod creation is its Deployment's failure too.
            const object = index.get(o.kind, o.namespace, o.name);
            if (object) add(refOf(index.rootController(object)));
          }
          for (const e of caused.slice(0, 5)) evidence.push({ ref: refOf(e), path: "event", value: e.message, note: `${e.reason ?? ""} on ${e.involvedObject.kind ?? ""} ${e.involvedObject.namespace ?? ""}/${e.involvedObject.name ?? ""}, x${e.count ?? 1}` });
          report("blocking", {
            subject: configRef,
            data: { webhook: webhook.name, backend, rules: describeRules(webhook), configKind: kind, config: config.metadata.name, service: `${target.namespace}/${target.name}`, namespaces: scope, events: caused.length },
            evidence,
            affected,
            investigation: [
              { step: "Check the webhook's Service and endpoints", command: `kubectl -n ${target.namespace} get service ${target.name} && kubectl -n ${target.namespace} get endpointslices -l kubernetes.io/service-name=${target.name}`, result: backend, outcome: "problem" },
              { step: "Find the requests it rejected", command: `kubectl get events -A --field-selector reason=FailedCreate | grep '${webhook.name}'`, result: `${caused.length} events`, outcome: caused.length ? "problem" : "unknown" },
            ],
            remediation: [
              { description: "Restore the webhook's backend (scale up or fix its Deployment)", command: `kubectl -n ${target.namespace} get deploy,pods -o wide`, verify: `kubectl -n ${target.namespace} get endpointslices -l kubernetes.io/service-name=${target.name}` },
              { description: "If the webhook is no longer wanted, remove its configuration", command: `kubectl delete ${kind.toLowerCase()} ${config.metadata.name}`, rollback: `kubectl apply -f <saved ${config.metadata.name}.yaml>` },
            ],
          });
        });
      }
    }
  },
});
