// Reads one input (a file, a directory or an archive) into the shared SnapshotBuilder: routes each
// file by its path (layout.ts), parses it with a streaming sink, normalizes objects, collects logs,
// capture time, server version and coverage, and decides the input's format at the end.

import type { ControlPlaneData } from "../../model/control-plane.js";
import type { VolumeStatsData } from "../../model/volume-stats.js";
import { gunzipSync } from "node:zlib";
import { CORE_SCHEMA, loadAll, YAMLException } from "js-yaml";
import type { PodLog } from "../../model/snapshot.js";
import { SourceError } from "../errors.js";
import type { SnapshotBuilder } from "../snapshot-builder.js";
import type { Entry, EntrySink } from "./containers.js";
import { JsonStream, JsonSyntaxError, type DumpLogBlock, type TopLevelValue } from "./json-stream.js";
import { classifyPath, decideFormat, type Route, type SnapshotFormat } from "./layout.js";
import { isListObject, itemKindOf, normalizeObject } from "./normalize.js";
import { isNodeDiagnostics, validateNodeDiagnostics } from "../node/read-node-diagnostics.js";

/** YAML is parsed whole; beyond this size ask for JSON, which streams. */
export const MAX_YAML_BYTES = 500 * 1024 * 1024;
/** Longest log text kept per container; longer logs keep their tail and are marked truncated. */
export const MAX_LOG_BYTES = 10 * 1024 * 1024;
/** Small metadata files (manifest, version, timestamp) larger than this are not metadata. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;

const ERROR_ONLY_LOG = /^(Create log request error|Request log error): .*$/;

/** An error with a place in a file: line/column when known. */
class PositionedError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** A SourceError for `location`, with `:line:column` when the cause knows them. */
export function sourceErrorAt(location: string, error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  if (error instanceof JsonSyntaxError || (error instanceof PositionedError && error.line !== undefined)) {
    const e = error as JsonSyntaxError;
    return new SourceError(`${location}:${e.line}:${e.column}`, e.message, { cause: error });
  }
  return new SourceError(location, error instanceof Error ? error.message : String(error), { cause: error });
}

interface Tally {
  objects: number;
  lists: number;
  logs: number;
}

/** Collects bytes up to a limit; beyond it keeps the tail (logs) or fails (documents). */
class ByteCollector {
  private pieces: Buffer[] = [];
  private kept = 0;
  total = 0;
  dropped = false;
  constructor(
    private readonly limit: number,
    private readonly overflow: "tail" | "fail",
    private readonly what: () => string,
  ) {}
  write(chunk: Buffer): void {
    this.total += chunk.length;
    this.pieces.push(chunk);
    this.kept += chunk.length;
    if (this.kept <= this.limit) return;
    if (this.overflow === "fail") throw new Error(this.what());
    while (this.kept - this.pieces[0]!.length >= this.limit) {
      this.kept -= this.pieces.shift()!.length;
      this.dropped = true;
    }
  }
  bytes(): Buffer {
    const all = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces);
    if (all.length > this.limit) {
      this.dropped = true;
      return all.subarray(all.length - this.limit);
    }
    return all;
  }
}

interface PendingMustGatherLog {
  current?: PodLog;
  previous?: PodLog;
  previousInsecure?: PodLog;
}

/** One input's reading state. `strict`: a single file, where any problem is the user's error; otherwise broken files are skipped. */
export class InputReader {
  readonly signals = new Set<SnapshotFormat>();
  private sawJson = false;
  private sawDumpContent = false;
  private found = 0;
  private readonly skips: { location: string; reason: string }[] = [];
  private readonly groupedSkips = new Map<string, { reason: string; count: number }>();
  private readonly podContainers = new Map<string, Set<string>>();
  private readonly bundleLogs: { namespace: string; pod: string; file: string; text: string; truncated: boolean; origin: string }[] = [];
  private readonly mustGatherLogs = new Map<string, PendingMustGatherLog>();
  private readonly timestamps: number[] = [];
  private manifest: Record<string, unknown> | undefined;
  private manifestLocation = "";
  private serverVersion: string | undefined;
  private readonly bundleErrors: { kind?: string; messages: string[]; location: string }[] = [];
  private readonly kindCounts = new Map<string, number>();
  private logsAdded = 0;
  private nodeDiagnostics = 0;

  constructor(
    private readonly builder: SnapshotBuilder,
    /** How locations inside this input are named: `dir/path` or `archive!path`. */
    private readonly locate: (path: string) => string,
    private readonly strict: boolean,
  ) {}

  // ------------------------------------------------------------------ entry points

  /** For directory and archive entries: routes by path and returns a sink, or undefined to pass over the file. */
  readonly visit = (entry: Entry): EntrySink | undefined => {
    const { route, signal } = classifyPath(entry.path);
    if (signal) this.signals.add(signal);
    const location = this.locate(entry.path);
    if (route.type === "ignore") {
      if (route.reason) {
        if (route.group) {
          const key = this.locate(route.group);
          const g = this.groupedSkips.get(key);
          if (g) g.count++;
          else this.groupedSkips.set(key, { reason: route.reason, count: 1 });
        } else this.skips.push({ location, reason: route.reason });
      }
      return undefined;
    }
    return this.guard(location, this.sinkFor(route, location), route);
  };

  /** For a single file: a sink that decides JSON or YAML from the name, else from the first byte. */
  singleFileSink(location: string, nameHint: string): EntrySink {
    const syntax = /\.json(\.gz|\.xz)?$/i.test(nameHint) ? "json" : /\.ya?ml(\.gz|\.xz)?$/i.test(nameHint) ? "yaml" : "auto";
    const inner = syntax === "auto" ? this.autoSink(location, false) : this.objectsSink({ type: "objects", syntax }, location);
    return this.guard(location, inner, undefined);
  }

  /** Records a file that was not read. */
  skip(location: string, reason: string): void {
    this.skips.push({ location, reason });
  }

  // ------------------------------------------------------------------ finishing

  /** Settles logs, metadata and coverage; returns the format. Throws SourceError when nothing Kubernetes was found. */
  finish(label: string): SnapshotFormat {
    this.applyManifest();
    this.settleBundleLogs();
    this.settleMustGatherLogs();
    for (const e of this.bundleErrors) {
      if (!e.kind) {
        this.skips.push({ location: e.location, reason: `collector errors: ${e.messages[0] ?? ""}`.trim() });
        continue;
      }
      const forbidden = e.messages.some((m) => /forbidden/i.test(m));
      this.builder.setCoverage(e.kind, forbidden ? "forbidden" : "partial", `support bundle collector: ${e.messages[0] ?? "errors"}`.slice(0, 300));
    }
    if (this.serverVersion) this.builder.setServerVersion(this.serverVersion);
    if (this.sawDumpContent) this.signals.add("cluster-info-dump");
    // An input that held only node-diagnostics documents (`kubesleuth node` output) is one.
    const format = this.nodeDiagnostics > 0 && this.nodeDiagnostics === this.found && this.signals.size === 0 ? "node-diagnostics" : decideFormat(this.signals, this.sawJson);
    for (const s of this.skips) this.builder.skip(s.location, s.reason);
    for (const [location, g] of this.groupedSkips) this.builder.skip(location, `${g.reason}; ${g.count} file${g.count === 1 ? "" : "s"} not read`);
    if (this.found === 0) {
      const what = format === "kubectl-json" || format === "kubectl-yaml" ? "" : ` (${format})`;
      const first = this.skips[0];
      const hint = first ? `; first skipped file: ${first.location}: ${first.reason}` : "";
      throw new SourceError(label, `no Kubernetes objects found${what}${hint}`);
    }
    return format;
  }

  /** When the input says it was captured (RFC 3339), if it does. */
  capturedAt(): string | undefined {
    const fromManifest = this.manifest?.capturedAt;
    if (typeof fromManifest === "string" && !Number.isNaN(Date.parse(fromManifest))) return fromManifest;
    if (this.timestamps.length === 0) return undefined;
    // must-gather writes the start and the end of the gathering; the end is the capture time
    return new Date(Math.max(...this.timestamps)).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  // ------------------------------------------------------------------ sinks

  private guard(location: string, inner: EntrySink, route: Route | undefined): EntrySink {
    let failed = false;
    const fail = (e: unknown): void => {
      failed = true;
      const error = sourceErrorAt(location, e);
      if (this.strict) throw error;
      const detail = error.message.startsWith(`${location}`) ? error.message.slice(location.length).replace(/^:/, "") : error.message;
      this.skips.push({ location, reason: detail.trim() });
      if (route?.type === "objects" && route.kind) this.builder.setCoverage(route.kind, "partial", `${location} could not be read`);
    };
    return {
      write: (chunk) => {
        if (failed) return;
        try {
          inner.write(chunk);
        } catch (e) {
          fail(e);
        }
      },
      end: () => {
        if (failed) return;
        try {
          inner.end();
        } catch (e) {
          fail(e);
        }
      },
    };
  }

  private sinkFor(route: Exclude<Route, { type: "ignore" }>, location: string): EntrySink {
    switch (route.type) {
      case "objects":
        return route.gzip ? this.gzipSink(location, this.objectsSink({ ...route, gzip: false }, location)) : this.objectsSink(route, location);
      case "log":
        return this.bytesSink(MAX_LOG_BYTES, "tail", location, (bytes, truncated) => this.addArchiveOrMustGatherLog(route, bytes, truncated, location));
      case "bundle-log":
        return this.bytesSink(MAX_LOG_BYTES, "tail", location, (bytes, truncated) =>
          this.bundleLogs.push({ namespace: route.namespace, pod: route.pod, file: route.file, text: bytes.toString("utf8"), truncated, origin: location }),
        );
      case "archive-manifest":
        return this.bytesSink(MAX_METADATA_BYTES, "fail", location, (bytes) => {
          this.manifest = parseJson(bytes) as Record<string, unknown>;
          this.manifestLocation = location;
          if (typeof this.manifest !== "object" || this.manifest === null || this.manifest.format !== "kubesleuth-snapshot") {
            throw new Error('not a kubesleuth archive manifest (format is not "kubesleuth-snapshot")');
          }
        });
      case "archive-control-plane":
        return this.bytesSink(MAX_YAML_BYTES, "fail", location, (bytes) => {
          const data = parseJson(bytes) as ControlPlaneData;
          if (typeof data !== "object" || data === null || !Array.isArray(data.health)) throw new Error("not the API server's health data (no health list)");
          this.builder.setControlPlane(data);
        });
      case "archive-volume-stats":
        return this.bytesSink(MAX_YAML_BYTES, "fail", location, (bytes) => {
          const data = parseJson(bytes) as VolumeStatsData;
          if (typeof data !== "object" || data === null || !Array.isArray(data.volumes) || !Array.isArray(data.nodesRead)) throw new Error("not kubelet volume stats (no volumes list)");
          this.builder.setVolumeStats(data);
        });
      case "bundle-version":
        return this.bytesSink(MAX_YAML_BYTES, "fail", location, (bytes) => {
          const text = bytes.toString("utf8");
          if (/^kind:\s*SupportBundle\s*$/m.test(text)) {
            this.signals.add("support-bundle");
            return;
          }
          this.ingestYamlText(text, location, undefined, this.tally());
        });
      case "bundle-cluster-version":
        return this.bytesSink(MAX_METADATA_BYTES, "fail", location, (bytes) => {
          const v = parseJson(bytes) as { info?: { gitVersion?: unknown }; string?: unknown };
          const version = typeof v?.info?.gitVersion === "string" ? v.info.gitVersion : typeof v?.string === "string" ? v.string : undefined;
          if (version) this.serverVersion = version;
        });
      case "bundle-errors":
        return this.bytesSink(MAX_METADATA_BYTES, "fail", location, (bytes) => {
          const v = parseJson(bytes);
          const messages = Array.isArray(v) ? v.map((m) => String(m)) : [String(v)];
          if (messages.length) this.bundleErrors.push({ ...(route.kind ? { kind: route.kind } : {}), messages, location });
        });
      case "must-gather-timestamp":
        return this.bytesSink(MAX_METADATA_BYTES, "fail", location, (bytes) => {
          let any = false;
          for (const line of bytes.toString("utf8").split("\n")) {
            const t = parseGoTime(line);
            if (t !== undefined) {
              this.timestamps.push(t);
              any = true;
            }
          }
          if (any) this.signals.add("must-gather");
        });
    }
  }

  private tally(): Tally {
    return { objects: 0, lists: 0, logs: 0 };
  }

  /** Objects from JSON (streamed), YAML (whole), or text that may be JSON or cluster-info dump log blocks. */
  private objectsSink(route: Extract<Route, { type: "objects" }>, location: string): EntrySink {
    if (route.syntax === "text") return this.autoSink(location, true, route);
    if (route.syntax === "yaml") {
      const collector = new ByteCollector(MAX_YAML_BYTES, "fail", () => `YAML larger than ${MAX_YAML_BYTES / 1024 / 1024} MB; use JSON (kubectl get -o json), which is streamed`);
      return {
        write: (chunk) => collector.write(chunk),
        end: () => {
          const tally = this.tally();
          this.ingestYamlText(collector.bytes().toString("utf8"), location, route, tally);
          this.settleFile(location, tally, route);
        },
      };
    }
    this.sawJson = true;
    const tally = this.tally();
    const stream = new JsonStream({
      value: (value) => this.ingestTopLevel(value, route, tally),
      logBlock: (block) => this.addDumpLog(block, location, tally),
      maxLogBytes: MAX_LOG_BYTES,
    });
    return {
      write: (chunk) => stream.write(chunk),
      end: () => {
        stream.end();
        if (stream.logBlocks > 0 || (stream.values > 1 && stream.firstKind === "NodeList")) this.sawDumpContent = true;
        this.settleFile(location, tally, route);
      },
    };
  }

  /**
   * Decides on the first non-blank byte: `{`, `[` or `=` (a dump's log block) is JSON, anything else YAML.
   * `lenient` (a .txt file in a bundle): text that is neither is not Kubernetes and passed over silently.
   */
  private autoSink(location: string, lenient: boolean, route: Extract<Route, { type: "objects" }> = { type: "objects", syntax: "text" }): EntrySink {
    let inner: EntrySink | undefined;
    let ignored = false;
    const early: Buffer[] = [];
    return {
      write: (chunk) => {
        if (ignored) return;
        if (inner) return inner.write(chunk);
        early.push(chunk);
        const all = early.length === 1 ? chunk : Buffer.concat(early);
        let i = 0;
        if (all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf) i = 3;
        while (i < all.length && (all[i] === 0x20 || all[i] === 0x0a || all[i] === 0x0d || all[i] === 0x09)) i++;
        if (i >= all.length) return; // only blanks so far
        const c = all[i];
        const json = c === 0x7b || c === 0x5b || c === 0x3d;
        if (!json && lenient) {
          ignored = true;
          return;
        }
        inner = this.objectsSink({ ...route, syntax: json ? "json" : "yaml" }, location);
        early.length = 0;
        inner.write(all);
      },
      end: () => {
        if (ignored) return;
        if (inner) return inner.end();
        if (!lenient) throw new Error("empty file");
      },
    };
  }

  private gzipSink(location: string, inner: EntrySink): EntrySink {
    const collector = new ByteCollector(MAX_YAML_BYTES, "fail", () => `compressed file larger than ${MAX_YAML_BYTES / 1024 / 1024} MB inside an input; pass it as its own path`);
    return {
      write: (chunk) => collector.write(chunk),
      end: () => {
        let data: Buffer;
        try {
          data = gunzipSync(collector.bytes());
        } catch (e) {
          throw new Error(`gzip: ${e instanceof Error ? e.message : String(e)}`);
        }
        for (let i = 0; i < data.length; i += 1 << 20) inner.write(data.subarray(i, Math.min(data.length, i + (1 << 20))));
        inner.end();
      },
    };
  }

  private bytesSink(limit: number, overflow: "tail" | "fail", location: string, done: (bytes: Buffer, truncated: boolean) => void): EntrySink {
    const collector = new ByteCollector(limit, overflow, () => `${location}: larger than ${Math.round(limit / 1024 / 1024)} MB`);
    return {
      write: (chunk) => collector.write(chunk),
      end: () => {
        const bytes = collector.bytes();
        done(bytes, collector.dropped);
      },
    };
  }

  // ------------------------------------------------------------------ objects

  private settleFile(location: string, tally: Tally, route: Extract<Route, { type: "objects" }>): void {
    const found = tally.objects + tally.lists + tally.logs;
    this.found += found;
    if (found > 0) return;
    if (this.strict) throw new Error("no Kubernetes objects (no value with kind and metadata.name, and no List)");
    if (route.syntax === "text") return; // plain text without log blocks: not ours
    this.skips.push({ location, reason: "no Kubernetes objects (no value with kind and metadata.name, and no List)" });
  }

  /**
   * YAML is parsed whole with js-yaml's core schema (YAML 1.2 core: no implicit timestamps, so
   * unquoted dates stay strings as the API server would give them). js-yaml is about eight times
   * faster than the yaml package on must-gather trees.
   */
  private ingestYamlText(text: string, location: string, route: Extract<Route, { type: "objects" }> | undefined, tally: Tally): void {
    let docs: unknown[];
    try {
      docs = loadAll(text, undefined, { schema: CORE_SCHEMA, filename: location });
    } catch (e) {
      if (e instanceof YAMLException) throw new PositionedError(e.reason || e.message.split("\n")[0]!, e.mark ? e.mark.line + 1 : undefined, e.mark ? e.mark.column + 1 : undefined);
      throw e;
    }
    for (const value of docs) {
      if (value === null || value === undefined) continue;
      if (Array.isArray(value)) this.ingestTopLevel({ skeleton: undefined, items: value, line: 0 }, route, tally);
      else if (isListObject(value)) {
        const { items, ...skeleton } = value;
        this.ingestTopLevel({ skeleton, items: items ?? [], line: 0 }, route, tally);
      } else if (typeof value === "object") this.ingestTopLevel({ skeleton: value as Record<string, unknown>, items: undefined, line: 0 }, route, tally);
    }
  }

  private ingestTopLevel(value: TopLevelValue, route: Extract<Route, { type: "objects" }> | undefined, tally: Tally): void {
    const { skeleton } = value;
    let items = value.items;
    const hint = route?.kind;
    if (skeleton && items === undefined && skeleton.items === null && typeof skeleton.kind === "string" && skeleton.kind.endsWith("List")) {
      items = []; // `"items": null`: an empty list as Go marshals a nil slice
      delete skeleton.items;
    }
    if (skeleton && items === undefined && isNodeDiagnostics(skeleton)) {
      this.builder.addNodeDiagnostics(validateNodeDiagnostics(skeleton));
      this.nodeDiagnostics++;
      tally.objects++;
      return;
    }
    if (skeleton === undefined) {
      for (const item of items ?? []) this.addObject(normalizeObject(item, { kind: hint }), tally, route);
      return;
    }
    const kind = skeleton.kind;
    const isList = items !== undefined && ((typeof kind === "string" && kind.endsWith("List")) || (kind === undefined && !hasName(skeleton)));
    if (!isList) {
      if (items !== undefined) skeleton.items = items;
      this.addObject(normalizeObject(skeleton), tally, route);
      return;
    }
    const listKind = typeof kind === "string" ? kind : "List";
    const typedKind = itemKindOf(listKind);
    // Typed lists (PodList) omit kind/apiVersion on items; a generic List of one kind's file (objects/Pod.json) takes the kind from the path.
    const itemKind = typedKind ?? hint;
    const apiVersion = typedKind && typeof skeleton.apiVersion === "string" ? skeleton.apiVersion : undefined;
    tally.lists++;
    if (itemKind) this.builder.markListed(itemKind);
    for (const item of items!) this.addObject(normalizeObject(item, { kind: itemKind, apiVersion }), tally, route);
  }

  private addObject(object: unknown, tally: Tally, route: Extract<Route, { type: "objects" }> | undefined): void {
    if (!this.builder.add(object)) return;
    tally.objects++;
    const o = object as { kind: string; metadata: { namespace?: string; name: string }; spec?: Record<string, unknown> };
    this.kindCounts.set(o.kind, (this.kindCounts.get(o.kind) ?? 0) + 1);
    if (route?.bundleResource && o.kind === "Pod") {
      const names = new Set<string>();
      for (const field of ["containers", "initContainers", "ephemeralContainers"]) {
        const list = o.spec?.[field];
        if (Array.isArray(list)) for (const c of list) if (c && typeof c.name === "string") names.add(c.name);
      }
      this.podContainers.set(`${o.metadata.namespace ?? ""}/${o.metadata.name}`, names);
    }
  }

  // ------------------------------------------------------------------ logs

  private addLog(log: PodLog): void {
    this.builder.addLog(log);
    this.logsAdded++;
    this.found++;
  }

  private addDumpLog(block: DumpLogBlock, location: string, tally: Tally): void {
    const trimmed = block.text.trim();
    // kubectl writes its own error instead of the log when the request fails (clusterinfo_dump.go)
    if (ERROR_ONLY_LOG.test(trimmed) && !trimmed.includes("\n")) {
      this.skips.push({ location: `${location}:${block.line}`, reason: `no log for container ${block.container} of pod ${block.namespace}/${block.pod}: ${trimmed}` });
      tally.logs++; // the block itself is cluster-info dump content
      return;
    }
    tally.logs++;
    this.builder.addLog({
      namespace: block.namespace,
      pod: block.pod,
      container: block.container,
      previous: false,
      text: block.text,
      ...(block.truncated ? { truncated: true } : {}),
      origin: `${location}:${block.line}`,
    });
    this.logsAdded++;
  }

  private addArchiveOrMustGatherLog(route: Extract<Route, { type: "log" }>, bytes: Buffer, truncated: boolean, location: string): void {
    const log: PodLog = {
      namespace: route.namespace,
      pod: route.pod,
      container: route.container,
      previous: route.previous,
      text: bytes.toString("utf8"),
      ...(truncated ? { truncated: true } : {}),
      origin: location,
    };
    if (route.layout === "archive") return this.addLog(log);
    const key = `${route.namespace}/${route.pod}/${route.container}`;
    const pending = this.mustGatherLogs.get(key) ?? {};
    if (!route.previous) pending.current = log;
    else if (location.endsWith("previous.insecure.log")) pending.previousInsecure = log;
    else pending.previous = log;
    this.mustGatherLogs.set(key, pending);
  }

  /** troubleshoot names a container's previous log `<container>-previous.log`; a container whose own name ends in -previous is told apart by the pod spec. */
  private settleBundleLogs(): void {
    for (const l of this.bundleLogs) {
      const name = l.file.slice(0, -".log".length);
      let container = name;
      let previous = false;
      if (name.endsWith("-previous")) {
        const base = name.slice(0, -"-previous".length);
        const known = this.podContainers.get(`${l.namespace}/${l.pod}`);
        if (!(known && known.has(name) && !known.has(base))) {
          container = base;
          previous = true;
        }
      }
      this.addLog({ namespace: l.namespace, pod: l.pod, container, previous, text: l.text, ...(l.truncated ? { truncated: true } : {}), origin: l.origin });
    }
  }

  /**
   * must-gather (oc adm inspect) writes current.log, previous.log and, when that request failed,
   * previous.insecure.log for every container; an empty previous file means there was no previous
   * instance. One log per container, plus one previous log when either previous file has text.
   */
  private settleMustGatherLogs(): void {
    for (const pending of this.mustGatherLogs.values()) {
      if (pending.current) this.addLog(pending.current);
      const previous = pending.previous?.text ? pending.previous : pending.previousInsecure?.text ? pending.previousInsecure : undefined;
      if (previous) this.addLog(previous);
    }
  }

  // ------------------------------------------------------------------ kubesleuth archive manifest

  private applyManifest(): void {
    const m = this.manifest;
    if (!m) return;
    if (m.formatVersion !== 1) {
      throw new SourceError(this.manifestLocation, `kubesleuth archive formatVersion ${JSON.stringify(m.formatVersion)} is not supported (this kubesleuth reads formatVersion 1)`);
    }
    const server = m.server as { version?: unknown } | undefined;
    if (typeof server?.version === "string" && server.version) this.serverVersion = server.version;
    const coverage = m.coverage;
    if (coverage && typeof coverage === "object") {
      for (const [kind, entry] of Object.entries(coverage as Record<string, { count?: unknown; status?: unknown; note?: unknown }>)) {
        const status = entry?.status;
        const note = typeof entry?.note === "string" ? entry.note : undefined;
        const read = this.kindCounts.get(kind) ?? 0;
        if (status === "forbidden" || status === "absent" || status === "partial") this.builder.setCoverage(kind, status, note);
        else if (typeof entry?.count === "number" && read < entry.count) {
          this.builder.setCoverage(kind, "partial", `manifest lists ${entry.count}, archive holds ${read}`);
        } else this.builder.markListed(kind);
      }
    }
    if (typeof m.logs === "number" && this.logsAdded < m.logs) {
      this.skips.push({ location: this.manifestLocation, reason: `manifest lists ${m.logs} logs, archive holds ${this.logsAdded}` });
    }
  }
}

function hasName(o: Record<string, unknown>): boolean {
  const metadata = o.metadata as { name?: unknown } | undefined;
  return typeof metadata?.name === "string";
}

function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    const stream = new JsonStream({ value: () => undefined });
    stream.write(bytes);
    stream.end();
    throw e;
  }
}

/** Go's time.Time.String(): "2021-09-14 16:43:44.051395446 +0200 CEST m=+1.404430641". */
export function parseGoTime(line: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})\b/.exec(line.trim());
  if (!m) return undefined;
  const fraction = m[3] ? m[3].slice(0, 4) : "";
  const ms = Date.parse(`${m[1]}T${m[2]}${fraction}${m[4]}:${m[5]}`);
  return Number.isNaN(ms) ? undefined : ms;
}
