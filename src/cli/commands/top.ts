// `kubesleuth top nodes|pods`: resource use from metrics.k8s.io (metrics-server), as kubectl top prints it.
import { Command, Option } from "commander";
import type { Node } from "../../model/kube.js";
import { compileSelector } from "../../semantics/selector-string.js";
import { nodeRows, podRows, renderTopNodes, renderTopPods, sortRows, type MetricsObject, type TopRow } from "../../renderers/top.js";
import { UsageError } from "../errors.js";
import { loadSource } from "../load-source.js";
import { outputOption, type CommandContext, type CommonOptions } from "../options.js";

type TopFlags = Pick<CommonOptions, "snapshot" | "kubeconfig" | "context" | "namespace" | "allNamespaces" | "selector" | "requestTimeout" | "progress" | "debug" | "output"> & {
  sortBy?: "cpu" | "memory";
};

const HELP = `
Reads the resource metrics API (metrics.k8s.io, served by metrics-server) like kubectl top.
Without metrics-server there is nothing to read: kubesleuth says so and exits 2.

Examples:
  kubesleuth top nodes                       # CPU and memory per node, % of allocatable
  kubesleuth top nodes --sort-by memory
  kubesleuth top pods                        # pods of the default namespace (like kubectl, -n to choose)
  kubesleuth top pods -n shop                # pods of one namespace
  kubesleuth top pods -A -l app=web          # all namespaces, pods labelled app=web
  kubesleuth top pods -A --snapshot cluster.tar.gz   # from an archive that captured PodMetrics
`;

const collect = (v: string, prev: string[] = []) => [...prev, v];

function metricsAbsent(coverage: { status: string; note?: string } | undefined, count: number): string | undefined {
  if (coverage?.status === "absent" || (!coverage && count === 0)) return "the metrics API (metrics.k8s.io) is not available: metrics-server is not installed or not ready";
  if (coverage?.status === "forbidden") return `reading metrics.k8s.io is forbidden: ${coverage.note ?? ""}`.trim();
  return undefined;
}

export function registerTopCommand(program: Command, context: CommandContext): void {
  const { io } = context;
  program
    .command("top")
    .description("CPU and memory use of nodes or pods from metrics.k8s.io, like kubectl top.")
    .argument("<what>", "nodes or pods")
    .option("--snapshot <path>", "read metrics from a snapshot that captured them instead of the live cluster; repeatable", collect)
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .option("-n, --namespace <ns>", "pods: only this namespace")
    .option("-A, --all-namespaces", "pods: all namespaces (shows a NAMESPACE column)")
    .option("-l, --selector <selector>", "only objects whose labels match, e.g. app=web")
    .addOption(new Option("--sort-by <resource>", "sort by cpu or memory, highest first").choices(["cpu", "memory"]))
    .option("--request-timeout <duration>", "live: give up on a single API request after this long, e.g. 5s (default 30s)")
    .option("--progress", "print progress to stderr even when it is not a terminal")
    .option("--debug", "print stack traces on errors")
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", HELP)
    .action(async (what: string, opts: TopFlags) => {
      context.setDebug(opts.debug === true);
      const kind = what === "nodes" || what === "node" || what === "no" ? "nodes" : what === "pods" || what === "pod" || what === "po" ? "pods" : undefined;
      if (!kind) throw new UsageError(`top: unknown resource "${what}"`, "kubesleuth top nodes | kubesleuth top pods [-n ns | -A]");
      if (opts.namespace && opts.allNamespaces) throw new UsageError("-n and -A cannot be used together");
      let matches: ((labels: Readonly<Record<string, string>> | undefined) => boolean) | undefined;
      if (opts.selector) {
        const compiled = compileSelector(opts.selector);
        if (!compiled.ok) throw new UsageError(`-l ${JSON.stringify(opts.selector)}: ${compiled.error}`, "selector syntax as kubectl: app=web,tier!=db");
        matches = compiled.matches;
      }
      const metricsKind = kind === "nodes" ? "NodeMetrics" : "PodMetrics";
      // Pods: the current namespace is "default" like kubectl; nodes are cluster-scoped.
      const namespace = kind === "pods" && !opts.allNamespaces ? (opts.namespace ?? "default") : undefined;
      const source = await loadSource(
        io,
        [],
        { snapshot: opts.snapshot, kubeconfig: opts.kubeconfig, context: opts.context, namespace, requestTimeout: opts.requestTimeout, progress: opts.progress },
        { kinds: kind === "nodes" ? ["Node", "NodeMetrics"] : ["PodMetrics"], logs: false },
      );
      const s = source.snapshot;
      const metrics = (s.objects.get(metricsKind) ?? []) as MetricsObject[];
      const absent = metricsAbsent(s.coverage[metricsKind], metrics.length);
      if (absent && metrics.length === 0) throw new UsageError(absent, "install metrics-server (https://github.com/kubernetes-sigs/metrics-server), or use kubesleuth scan, which ranks pods by requests and limits without it");
      let rows: TopRow[];
      if (kind === "nodes") {
        const nodes = ((s.objects.get("Node") ?? []) as Node[]).filter((n) => !matches || matches(n.metadata.labels));
        rows = nodeRows(nodes, metrics);
      } else {
        rows = podRows(metrics.filter((m) => !matches || matches(m.metadata.labels)));
      }
      rows = sortRows(rows, opts.sortBy);
      if (opts.output === "json") {
        const plain = rows.map((r) => ({
          ...(r.namespace !== undefined && kind === "pods" ? { namespace: r.namespace } : {}),
          name: r.name,
          cpuMillicores: r.cpuMillis === undefined ? null : Number(r.cpuMillis),
          memoryBytes: r.memoryBytes === undefined ? null : Number(r.memoryBytes),
          ...(kind === "nodes" ? { cpuPercent: r.cpuPercent === undefined ? null : Number(r.cpuPercent), memoryPercent: r.memoryPercent === undefined ? null : Number(r.memoryPercent) } : {}),
        }));
        io.stdout(JSON.stringify({ kind, items: plain }, null, 2) + "\n");
        return;
      }
      if (rows.length === 0) {
        io.stderr(kind === "pods" ? `No resources found${namespace ? ` in ${namespace} namespace` : ""}.\n` : "No resources found\n");
        return;
      }
      io.stdout(kind === "nodes" ? renderTopNodes(rows) : renderTopPods(rows, opts.allNamespaces === true));
    });
}
