// kubesleuth as a user with little access: limited-viewer is bound (RoleBinding team-a/limited-viewer-view) to the
// built-in ClusterRole `view` in namespace team-a only. A scan must complete, say in `coverage` what it could not
// read ("forbidden"), and exit by the usual contract (0 or 1 by the findings, never 2 for missing permissions).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import type { Report } from "../../src/model/finding.js";
import { KINDS } from "../../src/model/kinds.js";
import { apply, kubectl, readClusterEnv, sleuth, type ClusterEnv } from "./harness.js";
import { schemaErrors } from "../report-schema.js";

/**
 * What `view`, granted through a RoleBinding in one namespace, allows a list of each kind kubesleuth knows, when
 * the list is scoped to that namespace (`-n team-a`). Reasoned from the role's rules, not recorded from a run:
 * - `view` grants get/list/watch on the namespaced read-only kinds (core: pods, services, endpoints, configmaps,
 *   serviceaccounts, persistentvolumeclaims, replicationcontrollers, resourcequotas, limitranges, events; apps;
 *   batch; discovery.k8s.io endpointslices; networking.k8s.io ingresses and networkpolicies; policy PDBs).
 * - It deliberately leaves out Secrets (reading them would let a viewer act as any ServiceAccount), RBAC objects
 *   and Leases.
 * - A RoleBinding only grants inside its namespace: cluster-scoped kinds (nodes, persistentvolumes, storage and
 *   ingress classes, cluster roles, ...) are never granted, and neither is listing `namespaces` (a cluster-scoped
 *   list; `view`'s namespaces rule would only let the viewer get team-a itself).
 */
const IN_NAMESPACE: Record<string, "ok" | "forbidden" | "absent"> = {
  Pod: "ok",
  Service: "ok",
  Endpoints: "ok",
  ConfigMap: "ok",
  ServiceAccount: "ok",
  PersistentVolumeClaim: "ok",
  Event: "ok",
  ReplicationController: "ok",
  ResourceQuota: "ok",
  LimitRange: "ok",
  Deployment: "ok",
  ReplicaSet: "ok",
  StatefulSet: "ok",
  DaemonSet: "ok",
  ControllerRevision: "ok",
  Job: "ok",
  CronJob: "ok",
  EndpointSlice: "ok",
  Ingress: "ok",
  NetworkPolicy: "ok",
  PodDisruptionBudget: "ok",
  Secret: "forbidden",
  Role: "forbidden",
  RoleBinding: "forbidden",
  Lease: "forbidden",
  // cluster-scoped
  Namespace: "forbidden",
  Node: "forbidden",
  PersistentVolume: "forbidden",
  IngressClass: "forbidden",
  StorageClass: "forbidden",
  CSIDriver: "forbidden",
  CSINode: "forbidden",
  ClusterRole: "forbidden",
  ClusterRoleBinding: "forbidden",
  PriorityClass: "forbidden",
  CustomResourceDefinition: "forbidden",
  APIService: "forbidden",
  ValidatingWebhookConfiguration: "forbidden",
  MutatingWebhookConfiguration: "forbidden",
  ComponentStatus: "forbidden",
  // Gateway API CRDs are not installed on the test control plane.
  Gateway: "absent",
  HTTPRoute: "absent",
  // Not a kind: the API server's /metrics (a non-resource URL `view` does not grant; /livez, /readyz and
  // /version are public to authenticated users via system:public-info-viewer).
  "/metrics": "forbidden",
  // metrics.k8s.io is not served on the test control plane (no metrics-server): absent whatever the identity.
  PodMetrics: "absent",
  NodeMetrics: "absent",
  // Not an API kind: Helm releases are decoded from their Secrets, which `view` does not grant.
  HelmRelease: "forbidden",
  // Not a kind: the kubelets' volume stats (nodes/proxy). Not asked: the Node list is forbidden to `view`.
  "/stats/summary": "forbidden",
};

/** Across all namespaces (no -n), the RoleBinding grants nothing: every list is at the cluster scope. */
const ALL_NAMESPACES: Record<string, "forbidden" | "absent"> = Object.fromEntries(
  Object.entries(IN_NAMESPACE).map(([k, v]) => [k, v === "absent" ? ("absent" as const) : ("forbidden" as const)]),
);

/** A problem planted in team-a, so the namespaced scan has something real to find. */
const PLANTED = "e2e-limited-orphan";

describe("scan as the limited viewer (view on team-a only)", () => {
  let env: ClusterEnv;
  let ns: string;
  let auditOffset = 0;
  let startedAt = 0;

  before(() => {
    env = readClusterEnv();
    ns = env.viewerNamespace;
    apply(env, {
      yaml: `apiVersion: v1
kind: Service
metadata: { name: ${PLANTED}, namespace: ${ns} }
spec:
  selector: { app: ${PLANTED}-nothing-has-this-label }
  ports: [{ port: 80, targetPort: 8080 }]
`,
    });
    auditOffset = statSync(env.auditLog).size;
    startedAt = Date.now();
  });

  after(() => {
    if (env) kubectl(env, ["delete", "service", PLANTED, "-n", ns, "--ignore-not-found"]);
  });

  it("the table covers every kind kubesleuth knows", () => {
    assert.deepEqual(KINDS.map((k) => k.kind).filter((k) => !(k in IN_NAMESPACE)), []);
  });

  function coverageStatuses(report: Report): Record<string, string> {
    return Object.fromEntries(Object.entries(report.coverage).map(([kind, c]) => [kind, c.status]));
  }

  it("all namespaces: completes, every served kind forbidden in coverage, exit 0 (nothing read, nothing found)", async () => {
    const run = await sleuth(env, ["scan", "-o", "json"], env.viewerKubeconfig);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(schemaErrors(report), []);
    const statuses = coverageStatuses(report);
    assert.ok(Object.keys(statuses).length >= 10, `coverage lists the kinds the scan needed: ${Object.keys(statuses).join(", ")}`);
    const expected = Object.fromEntries(Object.keys(statuses).map((k) => [k, ALL_NAMESPACES[k] ?? `(not in the table: ${k})`]));
    assert.deepEqual(statuses, expected);
    for (const [kind, c] of Object.entries(report.coverage)) {
      if (c.status === "absent") continue; // not served at all: nothing was refused
      if (kind === "/stats/summary") {
        assert.match(c.note ?? "", /the Node list is forbidden/, "/stats/summary: the note says why no kubelet was asked");
        continue;
      }
      if (kind === "/metrics") {
        assert.match(c.note ?? "", /forbidden \(HTTP 403\)/, "/metrics: the note says the API server refused it");
        continue;
      }
      assert.match(c.note ?? "", /forbidden: User "limited-viewer" cannot list/, `${kind}: the note quotes the API server's refusal`);
      assert.equal(c.count, 0);
    }
    assert.deepEqual(report.findings, []);
  });

  it(`-n team-a: reads what view grants there, marks the rest forbidden, finds the planted Service, exit 1`, async () => {
    const run = await sleuth(env, ["scan", "-n", ns, "-o", "json"], env.viewerKubeconfig);
    assert.equal(run.code, 1, `an error finding with the default --fail-on error; stderr: ${run.stderr}`);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(schemaErrors(report), []);
    const statuses = coverageStatuses(report);
    const expected = Object.fromEntries(Object.keys(statuses).map((k) => [k, IN_NAMESPACE[k] ?? `(not in the table: ${k})`]));
    assert.deepEqual(statuses, expected);
    // The kinds this needs were read, so the finding is real, not an artefact of missing data.
    assert.equal(statuses.Service, "ok");
    assert.equal(statuses.Pod, "ok");
    assert.ok(
      report.findings.some((f) => f.code === "service-selects-no-pods/noMatch" && f.subject.kind === "Service" && f.subject.namespace === ns && f.subject.name === PLANTED),
      `findings: ${report.findings.map((f) => `${f.code} ${f.subject.kind}/${f.subject.name}`).join("; ")}`,
    );
    // Only team-a was read: nothing from another namespace.
    assert.deepEqual(report.findings.filter((f) => f.subject.namespace !== undefined && f.subject.namespace !== ns).map((f) => f.code), []);
  });

  it(`-n team-a, text output: says which kinds were not read`, async () => {
    const run = await sleuth(env, ["scan", "-n", ns], env.viewerKubeconfig);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /Not fully read/);
    assert.match(run.stdout, /- Node: forbidden/);
    assert.match(run.stdout, /- Secret: forbidden/);
  });

  it("the audit log shows the viewer's reads and the API server's 403s, and no write", async () => {
    await new Promise((r) => setTimeout(r, 500));
    const events = readFileSync(env.auditLog, "utf8")
      .slice(auditOffset)
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { user?: { username?: string }; verb?: string; objectRef?: { resource?: string; namespace?: string }; responseStatus?: { code?: number }; stageTimestamp?: string })
      .filter((e) => e.user?.username === env.raw.KS_VIEWER_USER && Date.parse(e.stageTimestamp ?? "") >= startedAt - 1000);
    assert.ok(events.length > 0, "the viewer's requests are in the audit log");
    const verbs = [...new Set(events.map((e) => e.verb))].sort();
    assert.ok(verbs.every((v) => v === "get" || v === "list"), `only get/list, saw ${verbs.join(", ")}`);
    assert.ok(events.some((e) => e.verb === "list" && e.objectRef?.resource === "nodes" && e.responseStatus?.code === 403), "listing nodes was refused with 403");
    assert.ok(events.some((e) => e.verb === "list" && e.objectRef?.resource === "secrets" && e.objectRef.namespace === ns && e.responseStatus?.code === 403), "listing secrets in team-a was refused with 403");
    assert.ok(events.some((e) => e.verb === "list" && e.objectRef?.resource === "pods" && e.objectRef.namespace === ns && e.responseStatus?.code === 200), "listing pods in team-a was allowed");
  });
});
