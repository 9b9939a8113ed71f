// Reads kubeconfig files as kubectl merges them (first file to define a name wins) and describes
// contexts, clusters and users without any secret: certificates are parsed (node:crypto X509Certificate)
// for subject and validity, exec plugin commands looked up on PATH; tokens, passwords, keys,
// auth-provider configs and exec arguments/env are only reported as present.
import { X509Certificate } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { load } from "js-yaml";
import { SourceError } from "../errors.js";
import type { CertificateInfo, CertificateProblem, ClusterInfo, ContextInfo, KubeconfigInspection, UserInfoEntry } from "../../model/kubeconfig.js";

export type { KubeconfigInspection };

type Raw = Record<string, unknown>;

/** The kubeconfig files kubectl would read: the explicit file, else KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>): { files: string[]; missing: string[] } {
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new SourceError(`kubeconfig ${explicit}`, "file not found");
    return { files: [explicit], missing: [] };
  }
  if (env.KUBECONFIG) {
    const listed = [...new Set(env.KUBECONFIG.split(delimiter).filter((f) => f !== ""))];
    const files = listed.filter((f) => existsSync(f));
    if (files.length === 0) throw new SourceError(`kubeconfig ${env.KUBECONFIG}`, "no file of KUBECONFIG exists");
    return { files, missing: listed.filter((f) => !files.includes(f)) };
  }
  const home = env.HOME ?? env.USERPROFILE;
  const path = home ? join(home, ".kube", "config") : undefined;
  if (!path || !existsSync(path)) throw new SourceError("kubeconfig", "no kubeconfig found (give a file, set KUBECONFIG or --kubeconfig; default ~/.kube/config)");
  return { files: [path], missing: [] };
}

function readYaml(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SourceError(`kubeconfig ${file}`, code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : "unreadable");
  }
  let doc: unknown;
  try {
    doc = load(text);
  } catch (error) {
    // Never quote the YAML error snippet: it may show a token.
    const line = (error as { mark?: { line?: number } }).mark?.line;
    throw new SourceError(`kubeconfig ${file}`, `invalid YAML${typeof line === "number" ? ` at line ${line + 1}` : ""}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new SourceError(`kubeconfig ${file}`, "not a kubeconfig (expected a mapping with clusters, users, contexts)");
  const kind = (doc as Raw).kind;
  if (kind !== undefined && kind !== "Config") throw new SourceError(`kubeconfig ${file}`, `not a kubeconfig (kind ${JSON.stringify(kind)})`);
  return doc as Raw;
}

function namedEntries(doc: Raw, key: string, inner: string): { name: string; value: Raw }[] {
  const list = doc[key];
  if (!Array.isArray(list)) return [];
  return list
    .filter((e): e is Raw => e !== null && typeof e === "object" && typeof (e as Raw).name === "string")
    .map((e) => ({ name: e.name as string, value: ((e[inner] ?? {}) as Raw) ?? {} }));
}

/** Relative paths in a kubeconfig are relative to that file's directory (clientcmd ResolvePaths). */
function resolvePath(file: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(file), path);
}

/** Every certificate of a PEM bundle. */
export function parseCertificates(pem: string, from: string): { certificates: CertificateInfo[]; problems: CertificateProblem[] } {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return { certificates: [], problems: [{ from, problem: "no PEM certificate found" }] };
  const certificates: CertificateInfo[] = [];
  const problems: CertificateProblem[] = [];
  for (const block of blocks) {
    try {
      const cert = new X509Certificate(block);
      certificates.push({
        subject: cert.subject.replace(/\n/g, ", "),
        issuer: cert.issuer.replace(/\n/g, ", "),
        notBefore: new Date(cert.validFrom).toISOString(),
        notAfter: new Date(cert.validTo).toISOString(),
        from,
      });
    } catch {
      problems.push({ from, problem: "certificate does not parse" });
    }
  }
  return { certificates, problems };
}

function certificatesFrom(file: string, entry: Raw, dataKey: string, fileKey: string): { certificates: CertificateInfo[]; problems: CertificateProblem[]; configured: boolean } {
  const data = entry[dataKey];
  if (typeof data === "string" && data.length > 0) {
    const pem = Buffer.from(data, "base64").toString("utf8");
    return { ...parseCertificates(pem, dataKey), configured: true };
  }
  const path = entry[fileKey];
  if (typeof path === "string" && path.length > 0) {
    const full = resolvePath(file, path);
    let pem: string;
    try {
      pem = readFileSync(full, "utf8");
    } catch {
      return { certificates: [], problems: [{ from: full, problem: "file not readable" }], configured: true };
    }
    return { ...parseCertificates(pem, full), configured: true };
  }
  return { certificates: [], problems: [], configured: false };
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where a command resolves as exec.LookPath would: a path with a slash as is, else the PATH entries in order. */
export function lookPath(command: string, env: Readonly<Record<string, string | undefined>>, relativeTo: string): string | undefined {
  if (command.includes("/")) {
    const full = resolvePath(relativeTo, command);
    return isExecutable(full) ? full : undefined;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Loads and describes the kubeconfig (merged as kubectl merges KUBECONFIG). */
export function inspectKubeconfig(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>): KubeconfigInspection {
  const { files, missing } = kubeconfigFiles(explicit, env);
  const clusters = new Map<string, ClusterInfo>();
  const users = new Map<string, UserInfoEntry>();
  const contexts = new Map<string, ContextInfo>();
  let currentContext: string | undefined;
  for (const file of files) {
    const doc = readYaml(file);
    if (!currentContext && str(doc["current-context"])) currentContext = doc["current-context"] as string;
    for (const { name, value } of namedEntries(doc, "clusters", "cluster")) {
      if (clusters.has(name)) continue;
      const ca = certificatesFrom(file, value, "certificate-authority-data", "certificate-authority");
      clusters.set(name, {
        name,
        file,
        ...(str(value.server) ? { server: safeServer(value.server as string) } : {}),
        ...(str(value["proxy-url"]) ? { proxyUrl: safeServer(value["proxy-url"] as string) } : {}),
        ...(str(value["tls-server-name"]) ? { tlsServerName: value["tls-server-name"] as string } : {}),
        insecureSkipTlsVerify: value["insecure-skip-tls-verify"] === true,
        ca: ca.certificates,
        caProblems: ca.problems,
        systemTrust: !ca.configured,
      });
    }
    for (const { name, value } of namedEntries(doc, "users", "user")) {
      if (users.has(name)) continue;
      const cert = certificatesFrom(file, value, "client-certificate-data", "client-certificate");
      const keyFile = str(value["client-key"]);
      const tokenFile = str(value.tokenFile);
      const exec = value.exec as Raw | undefined;
      const authProvider = value["auth-provider"] as Raw | undefined;
      users.set(name, {
        name,
        file,
        clientCertificate: cert.certificates,
        clientCertificateProblems: cert.problems,
        clientKey: str(value["client-key-data"]) ? "data" : keyFile ? (existsSync(resolvePath(file, keyFile)) ? "file" : "missing-file") : "none",
        token: str(value.token) ? "inline" : tokenFile ? (existsSync(resolvePath(file, tokenFile)) ? "file" : "missing-file") : "none",
        basicAuth: Boolean(str(value.username) || str(value.password)),
        ...(exec && typeof exec === "object" && str(exec.command)
          ? {
              exec: {
                command: exec.command as string,
                ...(str(exec.apiVersion) ? { apiVersion: exec.apiVersion as string } : {}),
                resolved: lookPath(exec.command as string, env, file),
                args: Array.isArray(exec.args) ? exec.args.length : 0,
                env: Array.isArray(exec.env) ? exec.env.length : 0,
                ...(str(exec.interactiveMode) ? { interactiveMode: exec.interactiveMode as string } : {}),
                ...(typeof exec.provideClusterInfo === "boolean" ? { provideClusterInfo: exec.provideClusterInfo } : {}),
              },
            }
          : {}),
        ...(authProvider && typeof authProvider === "object" && str(authProvider.name) ? { authProvider: authProvider.name as string } : {}),
        ...(str(value.as) ? { impersonate: value.as as string } : {}),
      });
    }
    for (const { name, value } of namedEntries(doc, "contexts", "context")) {
      if (contexts.has(name)) continue;
      contexts.set(name, { name, file, cluster: String(value.cluster ?? ""), user: String(value.user ?? ""), ...(str(value.namespace) ? { namespace: value.namespace as string } : {}), current: false });
    }
  }
  if (currentContext && contexts.has(currentContext)) contexts.get(currentContext)!.current = true;
  return { files, missingFiles: missing, ...(currentContext ? { currentContext } : {}), contexts: [...contexts.values()], clusters: [...clusters.values()], users: [...users.values()] };
}

/** A URL without userinfo, query or fragment (a proxy URL may carry a password). */
function safeServer(raw: string): string {
  try {
    const url = new URL(raw);
    const hadCredentials = url.username !== "" || url.password !== "";
    url.username = "";
    url.password = "";
    url.search = "";
    url.hash = "";
    return `${url.toString().replace(/\/$/, "")}${hadCredentials ? " (credentials in URL not shown)" : ""}`;
  } catch {
    return "<invalid URL>";
  }
}
