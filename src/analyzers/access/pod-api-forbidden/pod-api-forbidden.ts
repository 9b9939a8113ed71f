// Decides which pods were refused by the API server (403 Forbidden) according to their logs or events, why RBAC refuses, and the smallest grant that fixes it.
import { defineAnalyzer } from "../../define.js";
import {
  describeRequest,
  explainDenial,
  minimalGrant,
  parseForbiddenMessages,
  splitServiceAccountUsername,
  userFromServiceAccount,
  type ForbiddenRequest,
  type MinimalGrant,
  type RequestAttributes,
  type UserInfo,
} from "../../../engines/rbac/index.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Pod } from "../../../model/kube.js";
import { formatRef, refOf } from "../../../model/ref.js";
import { WORKLOAD_KINDS, groupByWorkload, isSettled, podCount } from "../../workload/workload-pods.js";
import { RBAC_KINDS, loadedCompletely, rbacIndexOf } from "../access-rbac.js";

/** How many log lines or events of one refusal to keep as evidence. */
const EVIDENCE_LINES = 3;

interface Sighting {
  request: ForbiddenRequest;
  evidence: Evidence;
}

/**
 * The identity the refused user stands for. A service account token authenticates with exactly the
 * service account groups plus system:authenticated; for other users the error text carries no groups,
 * so only system:authenticated (which every authenticated user has) is assumed.
 */
function identityOf(username: string): { user: UserInfo; groupsKnown: boolean } {
  const sa = splitServiceAccountUsername(username);
  if (sa) return { user: userFromServiceAccount(sa.namespace, sa.name), groupsKnown: true };
  if (username === "system:anonymous") return { user: { name: username, groups: ["system:unauthenticated"] }, groupsKnown: true };
  return { user: { name: username, groups: ["system:authenticated"] }, groupsKnown: false };
}

function attributesOf(request: ForbiddenRequest, user: UserInfo): RequestAttributes {
  if (request.path !== undefined) return { user, verb: request.verb, path: request.path };
  return {
    user,
    verb: request.verb,
    namespace: request.namespace ?? "",
    apiGroup: request.apiGroup ?? "",
    resource: request.resource ?? "",
    ...(request.subresource ? { subresource: request.subresource } : {}),
    ...(request.name ? { name: request.name } : {}),
  };
}

/** `kubectl auth can-i` arguments for a request. */
function canIArgs(a: RequestAttributes): string {
  if (a.path !== undefined && a.resource === undefined) return `${a.verb} ${a.path}`;
  const resource = `${a.resource}${a.apiGroup ? `.${a.apiGroup}` : ""}${a.name ? `/${a.name}` : ""}`;
  return `${a.verb} ${resource}${a.subresource ? ` --subresource=${a.subresource}` : ""}${a.namespace ? ` -n ${a.namespace}` : ""}`;
}

/** `kubectl create role|clusterrole` + binding commands that create exactly the minimal grant. */
function grantCommands(grant: MinimalGrant, a: RequestAttributes): { command: string; rollback: string } {
  const role = grant.role;
  const binding = grant.binding;
  const ns = role.metadata.namespace;
  const nsFlag = ns ? ` -n ${ns}` : "";
  const rule = role.rules![0]!;
  const roleKind = ns ? "role" : "clusterrole";
  const what = rule.nonResourceURLs?.length
    ? `--non-resource-url=${rule.nonResourceURLs[0]}`
    : `--resource=${a.resource}${a.apiGroup ? `.${a.apiGroup}` : ""}${a.subresource ? `/${a.subresource}` : ""}${rule.resourceNames?.length ? ` --resource-name=${rule.resourceNames[0]}` : ""}`;
  const subject = binding.subjects?.[0];
  const subjectFlag =
    subject?.kind === "ServiceAccount" ? `--serviceaccount=${subject.namespace}:${subject.name}` : subject?.kind === "Group" ? `--group=${subject.name}` : `--user=${subject?.name ?? ""}`;
  const bindingKind = ns ? "rolebinding" : "clusterrolebinding";
  return {
    command: `kubectl create ${roleKind} ${role.metadata.name}${nsFlag} --verb=${rule.verbs![0]} ${what} && kubectl create ${bindingKind} ${binding.metadata.name}${nsFlag} --${roleKind}=${role.metadata.name} ${subjectFlag}`,
    rollback: `kubectl delete ${bindingKind} ${binding.metadata.name}${nsFlag} && kubectl delete ${roleKind} ${role.metadata.name}${nsFlag}`,
  };
}

export const podApiForbidden = defineAnalyzer({
  id: "pod-api-forbidden",
  title: "Pods are refused by the API server (403 Forbidden)",
  area: "access",
  severity: "error",
  needs: ["Pod", "Event", ...RBAC_KINDS, ...WORKLOAD_KINDS],
  needsLogs: true,
  messages: {
    forbidden: {
      summary: "{{workload}}: {{user}} may not {{request}}{{scope}} (403 Forbidden, {{count}})",
      rootCause:
        "The API server refused {{request}}{{scope}} to {{user}}, as {{source}} of {{pods}} shows{{groups}}. RBAC over the snapshot's roles and bindings agrees: {{decision}}{{nearest}} The smallest grant that allows exactly this request is {{grant}}.",
      remediation: "Grant the request with a Role and RoleBinding (ClusterRole and ClusterRoleBinding for cluster-scoped requests) to the pod's identity, or fix the binding that was meant to grant it.",
    },
    forbiddenUnverified: {
      summary: "{{workload}}: {{user}} may not {{request}}{{scope}} (403 Forbidden, {{count}})",
      rootCause:
        "The API server refused {{request}}{{scope}} to {{user}}, as {{source}} of {{pods}} shows. Cannot determine which binding was meant to grant it: {{missing}}. The smallest grant that allows exactly this request is {{grant}}.",
      remediation: "Grant the request with a Role and RoleBinding (ClusterRole and ClusterRoleBinding for cluster-scoped requests) to the pod's identity.",
    },
  },
  run({ index, snapshot, report }) {
    const rbacLoaded = RBAC_KINDS.every((k) => loadedCompletely(snapshot, index, k));
    const rbac = rbacIndexOf(index);
    const logsByPod = new Map<string, typeof snapshot.logs>();
    for (const log of snapshot.logs) {
      const key = `${log.namespace}/${log.pod}`;
      logsByPod.set(key, [...(logsByPod.get(key) ?? []), log]);
    }

    const found: { pod: Pod; detail: Sighting[] }[] = [];
    for (const pod of index.all<Pod>("Pod")) {
      if (isSettled(pod)) continue;
      const podRef = refOf(pod);
      const sightings: Sighting[] = [];
      for (const log of logsByPod.get(`${pod.metadata.namespace}/${pod.metadata.name}`) ?? []) {
        for (const line of log.text.split("\n")) {
          if (!line.includes("cannot")) continue;
          for (const request of parseForbiddenMessages(line)) {
            sightings.push({ request, evidence: { ref: podRef, path: "log", value: line.trim(), note: `${log.container}${log.previous ? " (previous)" : ""}` } });
          }
        }
      }
      for (const event of index.eventsFor(pod)) {
        for (const request of parseForbiddenMessages(event.message ?? "")) {
          sightings.push({ request, evidence: { ref: podRef, path: "event", value: event.message ?? "", note: `${event.reason ?? "?"} x${event.count ?? 1}` } });
        }
      }
      // The kubelet's own refusals (User "system:node:<node>") are the Node authorizer's, not RBAC's.
      const relevant = sightings.filter((s) => !s.request.username.startsWith("system:node:"));
      if (relevant.length) found.push({ pod, detail: relevant });
    }

    for (const group of groupByWorkload(index, found)) {
      const byRequest = new Map<string, { request: ForbiddenRequest; evidence: Evidence[]; pods: Set<string>; logPods: Set<string>; count: number }>();
      for (const { pod, detail } of group.members) {
        for (const s of detail) {
          const r = s.request;
          const key = JSON.stringify([r.username, r.verb, r.apiGroup, r.resource, r.subresource, r.namespace, r.name, r.path]);
          const entry = byRequest.get(key) ?? { request: r, evidence: [], pods: new Set<string>(), logPods: new Set<string>(), count: 0 };
          entry.count++;
          entry.pods.add(pod.metadata.name);
          if (s.evidence.path === "log") entry.logPods.add(pod.metadata.name);
          if (entry.evidence.length < EVIDENCE_LINES && !entry.evidence.some((e) => e.value === s.evidence.value)) entry.evidence.push(s.evidence);
          byRequest.set(key, entry);
        }
      }
      const pods = group.members.map((m) => m.pod);
      for (const { request, evidence, pods: podNamesSeen, logPods, count } of byRequest.values()) {
        const { user, groupsKnown } = identityOf(request.username);
        const attributes = attributesOf(request, user);
        const explanation = rbacLoaded ? explainDenial(rbac, attributes, { limit: 3 }) : undefined;
        // RBAC allows it now: the refusal predates a fix (or came from another authorizer); nothing to do.
        if (explanation?.decision.allowed) continue;
        const grant = minimalGrant(attributes, rbacLoaded ? { index: rbac } : {});
        const { command, rollback } = grantCommands(grant, attributes);
        const requestText = describeRequest(attributes);
        const scope = attributes.path !== undefined ? "" : attributes.namespace ? ` in namespace ${attributes.namespace}` : " at the cluster scope";
        const source = evidence.some((e) => e.path === "log") ? (evidence.some((e) => e.path === "event") ? "the log and events" : "the log") : "the events";
        const affectedPods = pods.filter((p) => podNamesSeen.has(p.metadata.name));
        // The pods whose own log carries the refusal: an application crash loop there is its effect.
        const explains = pods.filter((p) => logPods.has(p.metadata.name)).map((p) => refOf(p));
        const grantText = `${grant.role.kind} ${grant.role.metadata.name} (${grantRuleText(grant)}) bound to ${grant.binding.subjects?.[0]?.kind ?? "?"} ${grant.binding.subjects?.[0]?.name ?? "?"}${grant.verified ? ", verified by re-evaluating RBAC with it" : ""}`;

        const allEvidence: Evidence[] = [...evidence];
        if (explanation) {
          allEvidence.push({ path: "rbac", value: explanation.decision.reason, note: "RBAC engine decision over the snapshot" });
          for (const miss of explanation.nearest) allEvidence.push({ ref: miss.binding, path: miss.ruleIndex !== undefined ? `rules[${miss.ruleIndex}]` : "roleRef", value: miss.detail, note: `nearest: ${miss.kind}` });
        } else {
          for (const kind of RBAC_KINDS) if (!loadedCompletely(snapshot, index, kind)) allEvidence.push({ path: `coverage.${kind}`, value: snapshot.coverage[kind]?.status ?? "not collected" });
        }
        allEvidence.push({ ref: { kind: grant.role.kind ?? "Role", ...(grant.role.metadata.namespace ? { namespace: grant.role.metadata.namespace } : {}), name: grant.role.metadata.name }, path: "rules[0]", value: { ...grant.role.rules![0]! }, note: grant.verified ? "minimal grant, verified" : "minimal grant" });

        const nsOfPod = pods[0]!.metadata.namespace ?? "default";
        const canI = `kubectl auth can-i ${canIArgs(attributes)} --as=${request.username}`;
        const investigation: InvestigationStep[] = [
          {
            step: "Read the refusal in the pod's log or events",
            command: evidence[0]?.path === "log" ? `kubectl logs ${[...podNamesSeen][0]} -n ${nsOfPod}${evidence[0].note ? ` -c ${String(evidence[0].note).split(" ")[0]}` : ""}` : `kubectl get events -n ${nsOfPod} --field-selector involvedObject.name=${[...podNamesSeen][0]}`,
            result: request.text,
            outcome: "problem",
          },
          { step: "Ask the API server whether the identity may do it", command: canI, result: explanation ? `no: ${explanation.decision.reason}` : "RBAC objects not in the snapshot; run the command", outcome: explanation ? "problem" : "unknown" },
        ];
        if (explanation?.nearest.length) {
          investigation.push({ step: "Find the rules nearest to granting it", command: `kubectl get rolebindings,clusterrolebindings -A -o wide`, result: explanation.nearest.map((m) => m.detail).join(" | "), outcome: "problem" });
        }
        const remediation: Remediation[] = [{ description: `Grant exactly this request to ${request.username}`, command, verify: canI, rollback }];

        const data = {
          workload: formatRef(group.subject),
          user: request.username,
          request: requestText,
          scope,
          count: `${count} time${count === 1 ? "" : "s"}`,
          source,
          pods: affectedPods.length === 1 ? `pod ${affectedPods[0]!.metadata.name}` : podCount(affectedPods.length),
          grant: grantText,
        };
        if (explanation) {
          const nearest = explanation.nearest.length ? ` Nearest: ${explanation.nearest.map((m) => m.detail).join("; ")}.` : " No binding comes near to granting it.";
          report("forbidden", {
            subject: group.subject,
            data: { ...data, decision: explanation.decision.reason + ".", nearest, groups: groupsKnown ? "" : " (its groups are not in the error text: evaluated with system:authenticated only)" },
            evidence: allEvidence,
            investigation,
            remediation,
            affected: affectedPods.map((p) => refOf(p)),
            ...(explains.length ? { explains } : {}),
          });
        } else {
          const missing = RBAC_KINDS.filter((k) => !loadedCompletely(snapshot, index, k)).map((k) => `${k}s`).join(", ");
          report("forbiddenUnverified", {
            subject: group.subject,
            data: { ...data, missing: `${missing} not (completely) in the snapshot` },
            evidence: allEvidence,
            investigation,
            remediation,
            affected: affectedPods.map((p) => refOf(p)),
            ...(explains.length ? { explains } : {}),
          });
        }
      }
    }
  },
});

function grantRuleText(grant: MinimalGrant): string {
  const rule = grant.role.rules![0]!;
  if (rule.nonResourceURLs?.length) return `${rule.verbs![0]} ${rule.nonResourceURLs[0]}`;
  return `${rule.verbs![0]} ${rule.apiGroups![0] ? `${rule.apiGroups![0]}/` : ""}${rule.resources![0]}${rule.resourceNames?.length ? ` named ${rule.resourceNames[0]}` : ""}`;
}
