// GET requests to the API server with the kubeconfig's auth: per-request timeout, bounded retries with
// exponential backoff and jitter (honoring Retry-After), failures classified, credentials scrubbed from errors.
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { TOOL_VERSION } from "../../version.js";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honored; longer values are cut to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

/**
 * Why a request failed. `unreachable`: no connection (refused, DNS, reset, connect timeout);
 * `timeout`: connected but no complete answer in time; `tls`: certificate problem; `http`: a non-2xx status;
 * `protocol`: a 2xx answer that is not what was asked for (e.g. not JSON).
 */
export type FailureKind = "unreachable" | "timeout" | "tls" | "http" | "protocol";

export class ApiRequestError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly path: string,
    message: string,
    readonly status?: number,
    /** The Status `reason` of an HTTP error (Forbidden, NotFound, Expired...). */
    readonly reason?: string,
    readonly attempts = 1,
    /** The network error code (ECONNREFUSED, ENOTFOUND, CONNECT_TIMEOUT...), if any. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

export interface ApiClient {
  readonly serverUrl: string;
  /** GETs a path and parses JSON. Throws ApiRequestError. */
  getJson(path: string, query?: Record<string, string | undefined>): Promise<unknown>;
  /** GETs a path as text, reading at most maxBytes. Throws ApiRequestError. */
  getText(path: string, query: Record<string, string | undefined>, maxBytes: number): Promise<{ text: string; bytes: number }>;
  /**
   * GETs a path as text once (no retry), whatever the HTTP status: health endpoints answer 500 with the
   * list of failing checks. Throws ApiRequestError only when there is no answer.
   */
  getAnyStatus(path: string, query: Record<string, string | undefined>, maxBytes: number): Promise<{ status: number; text: string; bytes: number }>;
  /** Removes every known credential from a message. */
  scrub(message: string): string;
  close(): void;
}

export interface ApiClientOptions {
  kubeConfig: KubeConfig;
  serverUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { kubeConfig, timeoutMs, retry } = options;
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("no current cluster");
  const base = new URL(cluster.server);
  const basePath = base.pathname.replace(/\/$/, "");
  const transport = base.protocol === "http:" ? http : https;
  const secrets = new Set<string>();
  const user = kubeConfig.getCurrentUser();
  for (const value of [user?.token, user?.password]) if (value) secrets.add(value);
  let sharedAgent: http.Agent | undefined;

  function scrub(message: string): string {
    let out = message;
    for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("<credential>");
    return out.replace(/[\r\n]+/g, " ");
  }

  async function requestOptions(): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(opts);
    // Tokens from exec plugins or token files appear only here; remember them for scrubbing.
    const headers = (opts.headers ?? {}) as http.OutgoingHttpHeaders;
    const authorization = headers["Authorization"] ?? headers["authorization"];
    if (typeof authorization === "string") {
      const token = authorization.replace(/^\S+\s+/, "");
      if (token) secrets.add(token);
    }
    if (typeof opts.auth === "string") for (const part of opts.auth.split(":")) if (part) secrets.add(part);
    // One agent for the whole capture; client-node makes a new one per call.
    if (!sharedAgent) sharedAgent = opts.agent as http.Agent;
    opts.agent = sharedAgent;
    return opts;
  }

  async function once(path: string, maxBytes: number, accept: string): Promise<RawResponse> {
    let opts: https.RequestOptions;
    try {
      opts = await requestOptions();
    } catch (error) {
      // Exec plugins and auth providers fail here; their messages may quote output, so keep one scrubbed line.
      throw new ApiRequestError("unreachable", path, `authentication failed: ${scrub(String((error as Error)?.message ?? error))}`);
    }
    return new Promise<RawResponse>((resolve, reject) => {
      let connected = false;
      let settled = false;
      const finish = (error: ApiRequestError | undefined, response?: RawResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(response!);
      };
      const request = transport.request(
        {
          ...opts,
          protocol: base.protocol,
          hostname: base.hostname.replace(/^\[|\]$/g, ""),
          port: base.port || undefined,
          path: basePath + path,
          method: "GET",
          headers: { ...opts.headers, Accept: accept, "User-Agent": `kubesleuth/${TOOL_VERSION}` },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          response.on("data", (chunk: Buffer) => {
            if (bytes >= maxBytes) return;
            const room = maxBytes - bytes;
            const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
            chunks.push(piece);
            bytes += piece.length;
            if (bytes >= maxBytes) {
              finish(undefined, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
              response.destroy();
            }
          });
          response.on("end", () => finish(undefined, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on("error", (error) => finish(classifyNetworkError(path, error)));
          response.on("close", () => {
            if (!response.complete) finish(new ApiRequestError("unreachable", path, "connection closed before the answer was complete"));
          });
        },
      );
      const timer = setTimeout(() => {
        finish(
          connected
            ? new ApiRequestError("timeout", path, `no answer within ${timeoutMs} ms`)
            : new ApiRequestError("unreachable", path, `connection timed out after ${timeoutMs} ms`, undefined, undefined, 1, "CONNECT_TIMEOUT"),
        );
        request.destroy();
      }, timeoutMs);
      request.on("socket", (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once("connect", () => (connected = true));
      });
      request.on("error", (error) => finish(classifyNetworkError(path, error)));
      request.end();
    });
  }

  async function withRetries(path: string, query: Record<string, string | undefined> | undefined, maxBytes: number, accept: string): Promise<RawResponse> {
    const fullPath = path + queryString(query);
    for (let attempt = 1; ; attempt++) {
      let failure: ApiRequestError;
      let retryAfterMs: number | undefined;
      try {
        const response = await once(fullPath, maxBytes, accept);
        if (response.status >= 200 && response.status < 300) return response;
        failure = httpError(path, response, attempt);
        retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
      } catch (error) {
        if (!(error instanceof ApiRequestError)) throw error;
        failure = error;
      }
      if (attempt >= attemptsFor(failure, retry)) {
        throw new ApiRequestError(failure.kind, failure.path, scrub(failure.message), failure.status, failure.reason, attempt, failure.code);
      }
      await sleep(backoffDelay(retry, attempt, retryAfterMs));
    }
  }

  return {
    serverUrl: options.serverUrl,
    async getJson(path, query) {
      const response = await withRetries(path, query, Number.MAX_SAFE_INTEGER, "application/json");
      try {
        return JSON.parse(response.body.toString("utf8")) as unknown;
      } catch {
        // Never quote the body: it may be a list of Secrets.
        throw new ApiRequestError("protocol", path, "the answer is not valid JSON");
      }
    },
    async getText(path, query, maxBytes) {
      const response = await withRetries(path, query, maxBytes, "text/plain, */*");
      return { text: response.body.toString("utf8"), bytes: response.body.length };
    },
    async getAnyStatus(path, query, maxBytes) {
      const response = await once(path + queryString(query), maxBytes, "text/plain, */*");
      return { status: response.status, text: response.body.toString("utf8"), bytes: response.body.length };
    },
    scrub,
    close() {
      sharedAgent?.destroy();
    },
  };
}

/**
 * How many attempts a failure deserves: 429/5xx and resets the full policy; a request that already
 * waited a whole timeout (or a connect timeout) one retry at most, so a hanging API costs two
 * timeouts, not four; an unknown host and everything else none.
 */
function attemptsFor(failure: ApiRequestError, retry: RetryPolicy): number {
  if (failure.kind === "http") return RETRYABLE_STATUS.has(failure.status!) ? retry.attempts : 1;
  if (failure.kind === "timeout" || failure.code === "CONNECT_TIMEOUT") return Math.min(retry.attempts, 2);
  if (failure.kind === "unreachable") return failure.code === "ENOTFOUND" ? 1 : retry.attempts;
  return 1;
}

/** Delay before retry number `attempt` (1-based): Retry-After when the server sent one, else exponential with jitter. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}

/** Retry-After in ms: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function httpError(path: string, response: RawResponse, attempts: number): ApiRequestError {
  // The API server answers errors with a Status object; its message is safe to show (it names the
  // resource and the user, never object content). Other bodies are not quoted.
  let message = "";
  let reason: string | undefined;
  try {
    const status = JSON.parse(response.body.toString("utf8")) as { kind?: unknown; message?: unknown; reason?: unknown };
    if (status && status.kind === "Status") {
      if (typeof status.message === "string") message = status.message.slice(0, 500);
      if (typeof status.reason === "string") reason = status.reason;
    }
  } catch {
    // not a Status
  }
  const text = `HTTP ${response.status}${reason ? ` ${reason}` : ""}${message ? `: ${message}` : ""}`;
  return new ApiRequestError("http", path, text, response.status, reason, attempts);
}

function classifyNetworkError(path: string, error: unknown): ApiRequestError {
  const e = error as NodeJS.ErrnoException;
  const code = e?.code ?? "";
  const message = String(e?.message ?? error);
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ALTNAME/.test(code)) {
    return new ApiRequestError("tls", path, `TLS: ${message}`);
  }
  // Refused, DNS, reset, or the connection dropped mid-answer: all count as the server being away.
  return new ApiRequestError("unreachable", path, code && !message.includes(code) ? `${code}: ${message}` : message, undefined, undefined, 1, code || undefined);
}

function queryString(query: Record<string, string | undefined> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
