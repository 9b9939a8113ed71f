// Test support: a fake Kubernetes API server on 127.0.0.1 (discovery, paginated lists, logs, injected faults)
// and a kubeconfig pointing at it. Used by the live source's tests; not part of the tool.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KINDS } from "../../../model/kinds.js";
import type { KubeObject } from "../../../model/kube.js";

/** A failure to inject: on requests for `resource` (a list's plural, `pods/log`, or a path like `/version`). */
export interface Fault {
  resource: string;
  /** How many matching requests fail; undefined = all. */
  times?: number;
  /** Only requests that carry a continue token. */
  onContinue?: boolean;
  /** Let this many matching requests through before the fault applies. */
  skip?: number;
  /** An HTTP status answered with a Status body, or: hang (never answer), reset (destroy the socket), shutdown (stop the server). */
  respond: number | "hang" | "reset" | "shutdown";
  retryAfterSeconds?: number;
  message?: string;
}

/** A resource the fake serves besides the KINDS table (a CRD's, metrics.k8s.io's). */
export interface ExtraResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

export interface FakeApiOptions {
  /** Objects as kubectl prints them (apiVersion and kind set); served as list items without them. */
  objects?: KubeObject[];
  /** The bearer token the fake requires; requests without it get 401. */
  token?: string;
  /** Serve https with a throwaway certificate (needs openssl); default true. */
  tls?: boolean;
  gitVersion?: string;
  /** Kinds not served: left out of discovery, 404 on their list. Their API group disappears when it serves nothing else. */
  absentKinds?: string[];
  faults?: Fault[];
  extraResources?: ExtraResource[];
  /** Container logs by `namespace/pod/container` or `namespace/pod/container/previous`. */
  logs?: Record<string, string>;
  /**
   * Ephemeral containers added by PATCH on pods/<name>/ephemeralcontainers (strategic merge of
   * spec.ephemeralContainers by name): the pod's GET reports each as waiting (`waitingReason`) for
   * `runningAfterGets` GETs, then terminated with `exitCode`; `never` keeps it waiting for ever.
   */
  ephemeral?: { terminateAfterGets: number | "never"; exitCode?: number; waitingReason?: string };
  /** Kubelet summaries (stats/v1alpha1 Summary JSON) by node name, served at /api/v1/nodes/<node>/proxy/stats/summary (resource `nodes/proxy`); other nodes answer 503. */
  kubeletSummaries?: Record<string, unknown>;
}

export interface RecordedRequest {
  path: string;
  query: Record<string, string>;
  /** The resource the request was for (`pods`, `pods/log`, or the path for discovery). */
  resource: string;
  authorized: boolean;
  method: string;
  /** The request body (PATCH) and its Content-Type. */
  body?: string;
  contentType?: string;
}

export interface FakeApiServer {
  url: string;
  /** The CA certificate (PEM) when serving https. */
  caPem?: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

interface Served {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

let certificate: { key: string; cert: string } | null | undefined;

/** A self-signed certificate for 127.0.0.1, made once per process; null when openssl is missing. */
function testCertificate(): { key: string; cert: string } | null {
  if (certificate !== undefined) return certificate;
  const dir = mkdtempSync(join(tmpdir(), "kubesleuth-cert-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
      { stdio: "ignore" },
    );
    certificate = { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  } catch {
    certificate = null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return certificate;
}

export async function startFakeApiServer(options: FakeApiOptions = {}): Promise<FakeApiServer> {
  const absent = new Set(options.absentKinds ?? []);
  const served: Served[] = [
    ...KINDS.filter((k) => !absent.has(k.kind)).map((k) => ({ group: k.group, version: k.version, resource: k.resource, kind: k.kind, namespaced: k.namespaced })),
    ...(options.extraResources ?? []),
  ];
  const objects = options.objects ?? [];
  const faults = (options.faults ?? []).map((f) => ({ ...f, left: f.times ?? Number.POSITIVE_INFINITY, skipLeft: f.skip ?? 0 }));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const cert = options.tls === false ? null : testCertificate();

  /** Ephemeral containers added per `namespace/pod`, with the pod GETs seen since. */
  const ephemeral = new Map<string, { containers: Array<Record<string, unknown>>; gets: number }>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    const authorized = !options.token || req.headers.authorization === `Bearer ${options.token}`;
    const route = routeOf(url.pathname, served);
    const method = req.method ?? "GET";
    requests.push({ path: url.pathname, query, resource: route.resource, authorized, method, ...(body ? { body } : {}), ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}) });
    if (!authorized) return status(res, 401, "Unauthorized", "Unauthorized");

    let fault = faults.find((f) => f.left > 0 && (f.resource === route.resource || f.resource === url.pathname) && (!f.onContinue || query.continue));
    if (fault && fault.skipLeft > 0) {
      fault.skipLeft--;
      fault = undefined;
    }
    if (fault) {
      fault.left--;
      if (fault.respond === "hang") return; // keep the socket open, answer never
      if (fault.respond === "reset") return req.socket.destroy();
      if (fault.respond === "shutdown") {
        server.close();
        for (const s of sockets) s.destroy();
        return;
      }
      if (fault.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(fault.retryAfterSeconds));
      return status(res, fault.respond, reasonOf(fault.respond), fault.message ?? `injected ${fault.respond} for ${route.resource}`);
    }

    switch (route.type) {
      case "version":
        return send(res, { major: "1", minor: "31", gitVersion: options.gitVersion ?? "v1.31.2", platform: "linux/amd64" });
      case "api":
        return send(res, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
      case "apis": {
        const groups = [...new Set(served.filter((s) => s.group).map((s) => `${s.group}/${s.version}`))].sort().map((gv) => {
          const [name] = gv.split("/");
          return { name, versions: [{ groupVersion: gv, version: gv.split("/")[1] }], preferredVersion: { groupVersion: gv, version: gv.split("/")[1] } };
        });
        return send(res, { kind: "APIGroupList", apiVersion: "v1", groups });
      }
      case "resources": {
        const list = served.filter((s) => (s.group ? `${s.group}/${s.version}` : s.version) === route.groupVersion);
        if (list.length === 0) return status(res, 404, "NotFound", "the server could not find the requested resource");
        const resources = list.map((s) => ({ name: s.resource, singularName: "", namespaced: s.namespaced, kind: s.kind, verbs: ["get", "list", "watch"] }));
        if (route.groupVersion === "v1" && list.some((s) => s.resource === "pods")) resources.push({ name: "pods/log", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] });
        return send(res, { kind: "APIResourceList", apiVersion: "v1", groupVersion: route.groupVersion, resources });
      }
      case "list":
        return sendList(res, route.served, route.namespace, query, objects);
      case "pod": {
        const pod = objects.find((o) => o.kind === "Pod" && o.metadata.namespace === route.namespace && o.metadata.name === route.pod);
        if (!pod) return status(res, 404, "NotFound", `pods "${route.pod}" not found`);
        if (method === "PATCH" && route.resource === "pods/ephemeralcontainers") {
          if (req.headers["content-type"] !== "application/strategic-merge-patch+json") return status(res, 415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/strategic-merge-patch+json`);
          const patch = JSON.parse(body) as { spec?: { ephemeralContainers?: Array<Record<string, unknown>> } };
          const added = ephemeral.get(`${route.namespace}/${route.pod}`) ?? { containers: [], gets: 0 };
          for (const c of patch.spec?.ephemeralContainers ?? []) if (!added.containers.some((a) => a.name === c.name)) added.containers.push(c);
          ephemeral.set(`${route.namespace}/${route.pod}`, added);
          return send(res, podWithEphemeral(pod, added.containers, undefined));
        }
        if (method !== "GET" || route.resource !== "pods") return status(res, 405, "MethodNotAllowed", `${method} is not supported here`);
        const added = ephemeral.get(`${route.namespace}/${route.pod}`);
        if (!added) return send(res, pod);
        added.gets++;
        const after = options.ephemeral?.terminateAfterGets ?? "never";
        const state =
          after !== "never" && added.gets > after
            ? { terminated: { exitCode: options.ephemeral?.exitCode ?? 0, reason: (options.ephemeral?.exitCode ?? 0) === 0 ? "Completed" : "Error" } }
            : { waiting: { reason: options.ephemeral?.waitingReason ?? "ContainerCreating" } };
        return send(res, podWithEphemeral(pod, added.containers, state));
      }
      case "log": {
        const key = `${route.namespace}/${route.pod}/${query.container ?? ""}${query.previous === "true" ? "/previous" : ""}`;
        const text = options.logs?.[key];
        if (text === undefined) return status(res, 400, "BadRequest", `container "${query.container}" in pod "${route.pod}" is waiting to start`);
        let lines = text.split("\n");
        if (text.endsWith("\n")) lines.pop();
        if (query.tailLines) lines = lines.slice(-Number(query.tailLines));
        let body = Buffer.from(lines.map((l) => `${l}\n`).join(""));
        if (query.limitBytes) body = body.subarray(0, Number(query.limitBytes));
        res.writeHead(200, { "Content-Type": "text/plain" });
        return res.end(body);
      }
      case "node-proxy": {
        const summary = options.kubeletSummaries?.[route.node];
        if (route.subpath !== "stats/summary" || summary === undefined) return status(res, 503, "ServiceUnavailable", `error trying to reach service: dial tcp: node ${route.node} kubelet unreachable`);
        return send(res, summary);
      }
      default:
        return status(res, 404, "NotFound", "the server could not find the requested resource");
    }
  };

  const server = cert ? https.createServer({ key: cert.key, cert: cert.cert }, handler) : http.createServer(handler);
  server.on(cert ? "secureConnection" : "connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${cert ? "https" : "http"}://127.0.0.1:${port}`,
    ...(cert ? { caPem: cert.cert } : {}),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

type Route =
  | { type: "version" | "api" | "apis" | "unknown"; resource: string }
  | { type: "resources"; resource: string; groupVersion: string }
  | { type: "list"; resource: string; served: Served; namespace?: string }
  | { type: "log" | "pod"; resource: string; namespace: string; pod: string }
  | { type: "node-proxy"; resource: string; node: string; subpath: string };

function routeOf(path: string, served: Served[]): Route {
  if (path === "/version") return { type: "version", resource: path };
  if (path === "/api") return { type: "api", resource: path };
  if (path === "/apis") return { type: "apis", resource: path };
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  let group = "";
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === "api") {
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === "apis") {
    group = parts[1] ?? "";
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return { type: "unknown", resource: path };
  }
  if (!version) return { type: "unknown", resource: path };
  const groupVersion = group ? `${group}/${version}` : version;
  if (rest.length === 0) return { type: "resources", resource: path, groupVersion };
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (namespace && rest[0] === "pods" && rest[2] === "log" && rest[1]) return { type: "log", resource: "pods/log", namespace, pod: rest[1] };
  if (namespace && rest[0] === "pods" && rest[1] && rest.length === 2) return { type: "pod", resource: "pods", namespace, pod: rest[1] };
  if (namespace && rest[0] === "pods" && rest[1] && rest[2] === "ephemeralcontainers" && rest.length === 3) return { type: "pod", resource: "pods/ephemeralcontainers", namespace, pod: rest[1] };
  if (!namespace && !group && rest[0] === "nodes" && rest[2] === "proxy" && rest[1]) return { type: "node-proxy", resource: "nodes/proxy", node: rest[1], subpath: rest.slice(3).join("/") };
  if (rest.length !== 1) return { type: "unknown", resource: path };
  const hit = served.find((s) => s.group === group && s.version === version && s.resource === rest[0]);
  if (!hit) return { type: "unknown", resource: rest[0]! };
  return { type: "list", resource: hit.resource, served: hit, ...(namespace ? { namespace } : {}) };
}

/** The pod as the API server returns it after ephemeral containers were added (spec and, once the kubelet saw them, status). */
function podWithEphemeral(pod: KubeObject, containers: Array<Record<string, unknown>>, state: Record<string, unknown> | undefined): unknown {
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const status = (pod.status ?? {}) as Record<string, unknown>;
  return {
    ...pod,
    spec: { ...spec, ephemeralContainers: containers },
    status: state ? { ...status, ephemeralContainerStatuses: containers.map((c) => ({ name: c.name, image: c.image, ready: false, restartCount: 0, state })) } : status,
  };
}

/** Field selectors as the API server's for the fields kubesleuth uses: comma-separated `field=value` / `field!=value` (metadata.name, metadata.namespace, type). */
function matchesFieldSelector(object: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const m = /^([a-zA-Z.]+)(!=|==|=)(.*)$/.exec(term.trim());
    if (!m) throw new Error(`fake API server: unsupported field selector ${term}`);
    const actual = m[1] === "metadata.name" ? object.metadata.name : m[1] === "metadata.namespace" ? object.metadata.namespace : m[1] === "type" ? object.type : undefined;
    return m[2] === "!=" ? actual !== m[3] : actual === m[3];
  });
}

function sendList(res: http.ServerResponse, served: Served, namespace: string | undefined, query: Record<string, string>, objects: KubeObject[]) {
  const matching = objects
    .filter((o) => o.kind === served.kind)
    .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
    .filter((o) => matchesSelector(o.metadata.labels ?? {}, query.labelSelector))
    .filter((o) => matchesFieldSelector(o, query.fieldSelector))
    .sort((a, b) => `${a.metadata.namespace ?? ""}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ""}/${b.metadata.name}`));
  const offset = query.continue ? (JSON.parse(Buffer.from(query.continue, "base64url").toString()) as { offset: number }).offset : 0;
  const limit = query.limit ? Number(query.limit) : matching.length;
  const page = matching.slice(offset, offset + limit);
  const next = offset + limit < matching.length ? Buffer.from(JSON.stringify({ offset: offset + limit })).toString("base64url") : undefined;
  const apiVersion = served.group ? `${served.group}/${served.version}` : served.version;
  const items = page.map((o) => {
    // The API server omits apiVersion/kind on items and sends managedFields, which kubectl hides.
    const { apiVersion: _a, kind: _k, ...rest } = o;
    return {
      ...rest,
      metadata: {
        ...rest.metadata,
        managedFields: [{ manager: "kubectl-client-side-apply", operation: "Update", apiVersion, time: "2024-05-01T10:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:metadata": {} } }],
      },
    };
  });
  send(res, {
    kind: `${served.kind}List`,
    apiVersion,
    metadata: { resourceVersion: "12345", ...(next ? { continue: next, remainingItemCount: matching.length - offset - limit } : {}) },
    items,
  });
}

/** Equality-based selectors only (a=b, a==b, a!=b), enough for tests. */
function matchesSelector(labels: Record<string, string>, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const m = /^\s*([^!=\s]+)\s*(!=|==|=)\s*(\S*)\s*$/.exec(term);
    if (!m) return false;
    return m[2] === "!=" ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
  });
}

function reasonOf(code: number): string {
  return { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 410: "Expired", 429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable" }[code] ?? "Unknown";
}

function status(res: http.ServerResponse, code: number, reason: string, message: string) {
  send(res, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }, code);
}

function send(res: http.ServerResponse, body: unknown, code = 200) {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

export interface KubeconfigSpec {
  server: string;
  token?: string;
  caPem?: string;
  contextName?: string;
  /** Neither a CA nor insecure-skip-tls-verify: the system's trust store decides. */
  systemTrust?: boolean;
  /** Extra contexts (same cluster and user). */
  otherContexts?: string[];
}

/** Writes a kubeconfig for the fake server into a new temp directory; returns its path and a cleanup. */
export function writeKubeconfig(spec: KubeconfigSpec): { path: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "kubesleuth-kubeconfig-"));
  const path = join(dir, "config");
  const context = spec.contextName ?? "fake";
  const cluster = spec.caPem
    ? { server: spec.server, "certificate-authority-data": Buffer.from(spec.caPem).toString("base64") }
    : spec.systemTrust
      ? { server: spec.server }
      : { server: spec.server, "insecure-skip-tls-verify": true };
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "fake-cluster", cluster }],
    users: [{ name: "fake-user", user: spec.token ? { token: spec.token } : {} }],
    contexts: [context, ...(spec.otherContexts ?? [])].map((name) => ({ name, context: { cluster: "fake-cluster", user: "fake-user" } })),
    "current-context": context,
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return { path, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `body` against a fresh fake API server (plain http) and a KubeConfig loaded from a kubeconfig for it; cleans up after. */
export async function withFakeKubeConfig(options: FakeApiOptions, body: (server: FakeApiServer, kubeConfig: KubeConfig) => Promise<void>): Promise<void> {
  const server = await startFakeApiServer({ tls: false, ...options });
  const kubeconfig = writeKubeconfig({ server: server.url });
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfig.path);
    await body(server, kubeConfig);
  } finally {
    kubeconfig.cleanup();
    await server.close();
  }
}
