import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { SourceError } from "../errors.js";
import { resolveKubeConfig, safeUrl } from "./kubeconfig.js";
import { loadLive } from "./load-live.js";
import { startFakeApiServer, writeKubeconfig } from "./testing/fake-api-server.js";

const SECRET_TOKEN = "kubeconfig-token-5d1e0b";

function config(name: string, server: string, current?: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: `${name}-cluster`, cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: `${name}-user`, user: { token: SECRET_TOKEN } }],
    contexts: [{ name, context: { cluster: `${name}-cluster`, user: `${name}-user` } }, { name: "shared", context: { cluster: `${name}-cluster`, user: `${name}-user` } }],
    ...(current ? { "current-context": current } : {}),
  });
}

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "kubesleuth-kc-test-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sourceError(fn: () => unknown): SourceError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SourceError, String(error));
    assert.doesNotMatch(error.message, /\n/);
    assert.ok(!error.message.includes(SECRET_TOKEN), "no credential in the message");
    return error;
  }
  assert.fail("expected a SourceError");
}

describe("resolveKubeConfig", () => {
  it("merges KUBECONFIG files as kubectl: first file to set a name or current-context wins, missing files ignored", () => {
    withDir((dir) => {
      const a = join(dir, "a");
      const b = join(dir, "b");
      writeFileSync(a, config("alpha", "https://alpha.example:6443"));
      writeFileSync(b, config("beta", "https://beta.example:6443", "beta"));
      const env = { KUBECONFIG: [join(dir, "missing"), a, b].join(delimiter) };
      const current = resolveKubeConfig({}, env);
      assert.equal(current.contextName, "beta", "a has no current-context, so b's counts");
      assert.equal(current.serverUrl, "https://beta.example:6443");
      assert.equal(current.origin, `kubeconfig ${a}${delimiter}${b}`);
      assert.equal(resolveKubeConfig({ context: "alpha" }, env).serverUrl, "https://alpha.example:6443");
      assert.equal(resolveKubeConfig({ context: "shared" }, env).serverUrl, "https://alpha.example:6443", "the first definition of a name wins");
    });
  });

  it("prefers --kubeconfig over KUBECONFIG, and KUBECONFIG over ~/.kube/config", () => {
    withDir((dir) => {
      const a = join(dir, "a");
      writeFileSync(a, config("alpha", "https://alpha.example", "alpha"));
      const b = join(dir, "b");
      writeFileSync(b, config("beta", "https://beta.example", "beta"));
      assert.equal(resolveKubeConfig({ kubeconfig: a }, { KUBECONFIG: b }).contextName, "alpha");
      assert.equal(resolveKubeConfig({}, { KUBECONFIG: b, HOME: dir }).contextName, "beta");
    });
  });

  it("reports an unknown context in one line", () => {
    withDir((dir) => {
      const a = join(dir, "a");
      writeFileSync(a, config("alpha", "https://alpha.example", "alpha"));
      assert.equal(sourceError(() => resolveKubeConfig({ kubeconfig: a, context: "foo" }, {})).message, `kubeconfig ${a}: context "foo" not found`);
    });
  });

  it("reports a missing file, invalid YAML (without quoting it), no current-context and no kubeconfig at all", () => {
    withDir((dir) => {
      assert.equal(sourceError(() => resolveKubeConfig({ kubeconfig: join(dir, "nope") }, {})).message, `kubeconfig ${join(dir, "nope")}: file not found`);
      const bad = join(dir, "bad");
      writeFileSync(bad, `users:\n- name: u\n  user:\n    token: ${SECRET_TOKEN}\n  : [unclosed\n`);
      assert.match(sourceError(() => resolveKubeConfig({ kubeconfig: bad }, {})).message, /^kubeconfig .*bad: invalid YAML at line \d+$/);
      const noCurrent = join(dir, "nocurrent");
      writeFileSync(noCurrent, config("alpha", "https://alpha.example"));
      assert.match(sourceError(() => resolveKubeConfig({ kubeconfig: noCurrent }, {})).message, /no current-context set/);
      assert.match(sourceError(() => resolveKubeConfig({}, { HOME: dir })).message, /^kubeconfig: no kubeconfig found/);
    });
  });

  it("keeps userinfo, query and fragment out of the server URL", () => {
    assert.equal(safeUrl("https://admin:hunter2@k8s.example:6443/prefix/?token=abc#x"), "https://k8s.example:6443/prefix");
  });

  it("talks to a plain-http server (kubectl allows it; client-node needs skipTLSVerify)", async () => {
    const fake = await startFakeApiServer({ tls: false, token: SECRET_TOKEN, objects: [{ apiVersion: "v1", kind: "Node", metadata: { name: "n1" } }] });
    const kubeconfig = writeKubeconfig({ server: fake.url, token: SECRET_TOKEN, systemTrust: true });
    try {
      const snapshot = await loadLive({ kubeconfig: kubeconfig.path, kinds: ["Node"] });
      assert.deepEqual(snapshot.coverage.Node, { count: 1, status: "ok" });
    } finally {
      await fake.close();
      kubeconfig.cleanup();
    }
  });
});
