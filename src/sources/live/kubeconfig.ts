// Finds and loads the kubeconfig the way kubectl does (--kubeconfig, KUBECONFIG merged first-wins,
// ~/.kube/config, in-cluster service account) and selects the context; errors are one-line SourceErrors.
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { KubeConfig, type Cluster, type Context, type User } from "@kubernetes/client-node";
import { SourceError } from "../errors.js";

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export interface KubeConfigSelection {
  /** A kubeconfig file (kubectl's --kubeconfig); wins over KUBECONFIG. */
  kubeconfig?: string;
  /** A context name (kubectl's --context); default: the current-context. */
  context?: string;
}

export interface ResolvedKubeConfig {
  kubeConfig: KubeConfig;
  /** The API server URL without userinfo, query or fragment: safe to print and store. */
  serverUrl: string;
  /** Where the configuration came from, for messages: `kubeconfig <paths>` or `in-cluster service account`. */
  origin: string;
  contextName: string;
}

/**
 * Loads the kubeconfig and selects the context. Precedence as kubectl: `selection.kubeconfig`, then
 * `KUBECONFIG` (a path-delimiter separated list, merged with the first file to define a name winning,
 * missing files ignored), then `~/.kube/config`, then the in-cluster service account.
 * Throws a SourceError (one line, never a credential) for a missing file, invalid YAML, an unknown
 * context, or a context without a cluster.
 */
export function resolveKubeConfig(selection: KubeConfigSelection, env: Readonly<Record<string, string | undefined>> = process.env): ResolvedKubeConfig {
  const files = configFiles(selection, env);
  let kubeConfig: KubeConfig;
  let origin: string;
  if (files.length > 0) {
    origin = `kubeconfig ${files.join(delimiter)}`;
    kubeConfig = mergeFiles(files, origin);
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    origin = "in-cluster service account";
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromCluster();
  } else {
    throw new SourceError("kubeconfig", "no kubeconfig found (set KUBECONFIG or --kubeconfig) and not running in a cluster");
  }

  if (selection.context !== undefined) {
    if (!kubeConfig.getContextObject(selection.context)) throw new SourceError(origin, `context "${selection.context}" not found`);
    kubeConfig.setCurrentContext(selection.context);
  }
  const contextName = kubeConfig.getCurrentContext();
  if (!contextName) throw new SourceError(origin, "no current-context set (use --context)");
  const context = kubeConfig.getContextObject(contextName);
  if (!context) throw new SourceError(origin, `current-context "${contextName}" not found`);
  const cluster = kubeConfig.getCluster(context.cluster);
  if (!cluster) throw new SourceError(origin, `context "${contextName}" refers to cluster "${context.cluster}", which is not defined`);

  let serverUrl: URL;
  try {
    serverUrl = new URL(cluster.server);
  } catch {
    throw new SourceError(origin, `cluster "${cluster.name}" has an invalid server URL`);
  }
  if (serverUrl.protocol !== "https:" && serverUrl.protocol !== "http:") {
    throw new SourceError(origin, `cluster "${cluster.name}": unsupported server URL scheme ${serverUrl.protocol}`);
  }
  // client-node refuses plain-http servers unless skipTLSVerify is set; kubectl allows them and TLS
  // settings mean nothing there, so mark the cluster as such.
  if (serverUrl.protocol === "http:" && !cluster.skipTLSVerify) {
    kubeConfig = withCluster(kubeConfig, { ...cluster, skipTLSVerify: true });
  }
  return { kubeConfig, serverUrl: safeUrl(cluster.server), origin, contextName };
}

/** A URL with userinfo, query and fragment removed, and no trailing slash. */
export function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = "";
    url.password = "";
    url.search = "";
    url.hash = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return "<invalid URL>";
  }
}

function configFiles(selection: KubeConfigSelection, env: Readonly<Record<string, string | undefined>>): string[] {
  if (selection.kubeconfig !== undefined) {
    if (!existsSync(selection.kubeconfig)) throw new SourceError(`kubeconfig ${selection.kubeconfig}`, "file not found");
    return [selection.kubeconfig];
  }
  if (env.KUBECONFIG) {
    // kubectl ignores files of the list that do not exist, but fails when none does.
    const listed = env.KUBECONFIG.split(delimiter).filter((f) => f !== "");
    const existing = [...new Set(listed)].filter((f) => existsSync(f));
    if (existing.length === 0) throw new SourceError(`kubeconfig ${env.KUBECONFIG}`, "no file of KUBECONFIG exists");
    return existing;
  }
  const home = env.HOME ?? env.USERPROFILE;
  if (home) {
    const path = join(home, ".kube", "config");
    if (existsSync(path)) return [path];
  }
  return [];
}

/** Merges kubeconfig files as kubectl does: the first file to set a name (or current-context) wins. */
function mergeFiles(files: string[], origin: string): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = "";
  for (const file of files) {
    const one = new KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (error) {
      throw new SourceError(files.length > 1 ? `kubeconfig ${file}` : origin, describeLoadError(error));
    }
    for (const c of one.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!currentContext && one.getCurrentContext()) currentContext = one.getCurrentContext();
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext });
  return merged;
}

function withCluster(kubeConfig: KubeConfig, cluster: Cluster): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kubeConfig.getClusters().map((c) => (c.name === cluster.name ? cluster : c)),
    users: kubeConfig.getUsers(),
    contexts: kubeConfig.getContexts(),
    currentContext: kubeConfig.getCurrentContext(),
  });
  return copy;
}

/** A load error without file content: YAML errors quote the offending lines, which may hold a token. */
function describeLoadError(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string; mark?: { line?: number } };
  if (e?.code === "ENOENT") return "file not found";
  if (e?.code === "EACCES") return "permission denied";
  if (e?.code === "EISDIR") return "is a directory";
  if (e?.name === "YAMLException") return `invalid YAML${typeof e.mark?.line === "number" ? ` at line ${e.mark.line + 1}` : ""}`;
  // client-node's own validation messages name fields only ("users[0].name is missing").
  const message = typeof e?.message === "string" ? e.message.split("\n")[0]! : "unreadable";
  return /^(clusters|users|contexts)\[\d+\]/.test(message) ? message : "not a valid kubeconfig";
}
