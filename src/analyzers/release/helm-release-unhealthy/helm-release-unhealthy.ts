// Decides whether a Helm release is stuck (pending lock), failed, or was upgraded into unhealthy resources, and which change did it.
import { defineAnalyzer, type FindingDraft } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { HelmRelease, HelmRevision } from "../../../model/helm-release.js";
import type { KubeObject } from "../../../model/kube.js";
import { refOf, type ObjectRef } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { categorize, diffRevisions, lastDeployedBefore, latestRevision, resourceKeyOf, type FieldChange, type ResourceChange } from "../../../engines/helm-release/diff.js";
import { healthOf, type UnhealthyResource } from "./resource-health.js";

/** A pending status younger than this may be an operation still running (Helm's default --timeout is 5m). */
const PENDING_GRACE_MS = 15 * 60 * 1000;
/** Changes that can break a workload or a Service; metadata-only changes (chart labels) cannot. */
const CAUSAL = new Set(["image", "ports", "selector", "labels", "env", "resources", "probes", "command", "volumes", "service-account"]);
const SERVICE_BACKEND: ReadonlySet<string> = new Set(["ports", "labels"]);
const MAX_CHANGES = 8;

function describeValue(v: unknown): string {
  return v === undefined ? "(unset)" : typeof v === "string" ? v : JSON.stringify(v);
}

export function formatChange(c: FieldChange): string {
  return `${c.path}: ${describeValue(c.old)} → ${describeValue(c.new)}`;
}

/** Changes of the diff that plausibly explain an unhealthy resource: its own, and for a Service those of the workloads behind it. */
function plausibleCauses(index: ClusterIndex, bad: UnhealthyResource, changes: ResourceChange[], namespace: string): { resource: ResourceChange; fields: FieldChange[] }[] {
  // The resource itself: any change that can break it. For a Service, the workloads behind it too, but
  // only what decides selection and port resolution (their pod labels and ports; not their image).
  const related = new Map<string, ReadonlySet<string>>([[`${bad.object.kind}/${bad.object.metadata.name}`, CAUSAL]]);
  if (bad.object.kind === "Service") {
    for (const p of bad.pods) {
      const root = index.rootController(p);
      related.set(`${root.kind}/${root.metadata.name}`, SERVICE_BACKEND);
    }
    // A Service that selects nothing: the release's workloads whose pod labels changed are suspects.
    if (bad.pods.length === 0) for (const c of changes) if (c.fields.some((f) => categorize(f.path) === "labels")) related.set(`${c.resource.kind}/${c.resource.name}`, SERVICE_BACKEND);
  }
  const out: { resource: ResourceChange; fields: FieldChange[] }[] = [];
  for (const c of changes) {
    if (c.change !== "changed" || (c.resource.namespace ?? namespace) !== (bad.object.metadata.namespace ?? namespace)) continue;
    const categories = related.get(`${c.resource.kind}/${c.resource.name}`);
    if (!categories) continue;
    const fields = c.fields.filter((f) => categories.has(categorize(f.path)));
    if (fields.length > 0) out.push({ resource: c, fields });
  }
  return out;
}

/** Helm's error descriptions can be long and multi-line; the summary gets the first 300 characters of one line (the evidence keeps all). */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

function helmCommand(verb: string, release: HelmRelease, rest = ""): string {
  return `helm ${verb} ${release.metadata.name}${rest ? ` ${rest}` : ""} -n ${release.metadata.namespace}`;
}

function revisionEvidence(release: HelmRelease, r: HelmRevision, note: string): Evidence[] {
  return [
    { ref: refOf(release), path: `revisions[revision=${r.revision}].status`, value: r.status, note: `${note}; stored in ${r.storedIn}` },
    ...(r.description ? [{ ref: refOf(release), path: `revisions[revision=${r.revision}].description`, value: r.description }] : []),
  ];
}

function historyStep(release: HelmRelease, result: string): InvestigationStep {
  return { step: "Read the release history", command: helmCommand("history", release), result, outcome: "problem" };
}

function rollbackRemediation(release: HelmRelease, target: HelmRevision, current: HelmRevision): Remediation {
  return {
    description: `Roll back to revision ${target.revision} (${target.chart.name}-${target.chart.version}, the last revision that deployed); Helm records it as a new revision`,
    command: helmCommand("rollback", release, String(target.revision)),
    verify: helmCommand("history", release, "--max 3"),
    rollback: helmCommand("rollback", release, String(current.revision)),
  };
}

function workloadRefs(bad: UnhealthyResource[]): ObjectRef[] {
  return bad.flatMap((b) => [refOf(b.object), ...b.pods.map(refOf)]);
}

export const helmReleaseUnhealthy = defineAnalyzer({
  id: "helm-release-unhealthy",
  title: "Helm release stuck, failed, or upgraded into unhealthy resources",
  area: "release",
  severity: "error",
  needs: ["HelmRelease", "Pod", "Service", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"],
  messages: {
    operationPending: {
      summary: "Helm release {{namespace}}/{{release}} is stuck in {{status}} at revision {{revision}} since {{since}}",
      rootCause:
        "Revision {{revision}} has status {{status}}: Helm wrote it before applying the {{operation}} and never recorded the outcome (the helm process was killed, timed out, or lost the API). Helm treats a pending latest revision as a lock: every new upgrade is refused with \"another operation (install/upgrade/rollback) is in progress\" (and a new install of the name with \"cannot re-use a name that is still in use\"). Rollback and uninstall are not blocked by it.",
      remediation:
        "Make sure no helm process (CI job, operator) is still working on the release, then roll back to the last deployed revision; for a first install that never finished, uninstall and install again.",
    },
    releaseFailed: {
      summary: "Helm release {{namespace}}/{{release}} revision {{revision}} failed: {{description}}",
      rootCause: "The {{operation}} to revision {{revision}} ({{chart}}) failed, as Helm recorded: {{description}}. {{unhealthyText}}",
      remediation: "Fix what the failure names, or roll back to the last deployed revision.",
    },
    upgradeBrokeResources: {
      summary: "Helm release {{namespace}}/{{release}} revision {{revision}} left {{unhealthy}} unhealthy; it changed {{firstChange}} (rollback target: revision {{previous}}, the last that deployed before it)",
      rootCause:
        "Revision {{revision}} deployed, and now {{unhealthyText}} Compared with revision {{previous}}, the last one before it that deployed, the release changed {{changes}}, which plausibly explains it.",
      remediation: "Roll back to the last good revision, then correct the change (values or chart) and upgrade again.",
    },
  },
  run({ index, now, report }) {
    for (const release of index.all<HelmRelease>("HelmRelease")) {
      const latest = latestRevision(release);
      if (!latest) continue;
      const namespace = release.metadata.namespace ?? release.releaseNamespace;
      const base = { namespace, release: release.metadata.name, revision: latest.revision, status: latest.status, chart: `${latest.chart.name}-${latest.chart.version}` };
      const previous = lastDeployedBefore(release, latest.revision);
      const subject = refOf(release);

      if (latest.status.startsWith("pending-")) {
        const since = latest.lastDeployed ?? latest.firstDeployed;
        const age = since ? now - Date.parse(since) : Number.NaN;
        if (!(age >= PENDING_GRACE_MS)) continue; // may still be running; unknown start time: cannot tell
        const operation = latest.status.slice("pending-".length);
        const remediation: Remediation[] = [];
        const inspect = `kubectl get secrets,configmaps -n ${namespace} -l owner=helm,name=${release.metadata.name}`;
        if (previous) {
          // No "rollback" field: undoing this would mean going back to the stuck revision.
          const { rollback: _undo, ...rollback } = rollbackRemediation(release, previous, latest);
          remediation.push(rollback);
          remediation.push({
            description: `If rollback is refused too: delete only the pending revision's storage so revision ${previous.revision} is the latest again (the cluster objects stay), then upgrade again`,
            command: `kubectl delete ${latest.storedIn.toLowerCase()} -n ${namespace}`,
            verify: helmCommand("history", release, "--max 3"),
          });
        } else {
          remediation.push({
            description: "No revision of this release ever deployed: uninstall it (removes what the install created) and install again",
            command: helmCommand("uninstall", release),
            verify: inspect,
          });
        }
        report("operationPending", {
          subject,
          data: { ...base, since: since ?? "unknown", operation },
          evidence: [
            ...revisionEvidence(release, latest, `the latest revision; pending for ${Math.round(age / 60000)} minutes`),
            ...(previous ? [{ ref: subject, path: `revisions[revision=${previous.revision}].status`, value: previous.status, note: "the last revision that deployed: the rollback target" }] : []),
          ],
          investigation: [
            historyStep(release, `revision ${latest.revision} ${latest.status} since ${since}`),
            { step: "Look for a helm process or job still running the operation", command: `kubectl get pods,jobs -A | grep -i helm`, result: "not checked: kubesleuth cannot see client processes", outcome: "unknown" },
          ],
          remediation,
        });
        continue;
      }

      const changes = previous ? diffRevisions(release, previous, latest).resources : [];
      const unhealthy: UnhealthyResource[] = [];
      for (const r of latest.resources) {
        const key = resourceKeyOf(r.object, namespace);
        const live = index.get<KubeObject>(key.kind, key.namespace, key.name);
        if (!live) continue;
        const bad = healthOf(index, live);
        if (bad) unhealthy.push(bad);
      }
      const unhealthyText = unhealthy.length
        ? `${unhealthy.map((u) => `${u.object.kind} ${u.object.metadata.name} ${u.problem}`).join("; ")}.`
        : "No resource of the release is unhealthy now.";

      if (latest.status === "failed") {
        const operation = latest.revision === 1 ? "install" : /^rollback/i.test(latest.description ?? "") ? "rollback" : "upgrade";
        const remediation: Remediation[] = previous
          ? [rollbackRemediation(release, previous, latest)]
          : [{ description: "No revision ever deployed: fix the cause, then uninstall and install again", command: helmCommand("uninstall", release), verify: helmCommand("status", release) }];
        report("releaseFailed", {
          subject,
          data: { ...base, operation, description: oneLine(latest.description ?? "(no description)"), unhealthyText },
          evidence: [...revisionEvidence(release, latest, "the latest revision"), ...unhealthy.flatMap((u) => u.evidence)],
          affected: workloadRefs(unhealthy),
          investigation: [historyStep(release, `revision ${latest.revision} failed: ${latest.description ?? ""}`), { step: "Show what Helm recorded", command: helmCommand("status", release), result: latest.description ?? "", outcome: "problem" }],
          remediation,
        });
        continue;
      }

      if (latest.status !== "deployed" || !previous || unhealthy.length === 0) continue;
      const explained = unhealthy
        .map((bad) => ({ bad, causes: plausibleCauses(index, bad, changes, namespace) }))
        .filter((x) => x.causes.length > 0);
      if (explained.length === 0) continue; // unhealthy, but nothing in the upgrade touches it: other analyzers report it
      const fieldsText = explained
        .flatMap((x) => x.causes.flatMap((c) => c.fields.map((f) => `${c.resource.resource.kind} ${c.resource.resource.name} ${formatChange(f)}`)))
        .filter((t, i, all) => all.indexOf(t) === i);
      const evidence: Evidence[] = [
        { ref: subject, path: `revisions[revision=${latest.revision}].status`, value: latest.status, note: `deployed ${latest.lastDeployed ?? ""}; stored in ${latest.storedIn}` },
        { ref: subject, path: `revisions[revision=${previous.revision}].status`, value: previous.status, note: "the last deployed revision before it: the rollback target" },
      ];
      const seen = new Set<string>();
      for (const x of explained) {
        evidence.push(...x.bad.evidence);
        for (const c of x.causes) {
          for (const f of c.fields.slice(0, MAX_CHANGES)) {
            const k = `${c.resource.resource.kind}/${c.resource.resource.name}/${f.path}`;
            if (seen.has(k)) continue;
            seen.add(k);
            evidence.push({
              ref: { kind: c.resource.resource.kind, namespace: c.resource.resource.namespace ?? namespace, name: c.resource.resource.name },
              path: f.path,
              value: f.new ?? null,
              note: `changed by revision ${latest.revision} (${categorize(f.path)}): was ${describeValue(f.old)} in revision ${previous.revision}`,
            });
          }
        }
      }
      const values = diffRevisions(release, previous, latest).values;
      const draft: FindingDraft = {
        subject,
        data: {
          ...base,
          previous: previous.revision,
          firstChange: fieldsText[0]! + (fieldsText.length > 1 ? ` and ${fieldsText.length - 1} more` : ""),
          unhealthy: explained.map((x) => `${x.bad.object.kind} ${x.bad.object.metadata.name}`).join(", "),
          unhealthyText: `${explained.map((x) => `${x.bad.object.kind} ${x.bad.object.metadata.name} ${x.bad.problem}`).join("; ")}.`,
          changes: fieldsText.slice(0, MAX_CHANGES).join("; ") + (fieldsText.length > MAX_CHANGES ? ` and ${fieldsText.length - MAX_CHANGES} more` : ""),
        },
        evidence,
        affected: workloadRefs(explained.map((x) => x.bad)),
        investigation: [
          historyStep(release, `revision ${latest.revision} deployed after revision ${previous.revision}`),
          {
            step: "Diff the two revisions",
            command: `kubesleuth helm diff ${release.metadata.name} ${previous.revision} ${latest.revision} -n ${namespace}`,
            result: fieldsText.slice(0, MAX_CHANGES).join("; "),
            outcome: "problem",
          },
          ...(values.length
            ? [{ step: "Compare the user-supplied values", command: `helm get values ${release.metadata.name} -n ${namespace} --revision ${latest.revision}`, result: values.slice(0, MAX_CHANGES).map(formatChange).join("; "), outcome: "problem" as const }]
            : []),
          ...explained.map((x) => ({
            step: `Check ${x.bad.object.kind} ${x.bad.object.metadata.name} now`,
            command: x.bad.object.kind === "Service" ? `kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${x.bad.object.metadata.name}` : `kubectl get ${x.bad.object.kind.toLowerCase()} ${x.bad.object.metadata.name} -n ${namespace} -o wide`,
            result: x.bad.problem,
            outcome: "problem" as const,
          })),
        ],
        remediation: [
          rollbackRemediation(release, previous, latest),
          ...(values.length
            ? [
                {
                  description: `Or correct the values revision ${latest.revision} changed (${values.slice(0, 3).map(formatChange).join("; ")}) in the saved values, then: helm upgrade ${release.metadata.name} <chart> --version ${latest.chart.version} -n ${namespace} -f values.yaml`,
                  command: `helm get values ${release.metadata.name} -n ${namespace} -o yaml > values.yaml`,
                },
              ]
            : []),
        ],
      };
      report("upgradeBrokeResources", draft);
    }
  },
});
