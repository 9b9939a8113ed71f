// `kubesleuth can-i`, `who-can`, `rbac list` end to end, in-process, over test/fixtures/rbac/cluster.yaml.
// Every expected answer is reasoned from Kubernetes RBAC semantics (the comment says why), not copied
// from kubesleuth's output.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./cli-harness.js";
import type { KubeObject } from "../src/model/kube.js";

const F = ["--snapshot", "test/fixtures/rbac/cluster.yaml"];
const canI = (...args: string[]) => runCli(["can-i", ...args, ...F]);
const json = (stdout: string) => JSON.parse(stdout);
type SubjectRow = { kind: string; name: string; namespace?: string };

describe("kubesleuth can-i", () => {
  it("allowed: exit 0 and yes (RoleBinding shop/read-pods -> Role pod-reader grants alice get pods in shop)", async () => {
    const r = await canI("get", "pods", "-n", "shop", "--as", "alice");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "yes\n");
  });

  it("-n scoping: a RoleBinding grants only in its namespace (alice in dev: no, exit 1)", async () => {
    const r = await canI("get", "pods", "-n", "dev", "--as", "alice");
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "no\n");
    // Without -n the namespace is "default", as kubectl's: nothing is bound there.
    assert.equal((await canI("get", "pods", "--as", "alice")).code, 1);
  });

  it("subresources as kubectl: pods does not grant pods/exec; the rule on pods/log grants --subresource log", async () => {
    assert.equal((await canI("get", "pods", "--subresource", "log", "-n", "shop", "--as", "alice")).code, 0);
    assert.equal((await canI("create", "pods", "--subresource", "exec", "-n", "shop", "--as", "alice")).code, 1);
    // pods/log is kubectl's TYPE/NAME: the pod named "log", which get pods (any name) allows; a warning says so.
    const r = await canI("get", "pods/log", "-n", "shop", "--as", "alice");
    assert.equal(r.code, 0);
    assert.match(r.stderr, /--subresource log/);
  });

  it("--as-sa: a ServiceAccount subject without namespace in a RoleBinding means the binding's namespace", async () => {
    assert.equal((await canI("list", "pods", "-n", "shop", "--as-sa", "shop/api")).code, 0);
    // Same name, other namespace: system:serviceaccount:other:api is not the subject.
    assert.equal((await canI("list", "pods", "-n", "shop", "--as-sa", "other/api")).code, 1);
  });

  it("--as-sa carries the two implicit service account groups (system:serviceaccounts:shop is bound to configmap-reader)", async () => {
    assert.equal((await canI("get", "configmaps", "-n", "shop", "--as-sa", "shop/worker")).code, 0);
    // kubectl --as with a service account username and no --as-group: the impersonation filter adds the SA groups.
    assert.equal((await canI("get", "configmaps", "-n", "shop", "--as", "system:serviceaccount:shop:worker")).code, 0);
    // With an explicit --as-group the impersonated groups are exactly those given (plus system:authenticated).
    assert.equal((await canI("get", "configmaps", "-n", "shop", "--as", "system:serviceaccount:shop:worker", "--as-group", "team")).code, 1);
    // A plain user "worker" is in no service account group.
    assert.equal((await canI("get", "configmaps", "-n", "shop", "--as", "worker")).code, 1);
    const j = json((await canI("get", "configmaps", "-n", "shop", "--as-sa", "shop/worker", "-o", "json")).stdout);
    assert.deepEqual(j.user, { name: "system:serviceaccount:shop:worker", groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"] });
  });

  it("a RoleBinding to a ClusterRole grants in the binding's namespace only; -A asks for a cluster-wide grant", async () => {
    assert.equal((await canI("get", "secrets", "-n", "dev", "--as", "dave", "--as-group", "developers")).code, 0);
    assert.equal((await canI("get", "secrets", "-n", "shop", "--as", "dave", "--as-group", "developers")).code, 1);
    assert.equal((await canI("get", "secrets", "-A", "--as", "dave", "--as-group", "developers")).code, 1);
  });

  it("cluster-scoped resources and non-resource URLs through a ClusterRoleBinding", async () => {
    assert.equal((await canI("list", "nodes", "--as-sa", "monitoring/prometheus")).code, 0);
    assert.equal((await canI("delete", "nodes", "--as-sa", "monitoring/prometheus")).code, 1);
    assert.equal((await canI("get", "/healthz", "--as-sa", "monitoring/prometheus")).code, 0);
    assert.equal((await canI("get", "/metrics", "--as-sa", "monitoring/prometheus")).code, 1);
    // /version is bound to system:authenticated, which every --as user gets.
    assert.equal((await canI("get", "/version", "--as", "anyone")).code, 0);
  });

  it("TYPE spellings as kubectl: kind, short name, resource.group; a wrong explicit group is not granted", async () => {
    for (const type of ["deployments", "deploy", "Deployment", "deployments.apps", "deployments.v1.apps"]) {
      assert.equal((await canI("create", type, "-n", "shop", "--as", "carol")).code, 0, type);
    }
    // deployment-editor grants group "apps" only; extensions is another group.
    assert.equal((await canI("create", "deployments.extensions", "-n", "shop", "--as", "carol")).code, 1);
  });

  it("--explain on a denial: the nearest miss (wrong verb on pod-reader) and a verified minimal Role + RoleBinding", async () => {
    const r = await canI("delete", "pods", "-n", "shop", "--as", "alice", "--explain");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^no\n/);
    assert.match(r.stdout, /wrong-verb: RoleBinding shop\/read-pods/);
    assert.match(r.stdout, /minimal grant \(verified/);
    assert.match(r.stdout, /kind: Role\n/);
    assert.match(r.stdout, /kind: RoleBinding\n/);
    const j = json((await canI("delete", "pods", "-n", "shop", "--as", "alice", "--explain", "-o", "json")).stdout);
    assert.equal(j.allowed, false);
    assert.equal(j.explanation.nearest[0].kind, "wrong-verb");
    assert.deepEqual(j.explanation.nearest[0].binding, { kind: "RoleBinding", namespace: "shop", name: "read-pods" });
    const grant = j.explanation.minimalGrant;
    assert.equal(grant.verified, true);
    // Smallest grant: one rule, exactly the verb, group and resource asked for, in shop, bound to User alice.
    assert.deepEqual(grant.role.rules, [{ apiGroups: [""], resources: ["pods"], verbs: ["delete"] }]);
    assert.equal(grant.role.kind, "Role");
    assert.equal(grant.role.metadata.namespace, "shop");
    assert.deepEqual(grant.binding.subjects, [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" }]);
    assert.deepEqual(grant.binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: grant.role.metadata.name });
  });

  it("--explain on a cluster-scoped denial proposes a ClusterRole + ClusterRoleBinding (a RoleBinding cannot grant nodes)", async () => {
    const j = json((await canI("delete", "nodes", "--as-sa", "monitoring/prometheus", "--explain", "-o", "json")).stdout);
    assert.equal(j.explanation.minimalGrant.role.kind, "ClusterRole");
    assert.equal(j.explanation.minimalGrant.binding.kind, "ClusterRoleBinding");
    assert.deepEqual(j.explanation.minimalGrant.binding.subjects, [{ kind: "ServiceAccount", name: "prometheus", namespace: "monitoring" }]);
  });

  it("a binding to a missing Role grants nothing and is reported", async () => {
    const r = await canI("get", "pods", "-n", "shop", "--as", "bob", "--explain");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /missing-role: RoleBinding shop\/broken/);
    const j = json((await canI("get", "pods", "-n", "shop", "--as", "bob", "-o", "json")).stdout);
    assert.deepEqual(j.errors, ['role.rbac.authorization.k8s.io "does-not-exist" not found']);
  });

  it("JSON: allowed, grantedBy with binding, role, rule and subject", async () => {
    const r = await canI("get", "pods", "-n", "shop", "--as", "alice", "-o", "json");
    assert.equal(r.code, 0);
    const j = json(r.stdout);
    assert.equal(j.allowed, true);
    assert.deepEqual(j.grantedBy, [
      {
        binding: { kind: "RoleBinding", namespace: "shop", name: "read-pods" },
        role: { kind: "Role", namespace: "shop", name: "pod-reader" },
        ruleIndex: 0,
        rule: { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
        subject: { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
      },
    ]);
    assert.deepEqual(j.request, { verb: "get", apiGroup: "", resource: "pods", namespace: "shop" });
    const denied = json((await canI("get", "pods", "-n", "dev", "--as", "alice", "-o", "json")).stdout);
    assert.equal(denied.allowed, false);
    assert.deepEqual(denied.grantedBy, []);
  });

  it("system:masters is allowed by the API server before RBAC, and the output says so", async () => {
    const r = await canI("delete", "nodes", "--as", "admin", "--as-group", "system:masters");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^yes\n/);
    assert.match(r.stdout, /system:masters \(authorizer bypass\)/);
    const j = json((await canI("delete", "nodes", "--as", "admin", "--as-group", "system:masters", "-o", "json")).stdout);
    assert.equal(j.allowed, true);
    assert.equal(j.bypass, "system:masters");
    assert.equal(j.rbacAllowed, false); // no RBAC object grants it
  });

  it("system:node users get a note that the Node authorizer is not modelled", async () => {
    const r = await canI("get", "pods", "-n", "shop", "--as", "system:node:worker-1", "--as-group", "system:nodes");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Node authorizer/);
  });

  it("usage errors exit 2: bad verb, unknown type, no identity, --subresource with a URL, --as with --as-sa, -n with -A", async () => {
    const cases: [string[], RegExp][] = [
      [["GET", "pods", "--as", "alice"], /invalid verb "GET"/],
      [["get,list", "pods", "--as", "alice"], /invalid verb/],
      [["get", "pdos", "--as", "alice"], /unknown resource type "pdos"/],
      [["get", "pods"], /--as <user> or --as-sa/],
      [["get", "/healthz", "--subresource", "log", "--as", "alice"], /--subresource can not be used with NonResourceURL/],
      [["get", "pods", "--as", "alice", "--as-sa", "shop/api"], /cannot be used together/],
      [["get", "pods", "--as-sa", "api"], /namespace\/name/],
      [["get", "pods", "-n", "shop", "-A", "--as", "alice"], /-n and -A/],
      [["get"], /two arguments/],
    ];
    for (const [args, message] of cases) {
      const r = await canI(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
      assert.equal(r.stdout, "");
    }
  });

  it("source errors exit 2: a missing snapshot, a snapshot without RBAC objects", async () => {
    assert.equal((await runCli(["can-i", "get", "pods", "--as", "alice", "--snapshot", "/nonexistent/rbac.yaml"])).code, 2);
    const dir = mkdtempSync(join(tmpdir(), "kubesleuth-rbac-"));
    const file = join(dir, "pods.yaml");
    writeFileSync(file, "apiVersion: v1\nkind: Pod\nmetadata: { name: web, namespace: shop }\nspec: { containers: [ { name: web, image: nginx } ] }\n");
    const r = await runCli(["can-i", "get", "pods", "--as", "alice", "--snapshot", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no RBAC objects/);
  });
});

describe("kubesleuth who-can", () => {
  it("lists system:masters, then the subjects of bindings whose role allows the request, with via", async () => {
    const r = await runCli(["who-can", "get", "pods", "-n", "shop", "-o", "json", ...F]);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r.stdout);
    // pod-reader (RoleBinding shop/read-pods) grants get pods to alice and SA shop/api; bob's binding names a
    // missing Role (an error, not a subject); nothing else grants pods.
    assert.deepEqual(
      j.subjects.map((s: SubjectRow) => ({ kind: s.kind, name: s.name, namespace: s.namespace })),
      [
        { kind: "Group", name: "system:masters", namespace: undefined },
        { kind: "User", name: "alice", namespace: undefined },
        { kind: "ServiceAccount", name: "api", namespace: "shop" },
      ],
    );
    assert.deepEqual(j.subjects[1].via, [{ binding: { kind: "RoleBinding", namespace: "shop", name: "read-pods" }, role: { kind: "Role", namespace: "shop", name: "pod-reader" }, ruleIndex: 0 }]);
    assert.deepEqual(j.errors, ['RoleBinding shop/broken: role.rbac.authorization.k8s.io "does-not-exist" not found']);
  });

  it("a RoleBinding to a ClusterRole counts in its namespace only; -A collects every namespace", async () => {
    const names = async (...args: string[]) => json((await runCli(["who-can", ...args, "-o", "json", ...F])).stdout).subjects.map((s: SubjectRow) => s.name);
    assert.deepEqual(await names("get", "secrets", "-n", "dev"), ["system:masters", "developers"]);
    assert.deepEqual(await names("get", "secrets", "-n", "shop"), ["system:masters"]);
    assert.deepEqual(await names("get", "secrets", "-A"), ["system:masters", "developers"]);
    // Cluster-scoped: only ClusterRoleBindings; non-resource URLs too.
    assert.deepEqual(await names("list", "nodes"), ["system:masters", "prometheus"]);
    assert.deepEqual(await names("get", "/version"), ["system:masters", "system:authenticated"]);
  });

  it("text output is a table", async () => {
    const r = await runCli(["who-can", "get", "pods", "-n", "shop", ...F]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Who can get pods in namespace shop:\nKIND +NAME +NAMESPACE +VIA\n/);
    assert.match(r.stdout, /ServiceAccount +api +shop +RoleBinding shop\/read-pods \(Role shop\/pod-reader\)/);
  });

  it("usage errors exit 2", async () => {
    assert.equal((await runCli(["who-can", "get", "nosuchthing", ...F])).code, 2);
    assert.equal((await runCli(["who-can", "Get", "pods", ...F])).code, 2);
  });
});

describe("kubesleuth rbac list", () => {
  it("everything alice may do in shop: pod-reader's rules plus what system:authenticated has (basic-user)", async () => {
    const r = await runCli(["rbac", "list", "user/alice", "-n", "shop", ...F]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^pods +\[\] +\[\] +\[get list watch\]$/m);
    assert.match(r.stdout, /^pods\/log +\[\] +\[\] +\[get\]$/m);
    assert.match(r.stdout, /^selfsubjectaccessreviews\.authorization\.k8s\.io +\[\] +\[\] +\[create\]$/m);
    assert.match(r.stdout, /^ +\[\/version\] +\[\] +\[get\]$/m);
    assert.doesNotMatch(r.stdout, /secrets|deployments/);
  });

  it("JSON, a service account with its implicit groups, a group, and namespace scoping", async () => {
    const sa = json((await runCli(["rbac", "list", "sa/shop/worker", "-n", "shop", "-o", "json", ...F])).stdout);
    assert.deepEqual(sa.subject, { kind: "ServiceAccount", namespace: "shop", name: "worker" });
    // configmap-reader via system:serviceaccounts:shop, basic-user via system:authenticated.
    assert.deepEqual(sa.resourceRules, [
      { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews"] },
      { verbs: ["get"], apiGroups: [""], resources: ["configmaps"] },
    ]);
    assert.deepEqual(sa.nonResourceRules, [{ verbs: ["get"], nonResourceURLs: ["/version"] }]);
    const dev = json((await runCli(["rbac", "list", "group/developers", "-n", "dev", "-o", "json", ...F])).stdout);
    assert.deepEqual(dev.resourceRules, [{ verbs: ["get", "list"], apiGroups: [""], resources: ["secrets"] }]);
    const devInShop = json((await runCli(["rbac", "list", "group/developers", "-n", "shop", "-o", "json", ...F])).stdout);
    assert.deepEqual(devInShop.resourceRules, []);
  });

  it("usage errors exit 2", async () => {
    assert.equal((await runCli(["rbac", "list", "robot/x", ...F])).code, 2);
    assert.equal((await runCli(["rbac", "list", "sa/x", ...F])).code, 2);
    assert.equal((await runCli(["rbac", "list", "user/alice", "-A", ...F])).code, 2);
  });
});

describe("rbac commands on a live cluster (fake API server)", () => {
  it("reads only the four RBAC kinds and answers as from the snapshot; a forbidden kind is a warning", async () => {
    const { loadAll } = await import("js-yaml");
    const { readFileSync } = await import("node:fs");
    const { startFakeApiServer, writeKubeconfig } = await import("../src/sources/live/testing/fake-api-server.js");
    const objects = loadAll(readFileSync("test/fixtures/rbac/cluster.yaml", "utf8")) as KubeObject[];
    const fake = await startFakeApiServer({ objects, token: "t0ken" });
    const kubeconfig = writeKubeconfig({ server: fake.url, token: "t0ken", ...(fake.caPem ? { caPem: fake.caPem } : {}) });
    try {
      const r = await runCli(["can-i", "get", "pods", "-n", "shop", "--as", "alice", "--kubeconfig", kubeconfig.path]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "yes\n");
      const listed = new Set(fake.requests.filter((q) => !q.resource.startsWith("/")).map((q) => q.resource));
      assert.deepEqual([...listed].sort(), ["clusterrolebindings", "clusterroles", "rolebindings", "roles"]);
    } finally {
      kubeconfig.cleanup();
      await fake.close();
    }
    const forbidden = await startFakeApiServer({ objects, token: "t0ken", faults: [{ resource: "clusterrolebindings", respond: 403 }] });
    const kc = writeKubeconfig({ server: forbidden.url, token: "t0ken", ...(forbidden.caPem ? { caPem: forbidden.caPem } : {}) });
    try {
      // view-nodes is a ClusterRoleBinding: unreadable, so RBAC as loaded cannot grant it, and the output must say it may be incomplete.
      const r = await runCli(["can-i", "list", "nodes", "--as-sa", "monitoring/prometheus", "--kubeconfig", kc.path]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /ClusterRoleBinding objects are forbidden/);
    } finally {
      kc.cleanup();
      await forbidden.close();
    }
  });
});
