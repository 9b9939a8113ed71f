// `kubesleuth why-pending <pod-ref>` and `kubesleuth fit <manifest.yaml>`: the scheduler engine on one pod.
import { Option, type Command } from "commander";
import type { KubeObject, Node, PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, StorageClass } from "../../model/kube.js";
import { buildStorageState, type CSINode } from "../../engines/scheduler/index.js";
import { formatRef, refOf, type ObjectRef } from "../../model/ref.js";
import { buildIndex } from "../../indexes/build-index.js";
import { workloadOf } from "../../analyzers/workload/workload-pods.js";
import { loadSnapshot } from "../../sources/snapshot/load-snapshot.js";
import { analyzePending, type PendingAnalysis } from "../../run/why-pending.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../errors.js";
import { addSourceOptions, outputOption, type CommandContext, type CommonOptions } from "../options.js";
import type { CliIo } from "../io.js";
import { loadSource } from "../load-source.js";
import { parseObjectRef } from "../parse-ref.js";
import { findKind } from "../../model/kinds.js";

type Options = CommonOptions & { schedulerVersion?: string };

/** Kinds the scheduler simulation reads, plus the workload kinds a ref may name. */
const KINDS = ["Pod", "Node", "Namespace", "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "CSINode", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"];
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"]);
const OLDEST = 23;
const NEWEST = 36;

/** --scheduler-version, else the snapshot's server version clamped to what the engine knows (1.23–1.36), else 1.36. */
function schedulerVersion(flag: string | undefined, serverVersion: string | undefined): string {
  if (flag !== undefined) {
    const m = /^v?1\.(\d+)(\.\d+)?$/.exec(flag.trim());
    if (!m || Number(m[1]) < OLDEST || Number(m[1]) > NEWEST) throw new UsageError(`--scheduler-version "${flag}": expected 1.${OLDEST} to 1.${NEWEST}`, "e.g. --scheduler-version 1.30");
    return `1.${m[1]}`;
  }
  const m = /^v?1\.(\d+)/.exec(serverVersion ?? "");
  if (!m) return `1.${NEWEST}`;
  return `1.${Math.min(NEWEST, Math.max(OLDEST, Number(m[1])))}`;
}

function podTemplate(object: KubeObject): { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: PodSpec } | undefined {
  const spec = object.spec as Record<string, unknown> | undefined;
  if (object.kind === "CronJob") return ((spec?.jobTemplate as { spec?: { template?: unknown } } | undefined)?.spec?.template ?? undefined) as ReturnType<typeof podTemplate>;
  return spec?.template as ReturnType<typeof podTemplate>;
}

/** The pod a workload's template would create (not yet bound: no nodeName). */
function podFromTemplate(object: KubeObject, namespace: string): Pod | undefined {
  const template = podTemplate(object);
  if (!template?.spec) return undefined;
  const spec = structuredClone(template.spec);
  delete spec.nodeName;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `${object.metadata.name}-template`, namespace, labels: { ...template.metadata?.labels } },
    spec,
    status: { phase: "Pending" },
  };
}

function isPending(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !pod.spec?.nodeName && phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** A StatefulSet's volumeClaimTemplates, for the pod its controller would create (ordinal 0). */
interface ClaimTemplates {
  statefulSet: string;
  namespace: string;
  templates: { metadata?: { name?: string }; spec?: PersistentVolumeClaim["spec"] }[];
}

interface Subject {
  /** What to print as "pod" ("ns/name", or "ns/deploy/name (template)"). */
  label: string;
  pod?: Pod;
  /** Node the pod is already bound to. */
  scheduled?: string;
  /** Object a spec patch goes to. */
  target?: ObjectRef;
  note?: string;
  /** Set for a StatefulSet template: its claims are added to the pod (and synthesized when absent). */
  claimTemplates?: ClaimTemplates;
}

/** Default StorageClass: annotated is-default-class "true"; with several, the newest (creation time, then name). */
function defaultStorageClass(classes: readonly StorageClass[]): string | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true");
  defaults.sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "") || a.metadata.name.localeCompare(b.metadata.name));
  return defaults[0]?.metadata.name;
}

/**
 * What the StatefulSet controller does for pod <name>-0: one volume per claim template, claim
 * "<template>-<statefulset>-0" (replacing a template volume of the same name). A claim that does not
 * exist yet is synthesized as the controller would create it (unbound; no class: the default class,
 * as the DefaultStorageClass admission plugin sets it).
 */
function applyClaimTemplates(pod: Pod, t: ClaimTemplates, existing: readonly PersistentVolumeClaim[], classes: readonly StorageClass[]): PersistentVolumeClaim[] {
  const synthesized: PersistentVolumeClaim[] = [];
  const volumes = pod.spec.volumes ?? [];
  for (const template of t.templates) {
    const base = template.metadata?.name;
    if (!base) continue;
    const claimName = `${base}-${t.statefulSet}-0`;
    const volume = { name: base, persistentVolumeClaim: { claimName } };
    const at = volumes.findIndex((v) => v.name === base);
    if (at >= 0) volumes[at] = volume;
    else volumes.push(volume);
    if (existing.some((c) => c.metadata.name === claimName && c.metadata.namespace === t.namespace)) continue;
    const spec = { ...structuredClone(template.spec ?? {}) };
    if (spec.storageClassName === undefined) {
      const fallback = defaultStorageClass(classes);
      if (fallback) spec.storageClassName = fallback;
    }
    synthesized.push({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: claimName, namespace: t.namespace }, spec, status: { phase: "Pending" } });
  }
  pod.spec.volumes = volumes;
  return synthesized;
}

function claimTemplatesOf(object: KubeObject, namespace: string): ClaimTemplates | undefined {
  if (object.kind !== "StatefulSet") return undefined;
  const templates = (object.spec as { volumeClaimTemplates?: ClaimTemplates["templates"] } | undefined)?.volumeClaimTemplates;
  return templates?.length ? { statefulSet: object.metadata.name, namespace, templates } : undefined;
}

function kubectlKind(kind: string): string {
  return kind.toLowerCase();
}

function patchCommand(target: ObjectRef | undefined, patch: Record<string, unknown>, podLabel: string): string {
  const t = target ?? { kind: "Pod", name: podLabel.split("/").pop()!, namespace: podLabel.split("/")[0] };
  return `kubectl patch ${kubectlKind(t.kind)} ${t.name}${t.namespace ? ` -n ${t.namespace}` : ""} --type strategic -p '${JSON.stringify(patch)}'`;
}

function renderText(subject: Subject, analysis: PendingAnalysis | undefined, nodeCount: number, version: string): string {
  const lines: string[] = [];
  if (subject.note) lines.push(subject.note);
  if (subject.scheduled) {
    lines.push(`${subject.label} is already scheduled on node ${subject.scheduled}; nothing to explain.`);
    return `${lines.join("\n")}\n`;
  }
  if (!analysis) return `${lines.join("\n")}\n`;
  if (analysis.fits) {
    lines.push(`${subject.label} fits on ${analysis.fitsOn.length} of ${nodeCount} node(s): ${analysis.fitsOn.join(", ")}`);
  } else {
    lines.push(`${subject.label} does not fit on any node (kube-scheduler ${version} filters):`);
    lines.push(`  ${analysis.message ?? ""}`);
  }
  if (analysis.nodes.length) {
    lines.push("");
    const width = Math.max(4, ...analysis.nodes.map((n) => n.node.length));
    lines.push(`${"NODE".padEnd(width)}  FITS  FAILING FILTERS`);
    for (const row of analysis.nodes) {
      const failures = row.failures.map((f) => `${f.plugin}: ${f.reason}${f.detail ? ` (${f.detail})` : ""}`);
      lines.push(`${row.node.padEnd(width)}  ${(row.fits ? "yes" : "no").padEnd(4)}  ${failures[0] ?? "-"}`);
      for (const more of failures.slice(1)) lines.push(`${"".padEnd(width)}        ${more}`);
    }
  }
  if (analysis.preemptionCandidates.length) {
    lines.push("");
    lines.push("Preemption: kube-scheduler would evict lower-priority pods on one of these nodes (it picks one; PodDisruptionBudgets and reprieve may spare some of the pods listed):");
    for (const c of analysis.preemptionCandidates) lines.push(`  ${c.node}: ${c.lowerPriorityPods.join(", ")}`);
  }
  if (!analysis.fits) {
    lines.push("");
    if (analysis.fixes.length) {
      lines.push("What would fix it (each verified by re-running the simulation with the change):");
      for (const fix of analysis.fixes) {
        lines.push(`  - ${fix.description}: then fits on ${fix.nodes.join(", ")}`);
        if (fix.command || fix.patch) lines.push(`      ${fix.command ?? patchCommand(fix.target, fix.patch ?? {}, subject.label)}`);
      }
    } else {
      lines.push("No single change kubesleuth tries (toleration, node label, smaller request, uncordon, binding an Available PV) makes it fit.");
    }
  }
  return `${lines.join("\n")}\n`;
}

function renderJson(subject: Subject, analysis: PendingAnalysis | undefined, version: string): string {
  return `${JSON.stringify(
    {
      pod: subject.label,
      schedulerVersion: version,
      scheduled: subject.scheduled ?? null,
      fits: subject.scheduled ? true : (analysis?.fits ?? false),
      fitsOn: analysis?.fitsOn ?? [],
      message: analysis?.message ?? null,
      nodes: analysis?.nodes ?? [],
      preemptionCandidates: analysis?.preemptionCandidates ?? [],
      fixes: (analysis?.fixes ?? []).map((f) => ({
        description: f.description,
        ...(f.patch ? { patch: f.patch, target: f.target ? `${f.target.namespace ? `${f.target.namespace}/` : ""}${kubectlKind(f.target.kind)}/${f.target.name}` : subject.label } : {}),
        ...(f.command ? { command: f.command } : {}),
        verified: f.verified,
        nodes: f.nodes,
      })),
      ...(subject.note ? { note: subject.note } : {}),
    },
    null,
    2,
  )}\n`;
}

async function run(io: CliIo, opts: Options, snapshotPaths: readonly string[], pick: (index: ReturnType<typeof buildIndex>) => Subject): Promise<number> {
  if (opts.selector) throw new UsageError("-l/--selector does not apply here: the simulation needs every pod of the cluster");
  // The whole cluster: a node's usage counts pods of every namespace.
  const source = await loadSource(io, snapshotPaths, { ...opts, namespace: undefined, allNamespaces: undefined, selector: undefined }, { kinds: KINDS, logs: false });
  const version = schedulerVersion(opts.schedulerVersion, source.snapshot.serverVersion);
  const index = buildIndex(source.snapshot);
  const subject = pick(index);
  const nodes = index.all<Node>("Node");
  let analysis: PendingAnalysis | undefined;
  if (subject.pod && !subject.scheduled) {
    const namespaceLabels = Object.fromEntries(index.all("Namespace").map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    const claims = index.all<PersistentVolumeClaim>("PersistentVolumeClaim");
    const classes = index.all<StorageClass>("StorageClass");
    const extra = subject.claimTemplates ? applyClaimTemplates(subject.pod, subject.claimTemplates, claims, classes) : [];
    const storage = buildStorageState({
      pvcs: [...claims, ...extra],
      pvs: index.all<PersistentVolume>("PersistentVolume"),
      storageClasses: classes,
      csiNodes: index.all<CSINode>("CSINode"),
    });
    analysis = analyzePending(subject.pod, { nodes, pods: index.all<Pod>("Pod"), namespaceLabels, storage }, { version }, subject.target);
  }
  io.stdout(opts.output === "json" ? renderJson(subject, analysis, version) : renderText(subject, analysis, nodes.length, version));
  if (subject.scheduled) return EXIT_OK;
  return analysis?.fits ? EXIT_OK : EXIT_FINDINGS;
}

function resolveRef(refText: string, opts: Options) {
  // A bare name is a pod; so is "ns/name" when "ns" is not a kind.
  const parts = refText.split("/");
  const text = parts.length === 1 ? `pod/${refText}` : parts.length === 2 && !findKind(parts[0]!) ? `${parts[0]}/pod/${parts[1]}` : refText;
  const parsed = parseObjectRef(text, opts.namespace);
  if (!parsed.ok) throw new UsageError(parsed.error);
  const ref = parsed.ref;
  if (ref.kind !== "Pod" && !WORKLOADS.has(ref.kind)) throw new UsageError(`why-pending takes a pod or a workload (deploy, sts, ds, rs, job), not ${ref.kind}`);
  return (index: ReturnType<typeof buildIndex>): Subject => {
    const object = index.getByRef(ref);
    if (!object) throw new UsageError(`${formatRef(ref)} not found`, index.has(ref.kind) ? "check the name and the namespace (-n)" : `the source holds no ${ref.kind} objects`);
    const label = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;
    if (ref.kind === "Pod") {
      const pod = object as Pod;
      const target = workloadOf(index, pod);
      return { label: label(pod), pod, ...(pod.spec?.nodeName ? { scheduled: pod.spec.nodeName } : {}), target };
    }
    const pods = [...index.podsOfWorkload(object)].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const pending = pods.find(isPending);
    const target = refOf(object);
    if (pending) {
      const others = pods.filter(isPending).length - 1;
      return { label: label(pending), pod: pending, target, note: `${formatRef(target)}: first Pending pod ${pending.metadata.name}${others > 0 ? ` (${others} more Pending)` : ""}` };
    }
    const live = pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
    if (live.length) return { label: `${ref.namespace}/${kubectlKind(ref.kind)}/${ref.name}`, scheduled: live.map((p) => p.spec.nodeName).join(", "), target, note: `${formatRef(target)}: all ${live.length} pod(s) are scheduled` };
    const pod = podFromTemplate(object, ref.namespace ?? "default");
    if (!pod) throw new UsageError(`${formatRef(target)} has no pod template`);
    const claimTemplates = claimTemplatesOf(object, ref.namespace ?? "default");
    return { label: `${ref.namespace}/${kubectlKind(ref.kind)}/${ref.name} (pod template)`, pod, target, note: `${formatRef(target)} has no pods: simulating its pod template`, ...(claimTemplates ? { claimTemplates } : {}) };
  };
}

async function manifestSubject(path: string, opts: Options): Promise<Subject> {
  const loaded = await loadSnapshot([path]);
  const objects = [...loaded.objects.values()].flat().filter((o) => o.kind === "Pod" || WORKLOADS.has(o.kind));
  const object = objects[0];
  if (!object) throw new UsageError(`${path}: no Pod or workload with a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob)`);
  const namespace = object.metadata.namespace ?? opts.namespace ?? "default";
  const note = objects.length > 1 ? `${path}: ${objects.length} pod-bearing objects, checking the first: ${object.kind} ${object.metadata.name}` : undefined;
  if (object.kind === "Pod") {
    const pod = structuredClone(object) as Pod;
    pod.metadata.namespace = namespace;
    delete pod.spec.nodeName;
    return { label: `${namespace}/${pod.metadata.name}`, pod, target: { kind: "Pod", namespace, name: pod.metadata.name }, ...(note ? { note } : {}) };
  }
  const pod = podFromTemplate(object, namespace);
  if (!pod) throw new UsageError(`${path}: ${object.kind} ${object.metadata.name} has no pod template`);
  const claimTemplates = claimTemplatesOf(object, namespace);
  return { label: `${namespace}/${kubectlKind(object.kind)}/${object.metadata.name}`, pod, target: { kind: object.kind, namespace, name: object.metadata.name }, ...(note ? { note } : {}), ...(claimTemplates ? { claimTemplates } : {}) };
}

const versionOption = () => new Option("--scheduler-version <1.N>", "kube-scheduler wording and behaviour to simulate (default: the snapshot's server version, else 1.36)");

export function registerSchedulingCommands(program: Command, context: CommandContext): void {
  addSourceOptions(
    program
      .command("why-pending")
      .description("Why a pod is not scheduled: kube-scheduler's filters on every node, its message, and what-if fixes verified by re-simulation. Needs no FailedScheduling event.")
      .argument("<pod-ref>", "[namespace/]pod/name, a pod name, or a workload (deploy/sts/ds/rs/job: its first Pending pod)"),
  )
    .addOption(outputOption(["text", "json"], "text"))
    .addOption(versionOption())
    .addHelpText("after", "\nExamples:\n  kubesleuth why-pending shop/pod/web-7d4b9c-x2k1 --snapshot cluster.tar.gz\n  kubesleuth why-pending deploy/web -n shop -o json\n\nExit codes: 0 the pod fits on some node (or is already scheduled), 1 it fits nowhere, 2 usage or source error.\n")
    .action(async (refText: string, opts: Options) => {
      context.setDebug(opts.debug === true);
      const pick = resolveRef(refText, opts);
      context.setExitCode(await run(context.io, opts, [], pick));
    });

  addSourceOptions(
    program
      .command("fit")
      .description("Would this pod (or a workload's pod template) schedule now, on which nodes, and if not why.")
      .argument("<manifest>", "YAML or JSON file with a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob (the first one is checked)"),
  )
    .addOption(outputOption(["text", "json"], "text"))
    .addOption(versionOption())
    .addHelpText("after", "\nExamples:\n  kubesleuth fit deploy.yaml --snapshot cluster.tar.gz\n  kubesleuth fit pod.yaml -o json\n\nExit codes: 0 it fits on some node, 1 it fits nowhere, 2 usage or source error.\n")
    .action(async (manifest: string, opts: Options) => {
      context.setDebug(opts.debug === true);
      const subject = await manifestSubject(manifest, opts);
      context.setExitCode(await run(context.io, opts, [], () => subject));
    });
}
