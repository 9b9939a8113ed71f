// `kubesleuth reach <from> <to>` and `kubesleuth reach --matrix`: NetworkPolicy reachability.
import { Command, Option } from "commander";
import { buildIndex } from "../../indexes/build-index.js";
import type { ObjectRef } from "../../model/ref.js";
import {
  checkSubjectKind,
  explainDirection,
  parseAddress,
  PROTOCOLS,
  reach,
  ReachError,
  reachMatrix,
  refText,
  SUBJECT_HINT,
  type PairEnd,
  type ReachMatrix,
  type ReachResult,
  type ReachSubject,
  type SubjectOut,
} from "../../run/reach.js";
import { parseObjectRef } from "../parse-ref.js";
import type { Protocol } from "../../engines/network-policy/index.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../errors.js";
import { addSourceOptions, outputOption, type CommandContext, type CommonOptions } from "../options.js";
import { loadSource } from "../load-source.js";

/** What the live source fetches: pods and what selects or groups them. */
export const REACH_KINDS = ["Pod", "Service", "Endpoints", "Namespace", "NetworkPolicy", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"];

const HELP = `
From and to: [namespace/]kind/name with kind pod, deploy, sts, ds, rs, job or svc; ns/<name> for
every pod of a namespace; or an IP address or CIDR (a CIDR is cut at every ipBlock boundary and
each piece is checked). A Service destination is checked on its endpoint pods at the targetPort of
the Service port given by --port (number or name; optional when the Service has one port); a
named targetPort is resolved on each pod. Every pod-to-pod pair is evaluated: the verdict is
allowed, denied, partial (some pairs allowed, some denied) or unknown (plugin-dependent, e.g.
hostNetwork pods). --port on other destinations is a number or a port name of the destination pods.

--matrix: the workload-level matrix (a pod's workload is the top of its controller chain; a bare
pod is its own) over -n's namespace or all (-A, the default); without --port a cell is allowed
when some port of --protocol (default TCP) is.

Only networking.k8s.io/v1 NetworkPolicy is modelled (no AdminNetworkPolicy or CNI-specific CRDs).

Examples:
  kubesleuth reach shop/deploy/frontend shop/svc/api --snapshot cluster/
  kubesleuth reach pod/web-0 pod/db-0 -n shop --port 5432 -o json
  kubesleuth reach shop/deploy/web 203.0.113.0/24 --port 443
  kubesleuth reach --matrix -n shop --port 8080 -o csv

Exit codes: 0 allowed (--matrix: printed), 1 denied, partial or unknown, 2 usage or source error.
`;

interface ReachOpts extends CommonOptions {
  port?: string;
  protocol?: string;
  matrix?: boolean;
}

/** A from/to argument: an IP or CIDR, else an object ref (namespace from -n, else default). */
export function parseReachSubject(text: string, defaultNamespace: string | undefined): ReachSubject {
  const range = parseAddress(text);
  if (range) return { type: "address", text, range };
  const parsed = parseObjectRef(text, defaultNamespace);
  if (!parsed.ok) throw new ReachError(parsed.error, SUBJECT_HINT);
  checkSubjectKind(parsed.ref, text);
  return { type: "object", ref: parsed.ref };
}

function endText(end: PairEnd | SubjectOut): string {
  if (end.kind === "IP") return (end as { address: string }).address;
  return refText(end as ObjectRef);
}

const mark = (allowed: boolean | "unknown"): string => (allowed === true ? "allowed" : allowed === false ? "denied" : "unknown");

export function renderReachText(r: ReachResult): string {
  const portText = r.service
    ? `port ${r.service.name ? `${r.service.name}(${r.service.port})` : r.service.port}/${r.protocol} -> targetPort ${r.service.targetPort}`
    : `port ${r.port}/${r.protocol}`;
  const out = [`${r.verdict.toUpperCase()}: ${endText(r.from)} -> ${endText(r.to)} on ${portText}`];
  out.push(`${r.counts.pairs} pod pair(s): ${r.counts.allowed} allowed, ${r.counts.denied} denied${r.counts.unknown ? `, ${r.counts.unknown} unknown` : ""}`);
  if (r.decidedBy.length) out.push(`decided by: ${r.decidedBy.map((p) => `${p.namespace}/${p.name}`).join(", ")}`);
  for (const p of r.pairs) {
    out.push("", `${mark(p.allowed)}: ${endText(p.from)} -> ${endText(p.to)}:${p.port}/${p.protocol}`);
    for (const line of [...explainDirection(p.egress), ...explainDirection(p.ingress), ...p.problems.map((x) => `problem: ${x}`)]) out.push(`  ${line}`);
  }
  if (r.skipped.length) {
    out.push("", "skipped:");
    for (const s of r.skipped) out.push(`  ${[s.from, s.to].filter((e): e is PairEnd => e !== undefined).map(endText).join(" -> ")}: ${s.reason}`);
  }
  return `${out.join("\n")}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderMatrixCsv(m: ReachMatrix): string {
  const texts = new Map<ObjectRef, string>();
  const text = (ref: ObjectRef): string => {
    let t = texts.get(ref);
    if (t === undefined) texts.set(ref, (t = csvField(refText(ref))));
    return t;
  };
  const rows = m.entries.map((e) => `${text(e.from)},${text(e.to)},${e.unknown ? "unknown" : String(e.allowed)}`);
  return `${["from,to,allowed", ...rows].join("\n")}\n`;
}

export function renderMatrixText(m: ReachMatrix): string {
  const head = `NetworkPolicy reachability on ${m.port === null ? `any ${m.protocol} port` : `${m.port}/${m.protocol}`}: ${m.workloads.length} workload(s); row = from, column = to (+ allowed, - denied, ? unknown)`;
  if (m.workloads.length === 0) return `${head}\n`;
  const names = m.workloads.map(refText);
  // Cells by workload position (refs are looked up by text once per workload, not per entry).
  const position = new Map(names.map((n, i) => [n, i]));
  const positionOf = new Map<ObjectRef, number>();
  const at = (ref: ObjectRef): number => {
    let i = positionOf.get(ref);
    if (i === undefined) positionOf.set(ref, (i = position.get(refText(ref))!));
    return i;
  };
  const cells = new Map<number, string>();
  for (const e of m.entries) cells.set(at(e.from) * names.length + at(e.to), e.unknown ? "?" : e.allowed ? "+" : "-");
  const width = Math.max(...names.map((n) => n.length)) + String(names.length).length + 3;
  const colw = Math.max(2, String(names.length).length + 1);
  const lines = [head, "", `${"".padEnd(width)}${names.map((_, i) => String(i + 1).padStart(colw)).join("")}`];
  names.forEach((from, i) => {
    const label = `${String(i + 1).padStart(String(names.length).length)}. ${from}`.padEnd(width);
    lines.push(`${label}${names.map((_, j) => (i === j ? "." : cells.get(i * names.length + j)!).padStart(colw)).join("")}`);
  });
  return `${lines.join("\n")}\n`;
}

export function registerReachCommand(program: Command, context: CommandContext): void {
  const { io } = context;
  addSourceOptions(
    program
      .command("reach")
      .description("Can one pod, workload, Service, namespace or address reach another under the NetworkPolicies? Or the whole matrix (--matrix).")
      .argument("[from]", "source: [namespace/]kind/name (pod, deploy, sts, ds, svc, ns/<name>) or an IP/CIDR")
      .argument("[to]", "destination: the same forms; a Service is checked on its endpoint pods at the targetPort"),
  )
    .option("--port <port>", "destination port: a number, or a port name (of the Service, else of the destination pods)")
    .addOption(new Option("--protocol <protocol>", "TCP, UDP or SCTP (default TCP; a Service port's own protocol)").choices([...PROTOCOLS]))
    .option("--matrix", "workload-level connectivity matrix instead of one from/to question")
    .addOption(outputOption(["text", "json", "csv"], "text"))
    .addHelpText("after", HELP)
    .action(async (from: string | undefined, to: string | undefined, opts: ReachOpts) => {
      context.setDebug(opts.debug === true);
      const protocol = opts.protocol as Protocol | undefined;
      if (opts.matrix) {
        if (from !== undefined) throw new UsageError("--matrix takes no from/to", "kubesleuth reach --matrix [-n ns | -A] [--port N]");
      } else {
        if (from === undefined || to === undefined) throw new UsageError("reach needs <from> and <to> (or --matrix)", "e.g. kubesleuth reach shop/deploy/web shop/svc/api --port 80");
        if (opts.output === "csv") throw new UsageError("-o csv is for --matrix only", "valid here: text, json");
      }
      if (opts.namespace && opts.allNamespaces) throw new UsageError("-n and -A cannot be used together");
      // Parse the refs before loading, so a typo does not wait for a live cluster.
      let subjects: [ReachSubject, ReachSubject] | undefined;
      try {
        subjects = opts.matrix ? undefined : [parseReachSubject(from!, opts.namespace), parseReachSubject(to!, opts.namespace)];
      } catch (error) {
        if (error instanceof ReachError) throw new UsageError(error.message, error.hint);
        throw error;
      }
      // Load every namespace: policies and namespace labels across the cluster decide; -n scopes refs and the matrix.
      const source = await loadSource(io, [], { ...opts, namespace: undefined, allNamespaces: false }, { kinds: REACH_KINDS, logs: false });
      const index = buildIndex(source.snapshot);
      try {
        if (opts.matrix) {
          const m = reachMatrix(index, { namespace: opts.allNamespaces ? undefined : opts.namespace, port: opts.port, protocol });
          io.stdout(opts.output === "json" ? `${JSON.stringify({ port: m.port, protocol: m.protocol, workloads: m.workloads, entries: m.entries }, null, 2)}\n` : opts.output === "csv" ? renderMatrixCsv(m) : renderMatrixText(m));
          context.setExitCode(EXIT_OK);
          return;
        }
        const result = reach(index, subjects![0], subjects![1], { port: opts.port, protocol });
        io.stdout(opts.output === "json" ? `${JSON.stringify(result, null, 2)}\n` : renderReachText(result));
        context.setExitCode(result.verdict === "allowed" ? EXIT_OK : EXIT_FINDINGS);
      } catch (error) {
        if (error instanceof ReachError) throw new UsageError(error.message, error.hint);
        throw error;
      }
    });
}
