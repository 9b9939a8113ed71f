// `kubesleuth audit` and `kubesleuth kubeconfig --live` on the real control plane.
// 1. The access-sa-denied scenario's ServiceAccount is refused (403) reading a Secret; the real audit log
//    records it. `kubesleuth audit <log> --live` explains it with the cluster's RBAC and prints a
//    Role+RoleBinding; applied exactly as printed, the same request as that ServiceAccount succeeds.
// 2. `kubesleuth kubeconfig --live` with the cluster's admin, viewer and kubesleuth kubeconfigs: the server
//    answers and each identity authenticates as the user its client certificate names (test/cluster/README.md);
//    a kubeconfig with a made-up token is refused (401).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { kubectl, readClusterEnv, sleuth, waitFor, type ClusterEnv } from "./harness.js";
import { runCli } from "../cli-harness.js";
import { scenario } from "../scenarios/access-sa-denied/scenario.js";

const ns = "e2e-access-sa-denied";
const saUser = `system:serviceaccount:${ns}:report-generator`;

interface ForbiddenJson {
  user: { name: string; groups: string[] };
  action: { verb: string; apiGroup?: string; resource?: string; namespace?: string; name?: string };
  count: number;
  decision?: string;
  explanation: {
    verdict: string;
    nearest?: { kind: string; binding: { name: string } }[];
    minimalGrant?: { verified: boolean; verifiedAgainst: string; role: { kind: string; metadata: { namespace?: string }; rules: unknown[] } };
  };
}

/** kubectl as the ServiceAccount (the admin impersonating it, kubectl --as): exit status and stderr. */
function asServiceAccount(env: ClusterEnv, args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(env.kubectl, ["--kubeconfig", env.adminKubeconfig, `--as=${saUser}`, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe("kubesleuth audit on the real audit log", () => {
  let env: ClusterEnv;
  let grantYaml = "";

  before(async () => {
    env = readClusterEnv();
    await scenario.setup(env);
    await waitFor("access-sa-denied's 403s in the audit log", () => scenario.ready(env), 120_000, 1000);
  });

  after(() => {
    if (grantYaml) kubectl(env, ["delete", "-f", "-", "--ignore-not-found"], { input: grantYaml, allowFailure: true });
  });

  it("explains the ServiceAccount's 403 (get secret reports-db) with the live RBAC and a verified minimal Role", async () => {
    const r = await sleuth(env, ["audit", env.auditLog, "--live", "--serviceaccount", `${ns}:report-generator`, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { forbidden: ForbiddenJson[]; requests: number; files: { malformed: number }[] };
    assert.ok(report.requests > 0);
    // The real log: no malformed lines.
    assert.equal(report.files[0]!.malformed, 0);
    const get = report.forbidden.find((g) => g.action.verb === "get" && g.action.resource === "secrets" && g.action.name === "reports-db");
    assert.ok(get, `a 403 group for get secrets/reports-db: ${JSON.stringify(report.forbidden.map((g) => g.action))}`);
    assert.equal(get.user.name, saUser);
    assert.equal(get.action.namespace, ns);
    assert.equal(get.decision, "forbid"); // the API server's own annotation
    // The cluster's RBAC (Role config-reader: configmaps only) denies it; the binding that comes close is
    // report-generator-config-reader (right subject and verb, wrong resource).
    assert.equal(get.explanation.verdict, "rbac-denied");
    assert.ok(get.explanation.nearest?.some((m) => m.binding.name === "report-generator-config-reader"), JSON.stringify(get.explanation.nearest));
    // The minimal grant for exactly this request: get on the one Secret, in its namespace.
    const grant = get.explanation.minimalGrant!;
    assert.equal(grant.verifiedAgainst, "snapshot");
    assert.equal(grant.verified, true);
    assert.equal(grant.role.kind, "Role");
    assert.equal(grant.role.metadata.namespace, ns);
    assert.deepEqual(grant.role.rules, [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["reports-db"] }]);
    // The impersonated list (kubectl --as) is the ServiceAccount's too.
    assert.ok(report.forbidden.some((g) => g.action.verb === "list" && g.action.resource === "secrets" && g.user.name === saUser));
  });

  it("the same explanation from a snapshot archive (kubesleuth snapshot) as from the live RBAC", async () => {
    const archive = join(mkdtempSync(join(tmpdir(), "ks-e2e-audit-")), "cluster.tar.gz");
    const snap = await sleuth(env, ["snapshot", "-o", archive]);
    assert.equal(snap.code, 0, snap.stderr);
    const r = await sleuth(env, ["audit", env.auditLog, "--snapshot", archive, "--serviceaccount", `${ns}:report-generator`, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const get = (JSON.parse(r.stdout) as { forbidden: ForbiddenJson[] }).forbidden.find((g) => g.action.verb === "get" && g.action.name === "reports-db")!;
    assert.equal(get.explanation.verdict, "rbac-denied");
    assert.equal(get.explanation.minimalGrant?.verified, true);
    assert.deepEqual(get.explanation.minimalGrant?.role.rules, [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["reports-db"] }]);
    rmSync(archive, { force: true });
  });

  it("a 403 at impersonation (limited-viewer runs kubectl --as) is explained as the impersonate check it failed", async () => {
    const denied = spawnSync(env.kubectl, ["--kubeconfig", env.viewerKubeconfig, "--as=alice-e2e", "get", "pods", "-n", env.viewerNamespace], { encoding: "utf8", timeout: 60_000 });
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /cannot impersonate/);
    let group: (ForbiddenJson & { impersonationDenied?: boolean }) | undefined;
    await waitFor("the impersonation 403 in the audit log", async () => {
      const r = await sleuth(env, ["audit", env.auditLog, "--live", "--user", env.raw.KS_VIEWER_USER!, "-o", "json"]);
      group = (JSON.parse(r.stdout) as { forbidden: (ForbiddenJson & { impersonationDenied?: boolean })[] }).forbidden.find((g) => g.impersonationDenied);
      return group !== undefined;
    }, 20_000, 1000);
    // The impersonation filter refused it: its check is an impersonate* verb, asked for limited-viewer itself
    // (legacy `impersonate` on users, or constrained impersonation's impersonate:/impersonate-on: checks).
    assert.match(group!.action.verb, /^impersonate($|:|-on:)/);
    assert.equal(group!.user.name, env.raw.KS_VIEWER_USER);
    assert.equal(group!.explanation.verdict, "impersonation-denied");
    assert.equal(group!.explanation.minimalGrant, undefined);
  });

  it("the printed grant, applied as is, makes the same requests as the ServiceAccount succeed", async () => {
    assert.notEqual(asServiceAccount(env, ["get", "secret", "reports-db", "-n", ns]).status, 0, "denied before the grant");
    const r = await sleuth(env, ["audit", env.auditLog, "--live", "--serviceaccount", `${ns}:report-generator`, "-o", "yaml"]);
    assert.equal(r.code, 0, r.stderr);
    grantYaml = r.stdout;
    const docs = loadAll(grantYaml) as { kind: string; metadata: { namespace?: string } }[];
    // Only this ServiceAccount's grant, in its namespace: a Role and its RoleBinding.
    assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.namespace}`), [`Role/${ns}`, `RoleBinding/${ns}`]);
    kubectl(env, ["apply", "-f", "-"], { input: grantYaml });
    // RBAC changes reach the authorizer through its informers: allow a moment.
    await waitFor("get secret reports-db as the ServiceAccount to succeed", () => asServiceAccount(env, ["get", "secret", "reports-db", "-n", ns]).status === 0, 30_000, 500);
    const list = asServiceAccount(env, ["get", "secrets", "-n", ns]);
    assert.equal(list.status, 0, list.stderr);
    // Nothing beyond the request was granted: deleting the Secret is still forbidden.
    const del = asServiceAccount(env, ["delete", "secret", "reports-db", "-n", ns, "--dry-run=server"]);
    assert.notEqual(del.status, 0);
    assert.match(del.stderr, /Forbidden/);
  });
});

describe("kubesleuth kubeconfig --live on the real control plane", () => {
  let env: ClusterEnv;
  let dir = "";
  before(() => {
    env = readClusterEnv();
    dir = mkdtempSync(join(tmpdir(), "ks-e2e-kubeconfig-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Identities from test/cluster/README.md: the client certificate's CN is the user, O the group.
  for (const [file, user, group] of [
    ["admin", "KS_ADMIN_USER", "system:masters"],
    ["viewer", "KS_VIEWER_USER", undefined],
    ["sleuth", "KS_SLEUTH_USER", "kubesleuth"],
  ] as const) {
    it(`${file}.kubeconfig: the server answers /version and the client certificate authenticates as its CN`, async () => {
      const kubeconfig = env.raw[`KS_${file.toUpperCase()}_KUBECONFIG`]!;
      const r = await runCli(["kubeconfig", kubeconfig, "--live", "-o", "json"], { now: () => Date.now(), env: { PATH: process.env.PATH } });
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      const report = JSON.parse(r.stdout);
      const probe = report.probes[0];
      assert.deepEqual(probe.version, { answers: true, status: 200, gitVersion: env.raw.KS_KUBE_VERSION });
      assert.equal(probe.auth.status, "authenticated");
      assert.equal(probe.auth.username, env.raw[user]);
      assert.ok(probe.auth.groups.includes("system:authenticated"));
      if (group) assert.ok(probe.auth.groups.includes(group));
      // up.sh writes the client certificate and the CA into the kubeconfig: both parsed and valid now.
      assert.equal(report.users[0].clientCertificateVerdicts[0].state !== "expired", true);
      assert.match(report.users[0].clientCertificateVerdicts[0].subject, new RegExp(`CN=${env.raw[user]}`));
      assert.equal(report.clusters[0].caVerdicts.length >= 1, true);
    });
  }

  it("a made-up token is refused: 401, not authenticated, exit 1; the token is not printed", async () => {
    const token = "made-up-token-not-valid-1234567890";
    const path = join(dir, "bad-token.kubeconfig");
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "e2e", cluster: { server: env.apiserverUrl, "certificate-authority": env.raw.KS_CA_FILE } }],
        users: [{ name: "nobody", user: { token } }],
        contexts: [{ name: "bad", context: { cluster: "e2e", user: "nobody" } }],
        "current-context": "bad",
      }),
    );
    const r = await runCli(["kubeconfig", path, "--live", "-o", "json"], { now: () => Date.now(), env: { PATH: process.env.PATH } });
    assert.equal(r.code, 1);
    assert.equal(r.stdout.includes(token), false);
    const probe = JSON.parse(r.stdout).probes[0];
    // The server answers, but rejects the token on every request (authentication runs before /version is served).
    assert.equal(probe.version.answers, true);
    assert.equal(probe.version.status, 401);
    assert.equal(probe.auth.status, "unauthenticated");
  });
});
