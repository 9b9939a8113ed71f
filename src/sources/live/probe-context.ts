// Probes one kubeconfig context: does the server answer (/version) and do the credentials authenticate
// (POST a SelfSubjectReview, what `kubectl auth whoami` does)? One request each, bounded by a timeout;
// messages never carry a credential.
import http from "node:http";
import https from "node:https";
import { resolveKubeConfig } from "./kubeconfig.js";
import { TOOL_VERSION } from "../../version.js";
import type { ContextProbe } from "../../model/kubeconfig.js";

export type { ContextProbe };

interface Response {
  status: number;
  body: string;
}

function scrubber(secrets: Set<string>): (text: string) => string {
  return (text) => {
    let out = text;
    for (const s of secrets) if (s.length >= 4) out = out.split(s).join("<credential>");
    return out.replace(/[\r\n]+/g, " ");
  };
}

/** Probes `context` of the kubeconfig (explicit file, else KUBECONFIG, else ~/.kube/config). */
export async function probeContext(kubeconfig: string | undefined, context: string, env: Readonly<Record<string, string | undefined>>, timeoutMs: number): Promise<ContextProbe> {
  const resolved = resolveKubeConfig({ ...(kubeconfig !== undefined ? { kubeconfig } : {}), context }, env);
  const kc = resolved.kubeConfig;
  const cluster = kc.getCurrentCluster()!;
  const base = new URL(cluster.server);
  const basePath = base.pathname.replace(/\/$/, "");
  const transport = base.protocol === "http:" ? http : https;
  const secrets = new Set<string>();
  const user = kc.getCurrentUser();
  for (const v of [user?.token, user?.password]) if (v) secrets.add(v);
  const scrub = scrubber(secrets);

  let options: https.RequestOptions;
  let authError: string | undefined;
  try {
    options = {};
    await kc.applyToHTTPSOptions(options);
    const headers = (options.headers ?? {}) as http.OutgoingHttpHeaders;
    const authorization = headers.Authorization ?? headers.authorization;
    if (typeof authorization === "string") secrets.add(authorization.replace(/^\S+\s+/, ""));
  } catch (error) {
    // Exec plugins and auth providers fail here (command missing, plugin error).
    authError = `credentials could not be obtained: ${scrub(String((error as Error)?.message ?? error)).slice(0, 300)}`;
    options = {};
    await kc.applyToHTTPSOptions(options).catch(() => undefined);
  }

  const request = (method: "GET" | "POST", path: string, body?: string): Promise<Response> =>
    new Promise((resolvePromise, reject) => {
      const req = transport.request(
        {
          ...options,
          protocol: base.protocol,
          hostname: base.hostname.replace(/^\[|\]$/g, ""),
          port: base.port || undefined,
          path: basePath + path,
          method,
          headers: {
            ...(options.headers ?? {}),
            Accept: "application/json",
            "User-Agent": `kubesleuth/${TOOL_VERSION}`,
            ...(body ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            if (size < 1 << 20) chunks.push(c);
            size += c.length;
          });
          res.on("end", () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", reject);
      if (body) req.write(body);
      req.end();
    });
  const describe = (error: unknown): string => {
    const e = error as NodeJS.ErrnoException;
    const code = e?.code ? `${e.code}: ` : "";
    return scrub(`${code}${e?.message ?? String(error)}`).slice(0, 300);
  };

  let version: ContextProbe["version"];
  try {
    const r = await request("GET", "/version");
    let gitVersion: string | undefined;
    if (r.status >= 200 && r.status < 300) {
      try {
        gitVersion = (JSON.parse(r.body) as { gitVersion?: string }).gitVersion;
      } catch {
        gitVersion = undefined;
      }
    }
    version = { answers: true, status: r.status, ...(gitVersion ? { gitVersion } : {}) };
  } catch (error) {
    version = { answers: false, error: describe(error) };
  }

  let auth: ContextProbe["auth"];
  if (authError) auth = { status: "error", detail: authError };
  else {
    auth = { status: "unsupported", detail: "the SelfSubjectReview API (authentication.k8s.io v1, v1beta1) is absent: only /version was checked" };
    // v1 since Kubernetes 1.28 (beta in 1.27): try v1, then v1beta1.
    for (const apiVersion of ["v1", "v1beta1"]) {
      let r: Response;
      try {
        r = await request("POST", `/apis/authentication.k8s.io/${apiVersion}/selfsubjectreviews`, JSON.stringify({ apiVersion: `authentication.k8s.io/${apiVersion}`, kind: "SelfSubjectReview" }));
      } catch (error) {
        auth = { status: "error", detail: describe(error) };
        break;
      }
      if (r.status === 404) continue;
      if (r.status === 401) auth = { status: "unauthenticated", detail: "401 Unauthorized: the server does not accept these credentials (expired, revoked, or another cluster's)" };
      else if (r.status === 403) auth = { status: "forbidden", detail: "403 Forbidden: authenticated, but not allowed to create selfsubjectreviews (the identity is not shown)" };
      else if (r.status >= 200 && r.status < 300) {
        const info = (JSON.parse(r.body) as { status?: { userInfo?: { username?: string; groups?: string[] } } }).status?.userInfo ?? {};
        auth = { status: "authenticated", username: info.username ?? "", groups: info.groups ?? [], apiVersion: `authentication.k8s.io/${apiVersion}` };
      } else auth = { status: "error", detail: `HTTP ${r.status}` };
      break;
    }
  }
  return { context, server: resolved.serverUrl, version, auth };
}
