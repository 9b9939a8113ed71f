// The e2e harness: the running test cluster (test/cluster/up.sh), kubectl, polling, and kubesleuth itself.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { runCli, type CliRun } from "../cli-harness.js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface ClusterEnv {
  dir: string;
  adminKubeconfig: string;
  viewerKubeconfig: string;
  viewerNamespace: string;
  sleuthKubeconfig: string;
  sleuthUser: string;
  auditLog: string;
  kubectl: string;
  helm: string;
  binDir: string;
  apiserverUrl: string;
  nodes: string[];
  raw: Record<string, string>;
}

/** Reads `.cache/cluster/env` (or $KS_CLUSTER_DIR/env) written by test/cluster/up.sh. */
export function readClusterEnv(dir = process.env.KS_CLUSTER_DIR ?? join(repoRoot, ".cache/cluster")): ClusterEnv {
  const raw: Record<string, string> = {};
  for (const line of readFileSync(join(dir, "env"), "utf8").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq > 0) raw[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const need = (k: string): string => {
    const v = raw[k];
    if (!v) throw new Error(`cluster env ${dir}/env lacks ${k}`);
    return v;
  };
  return {
    dir,
    adminKubeconfig: need("KS_ADMIN_KUBECONFIG"),
    viewerKubeconfig: need("KS_VIEWER_KUBECONFIG"),
    viewerNamespace: need("KS_VIEWER_NAMESPACE"),
    sleuthKubeconfig: need("KS_SLEUTH_KUBECONFIG"),
    sleuthUser: need("KS_SLEUTH_USER"),
    auditLog: need("KS_AUDIT_LOG"),
    kubectl: need("KS_KUBECTL"),
    helm: need("KS_HELM"),
    binDir: need("KS_BIN_DIR"),
    apiserverUrl: need("KS_APISERVER_URL"),
    nodes: need("KS_NODES").split(","),
    raw,
  };
}

export interface KubectlOptions {
  input?: string;
  kubeconfig?: string;
  /** Do not throw on a non-zero exit. */
  allowFailure?: boolean;
}

/** Runs kubectl as the admin (or the given kubeconfig); returns stdout, throws with stderr on failure. */
export function kubectl(env: ClusterEnv, args: string[], options: KubectlOptions = {}): string {
  const result = spawnSync(env.kubectl, ["--kubeconfig", options.kubeconfig ?? env.adminKubeconfig, ...args], {
    input: options.input,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(`kubectl ${args.join(" ")} failed (${result.status}): ${result.stderr || result.error?.message}`);
  }
  return result.stdout;
}

/** Applies a manifest file or inline YAML as the admin. */
export function apply(env: ClusterEnv, manifest: { file?: string; yaml?: string }): void {
  if (manifest.file) kubectl(env, ["apply", "-f", manifest.file]);
  else kubectl(env, ["apply", "-f", "-"], { input: manifest.yaml });
}

/** `kubectl get ... -o json` parsed. */
export function getJson<T = unknown>(env: ClusterEnv, args: string[]): T {
  return JSON.parse(kubectl(env, ["get", ...args, "-o", "json"])) as T;
}

/** Runs another program (helm...) and returns stdout; throws on failure. */
export function run(program: string, args: string[], extraEnv: Record<string, string> = {}): string {
  const result = spawnSync(program, args, { encoding: "utf8", timeout: 180_000, env: { ...process.env, ...extraEnv } });
  if (result.status !== 0) throw new Error(`${program} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.error?.message}`);
  return result.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns true (or a truthy value); throws after `timeoutMs` with the description. */
export async function waitFor(description: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000, intervalMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${description}${lastError ? `: ${String(lastError)}` : ""}`);
    }
    await sleep(intervalMs);
  }
}

/** Runs kubesleuth in-process against the cluster with the given identity (default: the read-only kubesleuth user). */
export function sleuth(env: ClusterEnv, args: string[], kubeconfig = env.sleuthKubeconfig): Promise<CliRun> {
  const isLive = args[0] === "snapshot" || (!args.some((a) => a.endsWith(".tar.gz")) && !args.includes("--snapshot"));
  return runCli(isLive ? [...args, "--kubeconfig", kubeconfig] : args, { now: () => Date.now() });
}
