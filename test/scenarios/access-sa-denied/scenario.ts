import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson, kubectl, sleuth, type ClusterEnv } from "../../e2e/harness.js";
import type { Report } from "../../../src/model/finding.js";

const ns = "e2e-access-sa-denied";
const saName = "report-generator";
const saUser = `system:serviceaccount:${ns}:${saName}`;

/** The fields of an audit.k8s.io/v1 Event this scenario reads. */
interface AuditEvent {
  verb?: string;
  stage?: string;
  user?: { username?: string; groups?: string[] };
  impersonatedUser?: { username?: string; groups?: string[] };
  objectRef?: { resource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number; reason?: string };
  annotations?: Record<string, string>;
  stageTimestamp?: string;
}

let requestsSentAt = 0;

/** Runs kubectl expecting the API server to refuse with 403 Forbidden; returns the server's message, throws otherwise. */
function expectForbidden(env: ClusterEnv, kubeconfig: string, args: string[]): string {
  const r = spawnSync(env.kubectl, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", timeout: 60_000 });
  const m = /Error from server \(Forbidden\): (.*)/.exec(r.stderr);
  if (r.status === 0 || !m) {
    throw new Error(`kubectl ${args.join(" ")}: expected Forbidden, got exit ${r.status}: ${r.stdout}${r.stderr}`);
  }
  return m[1]!.trim();
}

/** A kubeconfig for the ServiceAccount's token (what its pod mounts), in a private temp dir. */
function saKubeconfig(env: ClusterEnv, token: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ks-e2e-sa-"));
  const path = join(dir, "sa.kubeconfig");
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "e2e", cluster: { server: env.apiserverUrl, "certificate-authority": env.raw.KS_CA_FILE } }],
      users: [{ name: saName, user: { token } }],
      contexts: [{ name: "sa", context: { cluster: "e2e", user: saName, namespace: ns } }],
      "current-context": "sa",
    }),
    { mode: 0o600 },
  );
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the API server answered the ServiceAccount's own `get secret reports-db` (set by setup). */
let deniedMessage = "";

/**
 * The app's log: kwok serves every pod of the namespace the files up.sh made from pod-logs/ (a
 * ClusterLogs per namespace). Setup rewrites them with the API server's real answer, so the pod
 * "prints" exactly the 403 the SA got; the committed files hold the same text for the offline reader.
 */
function writePodLogs(env: ClusterEnv, message: string): void {
  const dir = dirname(env.raw.KS_POD_LOG_FILE!);
  const start = "2026-01-01T00:00:00.000000000Z stdout F report-generator 1.4.0 starting";
  const denied = `2026-01-01T00:00:00.100000000Z stderr F loading database credentials: ${message}`;
  writeFileSync(join(dir, `ns-${ns}.log`), `${start}\n${denied}\n`);
  writeFileSync(join(dir, `ns-${ns}.previous.log`), `${start}\n${denied}\n2026-01-01T00:00:00.200000000Z stderr F fatal: cannot start without database credentials\n`);
}

function auditEvents(env: ClusterEnv): AuditEvent[] {
  return readFileSync(env.auditLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.stage === "ResponseComplete" && Date.parse(e.stageTimestamp ?? "") >= requestsSentAt - 1000);
}

/** The three requests of the scenario, as the audit log records them. */
function find(env: ClusterEnv): { impersonated?: AuditEvent; direct?: AuditEvent; allowed?: AuditEvent } {
  const events = auditEvents(env);
  const inNs = (e: AuditEvent, resource: string): boolean => e.objectRef?.resource === resource && e.objectRef.namespace === ns;
  return {
    // The admin impersonating the SA: the authenticated user stays test-admin, the SA is in impersonatedUser.
    impersonated: events.find((e) => e.impersonatedUser?.username === saUser && e.verb === "list" && inNs(e, "secrets") && e.responseStatus?.code === 403),
    // The SA with its own token, as its pod would call: the SA is user.username, no impersonation.
    direct: events.find((e) => e.user?.username === saUser && !e.impersonatedUser && e.verb === "get" && inNs(e, "secrets") && e.objectRef?.name === "reports-db" && e.responseStatus?.code === 403),
    // Control: what its Role grants works.
    allowed: events.find((e) => e.user?.username === saUser && !e.impersonatedUser && e.verb === "list" && inNs(e, "configmaps") && e.responseStatus?.code === 200),
  };
}

export const scenario: Scenario = {
  name: "access-sa-denied",
  description: "a ServiceAccount granted only ConfigMaps reads a Secret: 403 Forbidden, recorded in the real audit log",
  namespaces: [ns],
  // The app (crash-looping on purpose, so its logs are collected) logs the API server's 403; pod-api-forbidden
  // parses it and explains it with RBAC. The audit-log 403s are asserted in checkState.
  expect: [{ code: "pod-api-forbidden/forbidden", subject: `Deployment/${ns}/${saName}`, area: "access" }],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
    requestsSentAt = Date.now();
    // 1. As the admin impersonating the SA (kubectl --as): forbidden.
    expectForbidden(env, env.adminKubeconfig, ["get", "secrets", "-n", ns, `--as=${saUser}`]);
    // 2. As the SA itself, with a short-lived token from the TokenRequest API (what its pod mounts).
    const token = kubectl(env, ["create", "token", saName, "-n", ns, "--duration=10m"]).trim();
    const sa = saKubeconfig(env, token);
    try {
      const kubeconfig = sa.path;
      deniedMessage = expectForbidden(env, kubeconfig, ["get", "secret", "reports-db", "-n", ns]);
      writePodLogs(env, deniedMessage);
      kubectl(env, ["get", "configmaps", "-n", ns], { kubeconfig }); // granted: must succeed
    } finally {
      sa.remove();
    }
  },
  async ready(env) {
    // The audit backend is blocking, but allow for the write: all three events on disk.
    const { impersonated, direct, allowed } = find(env);
    // The app crash-loops on the 403 (kwok's crashloop stage: restarts, not ready).
    const pods = getJson<{ items: { status?: { containerStatuses?: { restartCount?: number }[] } }[] }>(env, ["pods", "-n", ns, "-l", `app=${saName}`]).items;
    return Boolean(impersonated && direct && allowed && pods.length === 1 && (pods[0]!.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0);
  },
  async checkState(env) {
    const { impersonated, direct, allowed } = find(env);
    // Impersonation: Kubernetes records the real caller in user and the SA in impersonatedUser, with
    // the SA's groups; RBAC judged the impersonated identity and forbade it.
    assert.ok(impersonated, "audit event: list secrets impersonating the SA, 403");
    assert.equal(impersonated.user?.username, env.raw.KS_ADMIN_USER);
    assert.deepEqual(impersonated.impersonatedUser?.groups?.slice().sort(), ["system:authenticated", "system:serviceaccounts", `system:serviceaccounts:${ns}`]);
    assert.equal(impersonated.responseStatus?.reason, "Forbidden");
    assert.equal(impersonated.annotations?.["authorization.k8s.io/decision"], "forbid");
    // Its own token: the SA is the user.
    assert.ok(direct, "audit event: get secret reports-db as the SA, 403");
    assert.equal(direct.responseStatus?.reason, "Forbidden");
    assert.equal(direct.annotations?.["authorization.k8s.io/decision"], "forbid");
    assert.ok(direct.user?.groups?.includes(`system:serviceaccounts:${ns}`));
    // The denial is RBAC's verdict on secrets only: the ConfigMaps its Role grants were listed (200, allow).
    assert.ok(allowed, "audit event: list configmaps as the SA, 200");
    assert.equal(allowed.annotations?.["authorization.k8s.io/decision"], "allow");
    // The pod's log is the API server's own answer, in the form forbiddenMessage writes.
    assert.equal(deniedMessage, `secrets "reports-db" is forbidden: User "${saUser}" cannot get resource "secrets" in API group "" in the namespace "${ns}"`);
    const committed = readFileSync(fileURLToPath(new URL(`pod-logs/${ns}.log`, import.meta.url)), "utf8");
    assert.ok(committed.includes(deniedMessage), "the committed pod log holds the API server's real answer");
    const log = kubectl(env, ["logs", "-n", ns, `deployment/${saName}`, "--previous"]);
    assert.ok(log.includes(deniedMessage), `kubectl logs --previous shows the 403: ${log}`);

    // The fix kubesleuth suggests, applied by the admin, lets the SA's own token read the Secret. (Runs after
    // the scans of the suite; the scans' reports are already taken.)
    const scan = await sleuth(env, ["scan", "-n", ns, "-o", "json", "--fail-on", "none"]);
    const finding = (JSON.parse(scan.stdout) as Report).findings.find((f) => f.code === "pod-api-forbidden/forbidden");
    assert.ok(finding, `pod-api-forbidden in the namespace scan: ${scan.stdout.slice(0, 500)}`);
    // The app crash-loops because the API server refuses it (its previous log ends on the 403 and exits):
    // the crash loop is told once, under the refusal, not as a second top-level finding.
    const findings = (JSON.parse(scan.stdout) as Report).findings;
    assert.ok(!findings.some((f) => f.code.startsWith("pod-crash-looping/")), `crash loop not top-level: ${findings.map((f) => f.code).join(", ")}`);
    assert.ok(finding.related?.some((r) => r.code.startsWith("pod-crash-looping/") && r.subject.kind === "Deployment" && r.subject.name === saName), `crash loop grouped under the refusal: ${JSON.stringify(finding.related)}`);
    const command = finding.remediation[0]!.command!;
    for (const part of command.split(" && ")) {
      const [program, ...args] = part.split(" ");
      assert.equal(program, "kubectl", `the fix is kubectl commands: ${command}`);
      kubectl(env, args);
    }
    const kubeconfig = saKubeconfig(env, kubectl(env, ["create", "token", saName, "-n", ns, "--duration=10m"]).trim());
    try {
      const secret = JSON.parse(kubectl(env, ["get", "secret", "reports-db", "-n", ns, "-o", "json"], { kubeconfig: kubeconfig.path })) as { metadata: { name: string } };
      assert.equal(secret.metadata.name, "reports-db");
      // Exactly that: listing Secrets stays forbidden.
      expectForbidden(env, kubeconfig.path, ["get", "secrets", "-n", ns]);
    } finally {
      kubeconfig.remove();
    }
  },
};
