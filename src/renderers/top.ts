// `kubesleuth top nodes|pods` tables, as kubectl top prints them (staging/src/k8s.io/kubectl/pkg/metricsutil/
// metrics_printer.go): CPU as "%vm" of the milli value, memory as "%vMi" of the value / 2^20 (integer division),
// node percentages as int64(usage milli / allocatable milli * 100), "<unknown>" for a node without metrics; columns
// aligned by text/tabwriter with minwidth 10, padding 3 (printers.GetNewTabWriter).
import type { KubeObject } from "../model/kube.js";
import { parseQuantity, quantityToBytes, quantityToMillis } from "../semantics/quantity.js";

export interface MetricsObject extends KubeObject {
  timestamp?: string;
  window?: string;
  usage?: Record<string, string>;
  containers?: { name: string; usage?: Record<string, string> }[];
}

export interface TopRow {
  namespace?: string;
  name: string;
  /** CPU in millicores and memory in bytes; undefined when the node has no metrics. */
  cpuMillis?: bigint;
  memoryBytes?: bigint;
  cpuPercent?: bigint;
  memoryPercent?: bigint;
}

function millis(value: string | undefined): bigint {
  const q = value === undefined ? undefined : parseQuantity(value);
  return q?.ok ? quantityToMillis(q.quantity) : 0n;
}
function bytes(value: string | undefined): bigint {
  const q = value === undefined ? undefined : parseQuantity(value);
  return q?.ok ? quantityToBytes(q.quantity) : 0n;
}
/** int64(float64(used)/float64(available)*100), as kubectl computes it. */
function percent(usedMillis: bigint, availableMillis: bigint): bigint | undefined {
  if (availableMillis === 0n) return undefined;
  return BigInt(Math.trunc((Number(usedMillis) / Number(availableMillis)) * 100));
}

/** One row per node (in node order), its usage from NodeMetrics against allocatable. */
export function nodeRows(nodes: readonly { metadata: { name: string }; status?: { allocatable?: Record<string, string> } }[], metrics: readonly MetricsObject[]): TopRow[] {
  const byName = new Map(metrics.map((m) => [m.metadata.name, m]));
  return nodes.map((node) => {
    const m = byName.get(node.metadata.name);
    if (!m) return { name: node.metadata.name };
    const cpu = millis(m.usage?.cpu);
    const memory = bytes(m.usage?.memory);
    const row: TopRow = { name: node.metadata.name, cpuMillis: cpu, memoryBytes: memory };
    const cpuPct = percent(cpu, millis(node.status?.allocatable?.cpu));
    const memPct = percent(memory * 1000n, bytes(node.status?.allocatable?.memory) * 1000n);
    if (cpuPct !== undefined) row.cpuPercent = cpuPct;
    if (memPct !== undefined) row.memoryPercent = memPct;
    return row;
  });
}

/** One row per pod: the sum of its containers' usage. */
export function podRows(metrics: readonly MetricsObject[]): TopRow[] {
  return metrics.map((m) => ({
    namespace: m.metadata.namespace,
    name: m.metadata.name,
    cpuMillis: (m.containers ?? []).reduce((n, c) => n + millis(c.usage?.cpu), 0n),
    memoryBytes: (m.containers ?? []).reduce((n, c) => n + bytes(c.usage?.memory), 0n),
  }));
}

/** kubectl top --sort-by: cpu or memory, descending, stable. */
export function sortRows(rows: TopRow[], by: "cpu" | "memory" | undefined): TopRow[] {
  if (!by) return rows;
  const key = (r: TopRow): bigint => (by === "cpu" ? (r.cpuMillis ?? -1n) : (r.memoryBytes ?? -1n));
  return [...rows].sort((a, b) => (key(b) > key(a) ? 1 : key(b) < key(a) ? -1 : 0));
}

/** Go text/tabwriter with minwidth 10, padding 3, cells terminated by a tab (so every column is padded). */
export function tabulate(lines: readonly string[][]): string {
  const columns = Math.max(0, ...lines.map((l) => l.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(10, ...lines.map((l) => (l[i] ?? "").length + 3)));
  return lines.map((l) => l.map((cell, i) => cell.padEnd(widths[i]!)).join("")).join("\n") + "\n";
}

const cpuText = (r: TopRow): string => (r.cpuMillis === undefined ? "<unknown>" : `${r.cpuMillis}m`);
const memText = (r: TopRow): string => (r.memoryBytes === undefined ? "<unknown>" : `${r.memoryBytes / (1024n * 1024n)}Mi`);

export function renderTopNodes(rows: readonly TopRow[]): string {
  return tabulate([
    ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"],
    ...rows.map((r) => [r.name, cpuText(r), r.cpuPercent === undefined ? "<unknown>" : `${r.cpuPercent}%`, memText(r), r.memoryPercent === undefined ? "<unknown>" : `${r.memoryPercent}%`]),
  ]);
}

export function renderTopPods(rows: readonly TopRow[], withNamespace: boolean): string {
  return tabulate([
    [...(withNamespace ? ["NAMESPACE"] : []), "NAME", "CPU(cores)", "MEMORY(bytes)"],
    ...rows.map((r) => [...(withNamespace ? [r.namespace ?? ""] : []), r.name, cpuText(r), memText(r)]),
  ]);
}
