// Decides, when the Gateway API CRDs are present, which HTTPRoutes are not attached to their Gateways
// (Accepted=False, ResolvedRefs=False, or a parent Gateway that does not exist) and which Gateways are
// not accepted or programmed by their controller, with the controller's condition message as evidence.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Condition, Gateway, GatewayParentReference, HTTPRoute } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";

const GATEWAY_GROUP = "gateway.networking.k8s.io";

function parentText(ref: GatewayParentReference, routeNamespace: string): string {
  return `${ref.kind ?? "Gateway"} ${ref.namespace ?? routeNamespace}/${ref.name}${ref.sectionName ? ` (listener ${ref.sectionName})` : ""}`;
}

function conditionText(c: Condition): string {
  return `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ""}${c.message ? `: ${c.message}` : ""}`;
}

export const gatewayRouteNotAccepted = defineAnalyzer({
  id: "gateway-route-not-accepted",
  title: "Gateway API route not accepted, references unresolved, or Gateway not programmed",
  area: "ingress",
  severity: "error",
  needs: ["Gateway", "HTTPRoute"],
  messages: {
    routeNotAccepted: {
      summary: "HTTPRoute {{namespace}}/{{name}} is not accepted by {{parent}}: {{reason}}",
      rootCause: "The Gateway's controller ({{controller}}) set Accepted=False on the route for {{parent}}: {{condition}}. The route is not attached to that Gateway, so none of its rules is served there.",
      remediation: "Fix what the condition names: the listener's allowedRoutes (namespaces, kinds), the hostnames, the sectionName or port of the parentRef.",
    },
    refsNotResolved: {
      summary: "HTTPRoute {{namespace}}/{{name}}: references not resolved for {{parent}}: {{reason}}",
      rootCause: "The Gateway's controller ({{controller}}) set ResolvedRefs=False on the route for {{parent}}: {{condition}}. Rules whose backendRefs cannot be resolved answer with errors (HTTP 500) instead of reaching a backend.",
      remediation: "Point the backendRefs at existing Services and ports, or add the ReferenceGrant a cross-namespace reference needs.",
    },
    parentGatewayNotFound: {
      summary: "HTTPRoute {{namespace}}/{{name}} attaches to Gateway {{parent}}, which does not exist",
      rootCause: "spec.parentRefs names Gateway {{parent}}, which is not in the cluster. No controller takes the route up for it, so no status is written and nothing is served.",
      remediation: "Correct the parentRef's name and namespace, or create the Gateway.",
    },
    gatewayNotProgrammed: {
      summary: "Gateway {{namespace}}/{{name}} is not ready: {{condition}}",
      rootCause: "The Gateway's controller reports {{condition}}. The routes attached to it are not served until it is Accepted and Programmed.",
      remediation: "Fix what the condition names (GatewayClass, listener ports, protocols, addresses, TLS certificateRefs).",
    },
  },
  run({ index, report }) {
    const gatewaysLoaded = index.has("Gateway");
    for (const gateway of index.all<Gateway>("Gateway")) {
      const conditions = gateway.status?.conditions ?? [];
      const i = conditions.findIndex((c) => (c.type === "Accepted" || c.type === "Programmed") && c.status === "False");
      if (i < 0) continue;
      const c = conditions[i]!;
      report("gatewayNotProgrammed", {
        subject: refOf(gateway),
        data: { namespace: gateway.metadata.namespace ?? "default", name: gateway.metadata.name, condition: conditionText(c) },
        evidence: [{ ref: refOf(gateway), path: `status.conditions[${i}].message`, value: c.message ?? c.reason ?? c.status, note: conditionText(c) }],
        investigation: [{ step: "Read the Gateway's conditions", command: `kubectl describe gateway ${gateway.metadata.name} -n ${gateway.metadata.namespace}`, result: conditionText(c), outcome: "problem" }],
        remediation: [{ description: "Fix what the condition names", command: `kubectl edit gateway ${gateway.metadata.name} -n ${gateway.metadata.namespace}`, verify: `kubectl get gateway ${gateway.metadata.name} -n ${gateway.metadata.namespace}  # PROGRAMMED True` }],
      });
    }
    for (const route of index.all<HTTPRoute>("HTTPRoute")) {
      const ns = route.metadata.namespace ?? "default";
      const ref = refOf(route);
      const describe = `kubectl describe httproute ${route.metadata.name} -n ${ns}`;
      (route.status?.parents ?? []).forEach((parent, p) => {
        const where = parentText(parent.parentRef, ns);
        for (const [type, messageId] of [
          ["Accepted", "routeNotAccepted"],
          ["ResolvedRefs", "refsNotResolved"],
        ] as const) {
          const i = (parent.conditions ?? []).findIndex((c) => c.type === type && c.status === "False");
          if (i < 0) continue;
          const c = parent.conditions![i]!;
          const evidence: Evidence[] = [
            { ref, path: `status.parents[${p}].conditions[${i}].message`, value: c.message ?? "", note: conditionText(c) },
            { ref, path: `status.parents[${p}].conditions[${i}].reason`, value: c.reason ?? null },
          ];
          report(messageId, {
            subject: ref,
            data: { namespace: ns, name: route.metadata.name, parent: where, reason: c.reason ?? "False", condition: conditionText(c), controller: parent.controllerName ?? "unknown" },
            evidence,
            investigation: [{ step: "Read the route's status for its parents", command: describe, result: conditionText(c), outcome: "problem" }],
            remediation: [{ description: `Fix what ${type}=False names (${c.reason ?? "see the message"})`, command: `kubectl edit httproute ${route.metadata.name} -n ${ns}`, verify: `kubectl get httproute ${route.metadata.name} -n ${ns} -o jsonpath='{.status.parents[*].conditions}'` }],
          });
        }
      });
      if (!gatewaysLoaded) continue;
      (route.spec?.parentRefs ?? []).forEach((parentRef, p) => {
        if ((parentRef.kind ?? "Gateway") !== "Gateway" || (parentRef.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) return;
        const gwNs = parentRef.namespace ?? ns;
        if (index.get("Gateway", gwNs, parentRef.name)) return;
        report("parentGatewayNotFound", {
          subject: ref,
          data: { namespace: ns, name: route.metadata.name, parent: `${gwNs}/${parentRef.name}` },
          evidence: [
            { ref, path: `spec.parentRefs[${p}].name`, value: parentRef.name, note: `namespace ${gwNs}` },
            { ref: { kind: "Gateway", namespace: gwNs, name: parentRef.name }, note: "not found" },
          ],
          investigation: [{ step: "List the Gateways", command: "kubectl get gateways -A", result: `no Gateway ${gwNs}/${parentRef.name}`, outcome: "problem" }],
          remediation: [{ description: "Correct the parentRef or create the Gateway", command: `kubectl edit httproute ${route.metadata.name} -n ${ns}`, verify: `kubectl get httproute ${route.metadata.name} -n ${ns} -o jsonpath='{.status.parents}'` }],
        });
      });
    }
  },
});
