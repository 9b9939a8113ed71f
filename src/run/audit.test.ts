// The audit aggregation on hand-written events. Each expectation is reasoned in the test from the audit
// Event semantics (k8s.io/apiserver/pkg/apis/audit/v1) and RBAC, not taken from a run.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AuditEvent } from "../model/audit.js";
import { buildRbacIndex, type RoleBindingObject, type RoleObject } from "../engines/rbac/index.js";
import { AuditAggregator, parseForbiddenMessage, parseMicros } from "./audit.js";

const at = { file: "audit.log", line: 1 };
let seq = 0;

function event(overrides: Partial<AuditEvent> & { received?: string; latencyMs?: number } = {}): AuditEvent {
  const { received = "2026-11-28T10:00:00.000000Z", latencyMs = 10, ...rest } = overrides;
  const start = parseMicros(received)!;
  const end = new Date(Math.floor((start + latencyMs * 1000) / 1000)).toISOString().replace("Z", `${String((start + latencyMs * 1000) % 1000).padStart(3, "0")}Z`);
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    auditID: `id-${++seq}`,
    stage: "ResponseComplete",
    requestURI: "/api/v1/namespaces/shop/pods",
    verb: "get",
    user: { username: "alice", groups: ["system:authenticated"] },
    userAgent: "kubectl/v1.36.3",
    objectRef: { resource: "pods", namespace: "shop", apiVersion: "v1" },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: received,
    stageTimestamp: end,
    ...rest,
  };
}

describe("parseMicros", () => {
  it("keeps microseconds (Date.parse keeps ms only)", () => {
    assert.equal(parseMicros("2018-10-26T13:38:34.902914Z")! - parseMicros("2018-10-26T13:38:34.867116Z")!, 35798);
    assert.equal(parseMicros("2026-01-01T00:00:00Z"), Date.parse("2026-01-01T00:00:00Z") * 1000);
    assert.equal(parseMicros("nonsense"), undefined);
    // Offsets and no fraction take the general path: 12:00+02:00 is 10:00Z.
    assert.equal(parseMicros("2026-01-01T12:00:00.5+02:00"), Date.parse("2026-01-01T10:00:00Z") * 1000 + 500000);
    assert.equal(parseMicros("2026-01-01T10:00:00.000001Z")! - parseMicros("2026-01-01T09:59:59.999999Z")!, 2);
  });
});

describe("AuditAggregator: one request, several stages", () => {
  it("counts a request once by auditID, whatever the stage order; ResponseStarted only counts when nothing final follows", () => {
    const a = new AuditAggregator();
    const complete = event({ auditID: "x", stage: "ResponseComplete" });
    a.add({ ...complete, stage: "RequestReceived", responseStatus: undefined }, at);
    a.add({ ...complete, stage: "ResponseStarted" }, at);
    a.add(complete, at);
    // Rotated files read newest first: the final stage came before an earlier stage of the same request.
    a.add(event({ auditID: "y" }), at);
    a.add({ ...event({ auditID: "y" }), stage: "RequestReceived" }, at);
    // A watch cut off by the end of the log: only ResponseStarted.
    a.add(event({ auditID: "z", verb: "watch", stage: "ResponseStarted" }), at);
    const r = a.finish();
    assert.equal(r.events, 6);
    assert.equal(r.requests, 3);
    assert.equal(r.incomplete, 1);
    assert.equal(r.duplicates, 0);
  });

  it("latency from ResponseComplete only, long-running requests excluded; p50/p99 by nearest rank", () => {
    const a = new AuditAggregator();
    for (let i = 1; i <= 100; i++) a.add(event({ latencyMs: i }), at);
    a.add(event({ verb: "watch", latencyMs: 600_000 }), at); // watch: its duration is not latency
    a.add(event({ objectRef: { resource: "pods", subresource: "exec", namespace: "shop" }, verb: "create", latencyMs: 90_000 }), at);
    a.add(event({ stage: "Panic", latencyMs: 5000 }), at); // Panic: counted, but no latency (not ResponseComplete)
    const r = a.finish();
    const alice = r.topUsersByRequests.find((u) => u.name === "alice")!;
    assert.equal(alice.requests, 103);
    // 1..100 ms: nearest-rank p50 is the 50th value, p99 the 99th, max 100.
    assert.deepEqual(alice.latency, { count: 100, p50: 50, p99: 99, max: 100 });
  });
});

describe("AuditAggregator: 403s", () => {
  it("groups by subject and action; the impersonated user is the subject, the impersonator recorded", () => {
    const a = new AuditAggregator();
    const denied = { responseStatus: { code: 403, reason: "Forbidden", message: 'secrets is forbidden: User "system:serviceaccount:shop:api" cannot list resource "secrets"' } };
    const sa = { username: "system:serviceaccount:shop:api", groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"] };
    a.add(event({ ...denied, verb: "list", objectRef: { resource: "secrets", namespace: "shop" }, user: sa, received: "2026-11-28T10:00:01.000000Z" }), at);
    a.add(event({ ...denied, verb: "list", objectRef: { resource: "secrets", namespace: "shop" }, user: { username: "admin", groups: ["system:masters"] }, impersonatedUser: sa, received: "2026-11-28T10:00:05.000000Z" }), at);
    a.add(event({ ...denied, verb: "get", objectRef: { resource: "secrets", namespace: "shop", name: "db" }, user: sa }), at);
    const r = a.finish();
    assert.equal(r.forbiddenTotal, 3);
    assert.equal(r.forbidden.length, 2);
    const list = r.forbidden.find((g) => g.action.verb === "list")!;
    assert.equal(list.count, 2);
    assert.equal(list.user.name, sa.username);
    assert.deepEqual(list.impersonatedBy, ["admin"]);
    assert.equal(list.impersonated, 1); // one of the two lists was made by impersonation
    assert.equal(list.first, "2026-11-28T10:00:01.000000Z");
    assert.equal(list.last, "2026-11-28T10:00:05.000000Z");
    // No snapshot: the grant is built from the request alone and marked unverified.
    assert.equal(list.explanation.verdict, "unexplained");
    assert.equal(list.explanation.minimalGrant?.verifiedAgainst, "none");
    assert.deepEqual(list.explanation.minimalGrant?.role.rules, [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }]);
    assert.equal(list.explanation.minimalGrant?.role.kind, "Role");
  });

  it("decision allow: the 403 came after authorization (admission), no RBAC grant suggested", () => {
    const a = new AuditAggregator();
    a.add(
      event({
        verb: "create",
        responseStatus: { code: 403, message: 'pods "x" is forbidden: violates PodSecurity "restricted:latest"' },
        annotations: { "authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": 'RBAC: allowed by RoleBinding "edit/shop"' },
      }),
      at,
    );
    const r = a.finish();
    assert.equal(r.forbidden[0]!.explanation.verdict, "admission");
    assert.equal(r.forbidden[0]!.explanation.minimalGrant, undefined);
    assert.equal(r.grants.length, 0);
  });

  it("with a snapshot: RBAC denial explained (the Role grants configmaps only), the grant verified; an allowed-now request says so", () => {
    const index = buildRbacIndex({
      roles: [{ metadata: { name: "config-reader", namespace: "shop" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }] }],
      roleBindings: [
        { metadata: { name: "api-config", namespace: "shop" }, roleRef: { kind: "Role", name: "config-reader" }, subjects: [{ kind: "ServiceAccount", name: "api", namespace: "shop" }] },
      ],
    });
    const sa = { username: "system:serviceaccount:shop:api", groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"] };
    const a = new AuditAggregator();
    const forbid = { "authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": "" };
    a.add(event({ user: sa, verb: "get", objectRef: { resource: "secrets", namespace: "shop", name: "db" }, responseStatus: { code: 403 }, annotations: forbid }), at);
    a.add(event({ user: sa, verb: "list", objectRef: { resource: "configmaps", namespace: "shop" }, responseStatus: { code: 403 }, annotations: forbid }), at);
    const r = a.finish({ index, indexSource: "rbac.yaml" });
    const secret = r.forbidden.find((g) => g.action.resource === "secrets")!;
    assert.equal(secret.explanation.verdict, "rbac-denied");
    // The nearest rule: config-reader grants get, but on configmaps, not secrets.
    assert.ok(secret.explanation.nearest?.some((m) => m.kind === "wrong-resource" && m.binding.name === "api-config"));
    assert.equal(secret.explanation.minimalGrant?.verified, true);
    assert.deepEqual(secret.explanation.minimalGrant?.role.rules, [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["db"] }]);
    // The configmaps list is granted by the snapshot's Role: not a current RBAC denial, and no grant for it.
    assert.equal(r.forbidden.find((g) => g.action.resource === "configmaps")!.explanation.verdict, "rbac-allows-now");
    assert.equal(r.grants.length, 1);
    assert.equal(r.grants[0]!.verified, true);
    assert.equal(r.grants[0]!.covers, 1);
    const binding = r.grants[0]!.objects.find((o) => o.kind === "RoleBinding") as RoleBindingObject;
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "api", namespace: "shop" }]);
  });

  it("non-resource URLs and cluster-scoped resources get a ClusterRole", () => {
    const a = new AuditAggregator();
    a.add(event({ verb: "get", requestURI: "/metrics", objectRef: undefined, responseStatus: { code: 403 } }), at);
    a.add(event({ verb: "list", requestURI: "/api/v1/nodes", objectRef: { resource: "nodes" }, responseStatus: { code: 403 } }), at);
    const r = a.finish();
    const url = r.forbidden.find((g) => g.action.nonResourceURL === "/metrics")!;
    assert.equal(url.explanation.minimalGrant?.role.kind, "ClusterRole");
    assert.deepEqual(url.explanation.minimalGrant?.role.rules, [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }]);
    const grant = r.grants[0]!;
    assert.deepEqual(grant.objects.map((o) => o.kind), ["ClusterRole", "ClusterRoleBinding"]);
    assert.deepEqual((grant.objects[0] as RoleObject).rules, [
      { nonResourceURLs: ["/metrics"], verbs: ["get"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["list"] },
    ]);
  });
});

describe("403 messages (apiserver responsewriters forbiddenMessage + apierrors.NewForbidden)", () => {
  it("parses resource, subresource, group, namespace, name and non-resource paths", () => {
    assert.deepEqual(parseForbiddenMessage('pods "web-0" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "shop"'), {
      user: "alice",
      verb: "get",
      resource: "pods",
      subresource: "log",
      apiGroup: "",
      namespace: "shop",
      name: "web-0",
    });
    assert.deepEqual(parseForbiddenMessage('deployments.apps is forbidden: User "system:serviceaccount:ci:deployer" cannot list resource "deployments" in API group "apps" at the cluster scope'), {
      user: "system:serviceaccount:ci:deployer",
      verb: "list",
      resource: "deployments",
      apiGroup: "apps",
    });
    assert.deepEqual(parseForbiddenMessage('forbidden: User "system:anonymous" cannot get path "/metrics"'), { user: "system:anonymous", verb: "get", path: "/metrics" });
    assert.equal(parseForbiddenMessage("admission webhook denied the request"), undefined);
  });

  it("a 403 at impersonation is the impersonator's failed check, not the request it wanted; no grant is suggested", () => {
    const a = new AuditAggregator();
    // bob runs `kubectl get pods --as alice` without the impersonate verb: the impersonation filter refuses it
    // (no impersonatedUser in the event; the message names the impersonate check).
    a.add(
      event({
        verb: "list",
        user: { username: "bob", groups: ["system:authenticated"] },
        responseStatus: { code: 403, message: 'users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope' },
      }),
      at,
    );
    // Constrained impersonation (Kubernetes 1.36, seen on the test control plane): the message prefixes the
    // request's resource and names the impersonate-on check.
    a.add(
      event({
        verb: "list",
        user: { username: "carol", groups: ["system:authenticated"] },
        responseStatus: { code: 403, message: 'pods is forbidden: User "carol" cannot impersonate-on:user-info:list resource "pods" in API group "" in the namespace "team-a"' },
      }),
      at,
    );
    const r = a.finish();
    const bob = r.forbidden.find((g) => g.user.name === "bob")!;
    assert.equal(bob.impersonationDenied, true);
    assert.deepEqual(bob.action, { verb: "impersonate", apiGroup: "", resource: "users", name: "alice" });
    assert.equal(bob.explanation.verdict, "impersonation-denied");
    assert.equal(bob.explanation.minimalGrant, undefined);
    const carol = r.forbidden.find((g) => g.user.name === "carol")!;
    // "pods is forbidden" names the request, not an object of the check: no name.
    assert.deepEqual(carol.action, { verb: "impersonate-on:user-info:list", apiGroup: "", resource: "pods", namespace: "team-a" });
    assert.equal(r.grants.length, 0);
  });
});

describe("AuditAggregator: load signals", () => {
  it("LISTs without limit: limit absent or 0 counts, limit=500 does not; item counts from responseObject", () => {
    const a = new AuditAggregator();
    a.add(event({ verb: "list", requestURI: "/api/v1/pods", objectRef: { resource: "pods" } }), at);
    a.add(event({ verb: "list", requestURI: "/api/v1/pods?limit=0", objectRef: { resource: "pods" }, responseObject: { items: new Array(700).fill({}) } }), at);
    a.add(event({ verb: "list", requestURI: "/api/v1/pods?limit=500", objectRef: { resource: "pods" } }), at);
    a.add(event({ verb: "list", requestURI: "/apis/apps/v1/namespaces/shop/deployments", objectRef: { resource: "deployments", namespace: "shop", apiGroup: "apps" }, responseObject: { items: [{}] } }), at);
    const r = a.finish();
    assert.equal(r.unlimitedLists.length, 2);
    const pods = r.unlimitedLists[0]!;
    assert.deepEqual([pods.resource, pods.namespace, pods.count, pods.maxItems, pods.large], ["pods", undefined, 2, 700, true]);
    const deployments = r.unlimitedLists[1]!;
    assert.deepEqual([deployments.apiGroup, deployments.namespace, deployments.large], ["apps", "shop", false]);
  });

  it("watch storm: 10 watches of one resource by one client within 60 s; 9 is not, another resource is separate", () => {
    const a = new AuditAggregator();
    const watch = (second: number, resource = "pods", agent = "bad-operator/1.0") =>
      event({ verb: "watch", objectRef: { resource }, userAgent: agent, received: `2026-11-28T10:${String(Math.floor(second / 60)).padStart(2, "0")}:${String(second % 60).padStart(2, "0")}.000000Z` });
    for (let s = 0; s < 10; s++) a.add(watch(s * 6), at); // 0..54 s: 10 in one minute
    for (let s = 0; s < 9; s++) a.add(watch(s, "configmaps"), at); // 9: below the threshold
    for (let s = 0; s < 10; s++) a.add(watch(s * 61, "secrets"), at); // 10, but 61 s apart
    const r = a.finish();
    assert.equal(r.watchStorms.length, 1);
    assert.deepEqual([r.watchStorms[0]!.resource, r.watchStorms[0]!.inWindow, r.watchStorms[0]!.total, r.watchStorms[0]!.windowStart], ["pods", 10, 10, "2026-11-28T10:00:00.000Z"]);
  });

  it("429s and 5xx per minute; the window and the rate", () => {
    const a = new AuditAggregator();
    a.add(event({ received: "2026-11-28T10:00:00.000000Z", latencyMs: 0, responseStatus: { code: 429 } }), at);
    a.add(event({ received: "2026-11-28T10:00:30.000000Z", latencyMs: 0, responseStatus: { code: 503 } }), at);
    a.add(event({ received: "2026-11-28T10:01:10.000000Z", latencyMs: 0 }), at);
    a.add(event({ received: "2026-11-28T10:02:00.000000Z", latencyMs: 0, responseStatus: { code: 500 } }), at);
    const r = a.finish();
    assert.deepEqual(r.throttlingAndErrors, [
      { minute: "2026-11-28T10:00:00.000Z", requests: 2, tooManyRequests: 1, serverErrors: 1, codes: { "503": 1 } },
      { minute: "2026-11-28T10:02:00.000Z", requests: 1, tooManyRequests: 0, serverErrors: 1, codes: { "500": 1 } },
    ]);
    // 4 requests over 120 s.
    assert.deepEqual(r.window, { start: "2026-11-28T10:00:00.000Z", end: "2026-11-28T10:02:00.000Z", seconds: 120, requestsPerSecond: 0.03333 });
  });
});
