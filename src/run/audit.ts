// Audit log analysis: every request counted once (stages deduplicated by auditID), 403s grouped by
// subject and action and explained (authorization annotations; the RBAC engine against a snapshot;
// the minimal Role+RoleBinding, verified when a snapshot is given), load by user and user agent,
// LISTs without limit, watch storms, 429s and 5xx per minute, the time window and request rate.
import type { AuditEvent } from "../model/audit.js";
import {
  authorize,
  buildRbacIndex,
  explainDenial,
  minimalGrant,
  parseForbiddenMessages,
  subjectForUser,
  type ClusterRoleObject,
  type NearMiss,
  type PolicyRule,
  type RbacIndex,
  type RequestAttributes,
  type RoleBindingObject,
  type RoleObject,
  type UserInfo,
} from "../engines/rbac/index.js";

export interface AuditThresholds {
  /** Watch storm: at least this many watch requests ... (default 10) */
  watchStormCount: number;
  /** ... by one client (user + user agent) for one resource within this many seconds (default 60). */
  watchStormWindowSeconds: number;
  /** A LIST without limit returning at least this many items is "large" (default 500, kubectl's chunk size). */
  largeListItems: number;
  /** Rows in the top-N tables (default 10). */
  top: number;
}

export const DEFAULT_AUDIT_THRESHOLDS: AuditThresholds = { watchStormCount: 10, watchStormWindowSeconds: 60, largeListItems: 500, top: 10 };

export interface AuditExplainOptions {
  /** The cluster's RBAC (from a snapshot or live): explanations and verified grants. */
  index?: RbacIndex;
  /** Where the RBAC objects came from, for the report. */
  indexSource?: string;
  /**
   * Expand verbs in the per-subject grant as audit2rbac does (list -> get, watch; watch -> get, list;
   * update -> get, patch; patch -> get, update). Off by default: the grant then covers exactly the denied requests.
   */
  expandVerbs?: boolean;
  /** Only the 403s (and grants) of this user (the impersonated user for kubectl --as), as audit2rbac --user. */
  user?: string;
}

/** Stage precedence: the final stages carry the response code and the full latency. */
const STAGE_RANK: Record<string, number> = { RequestReceived: 1, ResponseStarted: 2, ResponseComplete: 3, Panic: 3 };
const FINAL_STAGES = new Set(["ResponseComplete", "Panic"]);

/**
 * Long-running requests, whose duration is not latency: the API server's default check
 * (staging/src/k8s.io/apiserver/pkg/server/filters/longrunning.go BasicLongRunningRequestCheck with
 * verbs watch, proxy and subresources attach, exec, proxy, log, portforward; pkg/controlplane).
 */
const LONG_RUNNING_VERBS = new Set(["watch", "proxy"]);
const LONG_RUNNING_SUBRESOURCES = new Set(["attach", "exec", "proxy", "log", "portforward"]);

/** audit2rbac's DefaultGenerateOptions VerbExpansions (liggitt/audit2rbac pkg/process.go). */
const VERB_EXPANSIONS: Record<string, string[]> = { watch: ["get", "list"], list: ["get", "watch"], update: ["get", "patch"], patch: ["get", "update"] };

export interface AuditAction {
  verb: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  nonResourceURL?: string;
}

export interface ForbiddenGroup {
  user: UserInfo;
  /** The authenticated users who made these requests while impersonating `user` (kubectl --as). */
  impersonatedBy?: string[];
  /** How many of the `count` requests were made by impersonation. */
  impersonated?: number;
  /** The 403 was the impersonation itself: `user` failed the impersonation check that `action` names (from the message). */
  impersonationDenied?: boolean;
  action: AuditAction;
  count: number;
  first?: string;
  last?: string;
  /** authorization.k8s.io/decision and /reason annotations of the first event, when the API server wrote them. */
  decision?: string;
  reason?: string;
  /** responseStatus.message of the first event. */
  message?: string;
  /** The first event's place. */
  evidence: { file: string; line: number; auditID?: string };
  explanation: ForbiddenExplanation;
}

export interface ForbiddenExplanation {
  /**
   * `admission`: authorized (decision allow), the 403 came later (admission, e.g. PodSecurity; or the handler);
   * `rbac-denied`: the RBAC engine denies it against the snapshot; `rbac-allows-now`: the snapshot's RBAC allows it
   * (granted since the log was written, or another identity); `unexplained`: no snapshot, the grant is unverified;
   * `impersonation-denied`: the caller failed the impersonation check (kubectl --as), no grant suggested.
   */
  verdict: "admission" | "rbac-denied" | "rbac-allows-now" | "unexplained" | "impersonation-denied";
  detail: string;
  nearest?: NearMiss[];
  grantedBy?: string;
  minimalGrant?: { role: RoleObject | ClusterRoleObject; binding: RoleBindingObject; verified: boolean; verifiedAgainst: "snapshot" | "none" };
}

export interface SubjectGrant {
  user: UserInfo;
  /** One Role + RoleBinding per namespace, one ClusterRole + ClusterRoleBinding for cluster-scoped and URL requests. */
  objects: (RoleObject | ClusterRoleObject | RoleBindingObject)[];
  /** Every denied request of the subject is allowed by RBAC with these objects added (only with a snapshot). */
  verified: boolean;
  verifiedAgainst: "snapshot" | "none";
  expandedVerbs: boolean;
  covers: number;
}

export interface LoadRow {
  name: string;
  requests: number;
  /** Over ResponseComplete events of non-long-running requests, in ms. */
  latency?: { count: number; p50: number; p99: number; max: number };
}

export interface UnlimitedList {
  user: string;
  userAgent: string;
  apiGroup?: string;
  resource: string;
  /** undefined: all namespaces. */
  namespace?: string;
  count: number;
  /** Largest item count seen in a responseObject (RequestResponse level only). */
  maxItems?: number;
  /** true: at least largeListItems items; undefined: unknown (no responseObject at this audit level). */
  large?: boolean;
  evidence: { file: string; line: number; requestURI?: string };
}

export interface WatchStorm {
  user: string;
  userAgent: string;
  resource: string;
  /** Watch requests in the busiest window. */
  inWindow: number;
  windowStart: string;
  total: number;
}

export interface MinuteBucket {
  minute: string;
  requests: number;
  tooManyRequests: number;
  serverErrors: number;
  /** Counts per 5xx code. */
  codes: Record<string, number>;
}

export interface AuditReport {
  files: { file: string; gzip: boolean; lines: number; events: number; malformed: number; notAuditLog?: string }[];
  malformed: { count: number; first: { file: string; line: number; reason: string }[] };
  events: number;
  /** Requests after deduplicating stages by auditID. */
  requests: number;
  /** Requests seen only in a non-final stage (log ended before ResponseComplete). */
  incomplete: number;
  /** Final-stage events whose auditID was already counted (the same file read twice, overlapping copies): not counted again. */
  duplicates: number;
  /** The time covered (first request received to last stage written); no rate when it is a single instant. */
  window?: { start: string; end: string; seconds: number; requestsPerSecond?: number };
  forbidden: ForbiddenGroup[];
  forbiddenTotal: number;
  grants: SubjectGrant[];
  rbacSource?: string;
  topUsersByRequests: LoadRow[];
  topUsersByLatency: LoadRow[];
  topUserAgentsByRequests: LoadRow[];
  topUserAgentsByLatency: LoadRow[];
  unlimitedLists: UnlimitedList[];
  watchStorms: WatchStorm[];
  throttlingAndErrors: MinuteBucket[];
  codes: Record<string, number>;
  thresholds: AuditThresholds;
}

interface Location {
  file: string;
  line: number;
}

interface LoadStats {
  requests: number;
  latencies: number[];
}

/** The last whole-second prefix parsed: consecutive audit events mostly share it (a memo, not state). */
let lastSecondPrefix = "";
let lastSecondMs = 0;
const DIGITS = /^\d{1,9}$/;

/** Microseconds since the epoch of an RFC 3339 time with up to 9 fractional digits (Date.parse keeps ms only). */
export function parseMicros(value: string | undefined): number | undefined {
  if (!value) return undefined;
  // Fast path for what the API server writes: UTC, "2026-11-28T10:00:00.123456Z".
  const n = value.length;
  if (n >= 20 && value.charCodeAt(n - 1) === 90 && value.charCodeAt(10) === 84 && (n === 20 || value.charCodeAt(19) === 46)) {
    const prefix = value.slice(0, 19);
    if (prefix !== lastSecondPrefix) {
      const ms = Date.parse(`${prefix}Z`);
      if (!Number.isNaN(ms)) {
        lastSecondPrefix = prefix;
        lastSecondMs = ms;
      }
    }
    if (prefix === lastSecondPrefix) {
      if (n === 20) return lastSecondMs * 1000;
      const fraction = value.slice(20, n - 1);
      if (DIGITS.test(fraction)) return lastSecondMs * 1000 + Number(`${fraction}000000`.slice(0, 6));
    }
  }
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!m) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms * 1000;
  }
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = m[2] ? Number(`${m[2]}000000`.slice(0, 6)) : 0;
  return seconds * 1000 + fraction;
}

function iso(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString();
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

function queryOf(requestURI: string | undefined): URLSearchParams {
  const q = requestURI?.indexOf("?") ?? -1;
  return new URLSearchParams(q >= 0 ? requestURI!.slice(q + 1) : "");
}

function pathOf(requestURI: string | undefined): string {
  const q = requestURI?.indexOf("?") ?? -1;
  return q >= 0 ? requestURI!.slice(0, q) : (requestURI ?? "");
}

/** The API group of a request: objectRef.apiGroup, else from the URL (/apis/<group>/<version>/...), core ("") for /api/. */
function apiGroupOf(event: AuditEvent): string {
  if (event.objectRef?.apiGroup !== undefined) return event.objectRef.apiGroup;
  const path = pathOf(event.requestURI);
  const m = /^\/apis\/([^/]+)\/[^/]+/.exec(path);
  if (m) return m[1]!;
  const version = event.objectRef?.apiVersion;
  if (version && version.includes("/")) return version.split("/")[0]!;
  return "";
}

function itemCount(responseObject: unknown): number | undefined {
  const items = (responseObject as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? items.length : undefined;
}

/** Streams audit events in, deduplicating stages by auditID; `finish` builds the report. */
export class AuditAggregator {
  private readonly thresholds: AuditThresholds;
  private readonly pending = new Map<string, { event: AuditEvent; location: Location }>();
  private eventCount = 0;
  private requestCount = 0;
  private incompleteCount = 0;
  private duplicateCount = 0;
  private readonly finished = new Set<string>();
  private start?: number;
  private end?: number;
  private readonly users = new Map<string, LoadStats>();
  private readonly agents = new Map<string, LoadStats>();
  private readonly forbidden = new Map<string, Omit<ForbiddenGroup, "explanation"> & { impersonators: Set<string> }>();
  private forbiddenTotal = 0;
  private readonly lists = new Map<string, UnlimitedList>();
  private readonly watches = new Map<string, { user: string; userAgent: string; resource: string; times: number[] }>();
  private readonly minutes = new Map<number, MinuteBucket>();
  private readonly codes = new Map<string, number>();

  constructor(thresholds: Partial<AuditThresholds> = {}) {
    this.thresholds = { ...DEFAULT_AUDIT_THRESHOLDS, ...thresholds };
  }

  /** One audit Event, in file order. */
  add(event: AuditEvent, location: Location): void {
    this.eventCount++;
    const id = event.auditID;
    if (!id) {
      this.count(event, location);
      return;
    }
    // Rotated files may come in any order: a stage of a request already counted is not counted again.
    if (this.finished.has(id)) {
      if (FINAL_STAGES.has(event.stage ?? "") || event.stage === undefined) this.duplicateCount++;
      return;
    }
    if (FINAL_STAGES.has(event.stage ?? "") || event.stage === undefined) {
      // After ResponseComplete (or Panic, which replaces it) the API server writes no other stage for this ID.
      this.pending.delete(id);
      this.finished.add(id);
      this.count(event, location);
      return;
    }
    const previous = this.pending.get(id);
    if (!previous || (STAGE_RANK[event.stage ?? ""] ?? 0) > (STAGE_RANK[previous.event.stage ?? ""] ?? 0)) this.pending.set(id, { event, location });
  }

  private stats(map: Map<string, LoadStats>, key: string): LoadStats {
    let s = map.get(key);
    if (!s) {
      s = { requests: 0, latencies: [] };
      map.set(key, s);
    }
    return s;
  }

  private count(event: AuditEvent, location: Location): void {
    this.requestCount++;
    const received = parseMicros(event.requestReceivedTimestamp ?? event.timestamp);
    const stageAt = parseMicros(event.stageTimestamp);
    const done = stageAt ?? received;
    if (received !== undefined) this.start = this.start === undefined ? received : Math.min(this.start, received);
    if (done !== undefined) this.end = this.end === undefined ? done : Math.max(this.end, done);

    const userName = event.user?.username ?? "(unknown)";
    const agent = event.userAgent ?? "(none)";
    const verb = event.verb ?? "";
    const ref = event.objectRef;
    const userStats = this.stats(this.users, userName);
    const agentStats = this.stats(this.agents, agent);
    userStats.requests++;
    agentStats.requests++;
    const longRunning = LONG_RUNNING_VERBS.has(verb) || LONG_RUNNING_SUBRESOURCES.has(ref?.subresource ?? "");
    if (event.stage === "ResponseComplete" && !longRunning && received !== undefined && stageAt !== undefined) {
      const latencyMs = (stageAt - received) / 1000;
      if (latencyMs >= 0) {
        userStats.latencies.push(latencyMs);
        agentStats.latencies.push(latencyMs);
      }
    }

    const code = event.responseStatus?.code;
    if (code !== undefined) this.codes.set(String(code), (this.codes.get(String(code)) ?? 0) + 1);
    if (received !== undefined) {
      const minute = Math.floor(received / 60_000_000);
      let bucket = this.minutes.get(minute);
      if (!bucket) {
        bucket = { minute: iso(minute * 60_000_000), requests: 0, tooManyRequests: 0, serverErrors: 0, codes: {} };
        this.minutes.set(minute, bucket);
      }
      bucket.requests++;
      if (code === 429) bucket.tooManyRequests++;
      if (code !== undefined && code >= 500) {
        bucket.serverErrors++;
        bucket.codes[String(code)] = (bucket.codes[String(code)] ?? 0) + 1;
      }
    }

    if (code === 403) this.addForbidden(event, location);

    if (verb === "list" && ref?.resource) {
      const limit = queryOf(event.requestURI).get("limit");
      // limit absent or 0 means "everything in one response" (apimachinery ListOptions.Limit).
      if (limit === null || limit === "" || limit === "0") {
        const apiGroup = apiGroupOf(event);
        const key = JSON.stringify([userName, agent, apiGroup, ref.resource, ref.namespace ?? null]);
        let row = this.lists.get(key);
        if (!row) {
          row = {
            user: userName,
            userAgent: agent,
            ...(apiGroup ? { apiGroup } : {}),
            resource: ref.resource,
            ...(ref.namespace ? { namespace: ref.namespace } : {}),
            count: 0,
            evidence: { file: location.file, line: location.line, ...(event.requestURI ? { requestURI: event.requestURI } : {}) },
          };
          this.lists.set(key, row);
        }
        row.count++;
        const items = itemCount(event.responseObject);
        if (items !== undefined) {
          row.maxItems = Math.max(row.maxItems ?? 0, items);
          row.large = row.maxItems >= this.thresholds.largeListItems;
        }
      }
    }

    if (verb === "watch" && received !== undefined) {
      const resource = `${ref?.resource ?? pathOf(event.requestURI)}${apiGroupOf(event) ? `.${apiGroupOf(event)}` : ""}`;
      const key = JSON.stringify([userName, agent, resource]);
      let w = this.watches.get(key);
      if (!w) {
        w = { user: userName, userAgent: agent, resource, times: [] };
        this.watches.set(key, w);
      }
      w.times.push(received);
    }
  }

  private addForbidden(event: AuditEvent, location: Location): void {
    this.forbiddenTotal++;
    const denied = parseForbiddenMessage(event.responseStatus?.message);
    // Refused at impersonation (before the request itself was authorized): the impersonation filter's check
    // failed - legacy `impersonate` on users/groups/serviceaccounts, or with constrained impersonation (KEP-5284)
    // `impersonate:<mode>` on the identity or `impersonate-on:<mode>:<verb>` on the request. The event then has no
    // impersonatedUser, and its objectRef is the request the caller wanted to make.
    const impersonation = denied !== undefined && /^impersonate($|:|-on:)/.test(denied.verb) && denied.user === event.user?.username && !event.impersonatedUser;
    // RBAC judges the impersonated identity (kubectl --as); the authenticated user is the impersonator.
    const who = impersonation ? event.user : (event.impersonatedUser ?? event.user);
    const user: UserInfo = { name: who?.username ?? "", groups: [...(who?.groups ?? [])] };
    const ref = event.objectRef;
    const action: AuditAction = impersonation
      ? {
          verb: denied.verb,
          apiGroup: denied.apiGroup ?? "",
          resource: denied.resource!,
          ...(denied.subresource ? { subresource: denied.subresource } : {}),
          ...(denied.namespace ? { namespace: denied.namespace } : {}),
          ...(denied.name ? { name: denied.name } : {}),
        }
      : ref?.resource
      ? {
          verb: event.verb ?? "",
          apiGroup: apiGroupOf(event),
          resource: ref.resource,
          ...(ref.subresource ? { subresource: ref.subresource } : {}),
          ...(ref.namespace ? { namespace: ref.namespace } : {}),
          ...(ref.name ? { name: ref.name } : {}),
        }
      : { verb: event.verb ?? "", nonResourceURL: pathOf(event.requestURI) };
    const key = JSON.stringify([user.name, [...user.groups].sort(), action.verb, action.apiGroup, action.resource, action.subresource, action.namespace, action.name, action.nonResourceURL]);
    const at = event.requestReceivedTimestamp ?? event.stageTimestamp ?? event.timestamp;
    let group = this.forbidden.get(key);
    if (!group) {
      group = {
        user,
        action,
        count: 0,
        ...(event.annotations?.["authorization.k8s.io/decision"] !== undefined ? { decision: event.annotations["authorization.k8s.io/decision"] } : {}),
        ...(event.annotations?.["authorization.k8s.io/reason"] ? { reason: event.annotations["authorization.k8s.io/reason"] } : {}),
        ...(event.responseStatus?.message ? { message: event.responseStatus.message } : {}),
        evidence: { file: location.file, line: location.line, ...(event.auditID ? { auditID: event.auditID } : {}) },
        ...(impersonation ? { impersonationDenied: true } : {}),
        impersonators: new Set(),
      };
      this.forbidden.set(key, group);
    }
    group.count++;
    if (at) {
      if (!group.first || at < group.first) group.first = at;
      if (!group.last || at > group.last) group.last = at;
    }
    if (event.impersonatedUser && !impersonation) {
      group.impersonated = (group.impersonated ?? 0) + 1;
      if (event.user?.username) group.impersonators.add(event.user.username);
    }
  }

  /** The report. Requests still pending (no final stage in the logs) are counted once from their latest stage. */
  finish(options: AuditExplainOptions = {}): Omit<AuditReport, "files" | "malformed"> {
    for (const { event, location } of this.pending.values()) {
      this.incompleteCount++;
      this.count(event, location);
    }
    this.pending.clear();
    const t = this.thresholds;

    const forbidden: ForbiddenGroup[] = [];
    for (const g of this.forbidden.values()) {
      if (options.user !== undefined && g.user.name !== options.user) continue;
      const { impersonators, ...rest } = g;
      forbidden.push({ ...rest, ...(impersonators.size ? { impersonatedBy: [...impersonators].sort() } : {}), explanation: explainForbidden(rest, options) });
    }
    forbidden.sort((a, b) => b.count - a.count || a.user.name.localeCompare(b.user.name) || JSON.stringify(a.action).localeCompare(JSON.stringify(b.action)));

    const load = (map: Map<string, LoadStats>): { byRequests: LoadRow[]; byLatency: LoadRow[] } => {
      const rows: LoadRow[] = [...map.entries()].map(([name, s]) => {
        if (s.latencies.length === 0) return { name, requests: s.requests };
        const sorted = Float64Array.from(s.latencies).sort();
        const values = Array.from(sorted);
        return { name, requests: s.requests, latency: { count: values.length, p50: round(percentile(values, 50)), p99: round(percentile(values, 99)), max: round(values[values.length - 1]!) } };
      });
      const byRequests = [...rows].sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name)).slice(0, t.top);
      const byLatency = rows
        .filter((r) => r.latency)
        .sort((a, b) => b.latency!.p99 - a.latency!.p99 || b.latency!.max - a.latency!.max || a.name.localeCompare(b.name))
        .slice(0, t.top);
      return { byRequests, byLatency };
    };
    const users = load(this.users);
    const agents = load(this.agents);

    const storms: WatchStorm[] = [];
    const windowMicros = t.watchStormWindowSeconds * 1_000_000;
    for (const w of this.watches.values()) {
      if (w.times.length < t.watchStormCount) continue;
      const times = Float64Array.from(w.times).sort();
      let best = 0;
      let bestStart = 0;
      let lo = 0;
      for (let hi = 0; hi < times.length; hi++) {
        while (times[hi]! - times[lo]! >= windowMicros) lo++;
        if (hi - lo + 1 > best) {
          best = hi - lo + 1;
          bestStart = times[lo]!;
        }
      }
      if (best >= t.watchStormCount) storms.push({ user: w.user, userAgent: w.userAgent, resource: w.resource, inWindow: best, windowStart: iso(bestStart), total: times.length });
    }
    storms.sort((a, b) => b.inWindow - a.inWindow || a.user.localeCompare(b.user));

    const unlimitedLists = [...this.lists.values()].sort((a, b) => Number(b.large === true) - Number(a.large === true) || b.count - a.count || a.user.localeCompare(b.user));
    const buckets = [...this.minutes.entries()]
      .filter(([, b]) => b.tooManyRequests > 0 || b.serverErrors > 0)
      .sort(([a], [b]) => a - b)
      .map(([, b]) => b);

    const seconds = this.start !== undefined && this.end !== undefined ? (this.end - this.start) / 1e6 : undefined;
    return {
      events: this.eventCount,
      requests: this.requestCount,
      incomplete: this.incompleteCount,
      duplicates: this.duplicateCount,
      ...(seconds !== undefined
        ? { window: { start: iso(this.start!), end: iso(this.end!), seconds: round(seconds), ...(seconds > 0 ? { requestsPerSecond: Number((this.requestCount / seconds).toPrecision(4)) } : {}) } }
        : {}),
      forbidden,
      forbiddenTotal: options.user === undefined ? this.forbiddenTotal : forbidden.reduce((n, g) => n + g.count, 0),
      grants: subjectGrants(forbidden, options),
      ...(options.indexSource ? { rbacSource: options.indexSource } : {}),
      topUsersByRequests: users.byRequests,
      topUsersByLatency: users.byLatency,
      topUserAgentsByRequests: agents.byRequests,
      topUserAgentsByLatency: agents.byLatency,
      unlimitedLists,
      watchStorms: storms,
      throttlingAndErrors: buckets,
      codes: Object.fromEntries([...this.codes.entries()].sort(([a], [b]) => a.localeCompare(b))),
      thresholds: t,
    };
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The authorizer attributes of a 403 group: what the API server asked RBAC. */
export function attributesOf(user: UserInfo, action: AuditAction): RequestAttributes {
  if (action.nonResourceURL !== undefined) return { user, verb: action.verb, path: action.nonResourceURL };
  return {
    user,
    verb: action.verb,
    // Cluster-scoped and all-namespace requests carry namespace "" (RequestInfo.Namespace).
    namespace: action.namespace ?? "",
    apiGroup: action.apiGroup ?? "",
    resource: action.resource ?? "",
    ...(action.subresource ? { subresource: action.subresource } : {}),
    ...(action.name ? { name: action.name } : {}),
  };
}

/** The request a 403 message names, as the API server words it (apiserver responsewriters forbiddenMessage, apierrors.NewForbidden). */
export interface DeniedRequest {
  user: string;
  verb: string;
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

/**
 * The request a 403 message names: `<resource>[.<group>] ["<name>"] is forbidden: User "<u>" cannot <verb> resource
 * "<res>[/<sub>]" in API group "<g>" (in the namespace "<ns>" | at the cluster scope)` or `User "<u>" cannot <verb> path
 * "<p>"`, read by the RBAC engine's parser (the one the pod-api-forbidden analyzer uses on log lines).
 */
export function parseForbiddenMessage(message: string | undefined): DeniedRequest | undefined {
  const [r] = message ? parseForbiddenMessages(message) : [];
  if (!r) return undefined;
  if (r.path !== undefined) return { user: r.username, verb: r.verb, path: r.path };
  return {
    user: r.username,
    verb: r.verb,
    resource: r.resource!,
    ...(r.subresource ? { subresource: r.subresource } : {}),
    apiGroup: r.apiGroup ?? "",
    ...(r.namespace ? { namespace: r.namespace } : {}),
    ...(r.name ? { name: r.name } : {}),
  };
}

function explainForbidden(group: Omit<ForbiddenGroup, "explanation">, options: AuditExplainOptions): ForbiddenExplanation {
  if (group.impersonationDenied) {
    const a = group.action;
    const target = `${a.resource}${a.subresource ? `/${a.subresource}` : ""}${a.apiGroup ? `.${a.apiGroup}` : ""}${a.name ? ` "${a.name}"` : ""}${a.namespace ? ` in namespace ${a.namespace}` : " cluster-wide"}`;
    const nearest = options.index ? explainDenial(options.index, attributesOf(group.user, a)).nearest : undefined;
    return {
      verdict: "impersonation-denied",
      detail:
        `refused at impersonation, before the request itself was authorized: the API server checked "${a.verb}" on ${target} for ${group.user.name} and the authorizers denied it. ` +
        "Impersonation is granted either with the legacy impersonate verb on the identity (users, groups, serviceaccounts: any action as that identity) " +
        "or, with constrained impersonation (KEP-5284), impersonate:<mode> on the identity (authentication.k8s.io) plus impersonate-on:<mode>:<verb> on the request's resource. " +
        "The audit event does not record the identity asked for, and kubesleuth does not model the impersonation filter: no grant is suggested",
      ...(nearest ? { nearest } : {}),
    };
  }
  if (group.decision === "allow") {
    return {
      verdict: "admission",
      detail: `authorized (authorization.k8s.io/decision: allow${group.reason ? `, ${group.reason}` : ""}): the 403 came after authorization (admission, e.g. PodSecurity, or the handler)${group.message ? `: ${group.message}` : ""}`,
    };
  }
  const attributes = attributesOf(group.user, group.action);
  const annotated = group.decision === "forbid" ? "the API server's authorizers denied it (authorization.k8s.io/decision: forbid)" : "no authorization annotation in the log";
  if (!options.index) {
    const grant = minimalGrant(attributes);
    return {
      verdict: "unexplained",
      detail: `${annotated}; no snapshot given, so RBAC was not evaluated: the grant below is built from the request alone and is unverified`,
      minimalGrant: { role: grant.role, binding: grant.binding, verified: false, verifiedAgainst: "none" },
    };
  }
  const explanation = explainDenial(options.index, attributes);
  if (explanation.decision.allowed) {
    return {
      verdict: "rbac-allows-now",
      detail: `${annotated}, but the snapshot's RBAC allows it now (${explanation.decision.reason}): granted after the log was written, or denied by another authorizer`,
      grantedBy: explanation.decision.reason,
    };
  }
  const grant = minimalGrant(attributes, { index: options.index });
  return {
    verdict: "rbac-denied",
    detail: `${annotated}; ${explanation.decision.reason}`,
    nearest: explanation.nearest,
    minimalGrant: { role: grant.role, binding: grant.binding, verified: grant.verified, verifiedAgainst: "snapshot" },
  };
}

function sanitize(value: string): string {
  const cleaned = value.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  return (cleaned || "subject").slice(0, 200);
}

/**
 * Per subject, one grant covering all of its RBAC-denied 403s (as audit2rbac generates per user): a Role and
 * RoleBinding per namespace, a ClusterRole and ClusterRoleBinding for cluster-scoped and URL requests. Rules
 * that differ only in resource are merged; resourceNames are kept unless some request had no name.
 */
function subjectGrants(forbidden: readonly ForbiddenGroup[], options: AuditExplainOptions): SubjectGrant[] {
  const bySubject = new Map<string, { user: UserInfo; groups: ForbiddenGroup[] }>();
  for (const g of forbidden) {
    if (g.explanation.verdict === "admission" || g.explanation.verdict === "rbac-allows-now" || g.explanation.verdict === "impersonation-denied") continue;
    if (!g.user.name && g.user.groups.length === 0) continue;
    const key = JSON.stringify([g.user.name, [...g.user.groups].sort()]);
    const entry = bySubject.get(key) ?? { user: g.user, groups: [] };
    entry.groups.push(g);
    bySubject.set(key, entry);
  }
  const out: SubjectGrant[] = [];
  for (const { user, groups } of bySubject.values()) {
    const subject = subjectForUser(user);
    if (!subject) continue;
    const name = `kubesleuth-audit-${sanitize(subject.namespace ? `${subject.namespace}-${subject.name}` : subject.name)}`;
    // scope ("" = cluster) -> key (group, resource, url) -> verb -> names (undefined: all)
    const scopes = new Map<string, Map<string, { apiGroup?: string; resource?: string; url?: string; verbs: Map<string, Set<string> | undefined> }>>();
    for (const g of groups) {
      const a = g.action;
      const scope = a.nonResourceURL !== undefined ? "" : (a.namespace ?? "");
      const target = a.nonResourceURL !== undefined ? { url: a.nonResourceURL } : { apiGroup: a.apiGroup ?? "", resource: a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? "") };
      const rules = scopes.get(scope) ?? new Map();
      scopes.set(scope, rules);
      const key = JSON.stringify(target);
      const rule = rules.get(key) ?? { ...target, verbs: new Map() };
      rules.set(key, rule);
      const verbs = [a.verb, ...(options.expandVerbs && a.nonResourceURL === undefined ? (VERB_EXPANSIONS[a.verb] ?? []) : [])];
      for (const verb of verbs) {
        const named = verb === a.verb && a.name !== undefined;
        if (!rule.verbs.has(verb)) rule.verbs.set(verb, named ? new Set([a.name!]) : undefined);
        else {
          const names = rule.verbs.get(verb);
          if (names && named) names.add(a.name!);
          else rule.verbs.set(verb, undefined);
        }
      }
    }
    const objects: (RoleObject | ClusterRoleObject | RoleBindingObject)[] = [];
    for (const [scope, rules] of [...scopes.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      // Merge: rules with the same group, verbs and names list their resources together.
      const merged = new Map<string, PolicyRule & { resources?: string[]; nonResourceURLs?: string[] }>();
      for (const r of rules.values()) {
        const byNames = new Map<string, string[]>();
        for (const [verb, names] of r.verbs) {
          const k = names ? JSON.stringify([...names].sort()) : "";
          byNames.set(k, [...(byNames.get(k) ?? []), verb]);
        }
        for (const [namesKey, verbs] of byNames) {
          verbs.sort();
          const k = JSON.stringify([r.url !== undefined, r.apiGroup ?? null, verbs, namesKey]);
          const existing = merged.get(k);
          if (r.url !== undefined) {
            if (existing) existing.nonResourceURLs!.push(r.url);
            else merged.set(k, { nonResourceURLs: [r.url], verbs });
          } else if (existing) existing.resources!.push(r.resource!);
          else merged.set(k, { apiGroups: [r.apiGroup ?? ""], resources: [r.resource!], ...(namesKey ? { resourceNames: JSON.parse(namesKey) as string[] } : {}), verbs });
        }
      }
      const rulesList = [...merged.values()].map((r) => ({ ...r, ...(r.resources ? { resources: [...r.resources].sort() } : {}), ...(r.nonResourceURLs ? { nonResourceURLs: [...r.nonResourceURLs].sort() } : {}) }));
      const kind = scope ? "Role" : "ClusterRole";
      const metadata = scope ? { name, namespace: scope } : { name };
      objects.push({ apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: { ...metadata }, rules: rulesList });
      objects.push({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: scope ? "RoleBinding" : "ClusterRoleBinding",
        metadata: { ...metadata },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name },
        subjects: [subject],
      } as RoleBindingObject);
    }
    let verified = false;
    if (options.index) {
      const base = options.index.objects;
      const isKind = (k: string) => (o: { kind?: string }) => o.kind === k;
      const withGrant = buildRbacIndex({
        roles: [...base.roles, ...(objects.filter(isKind("Role")) as RoleObject[])],
        clusterRoles: [...base.clusterRoles, ...(objects.filter(isKind("ClusterRole")) as ClusterRoleObject[])],
        roleBindings: [...base.roleBindings, ...(objects.filter(isKind("RoleBinding")) as RoleBindingObject[])],
        clusterRoleBindings: [...base.clusterRoleBindings, ...(objects.filter(isKind("ClusterRoleBinding")) as RoleBindingObject[])],
      });
      verified = groups.every((g) => authorize(withGrant, attributesOf(g.user, g.action)).allowed);
    }
    out.push({ user, objects, verified, verifiedAgainst: options.index ? "snapshot" : "none", expandedVerbs: options.expandVerbs === true, covers: groups.reduce((n, g) => n + g.count, 0) });
  }
  return out;
}
