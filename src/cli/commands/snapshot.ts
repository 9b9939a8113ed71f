// `kubesleuth snapshot -o FILE`: capture the live cluster into a kubesleuth archive (read-only; Secrets redacted).
import type { Analyzer } from "../../analyzers/define.js";
import { writeArchive } from "../../sources/archive/write-archive.js";
import { KINDS } from "../../model/kinds.js";
import type { CliIo } from "../io.js";
import { loadSource } from "../load-source.js";
import { needsOf } from "./needs.js";
import { loadSnapshot } from "../../sources/snapshot/load-snapshot.js";
import { UsageError } from "../errors.js";

export interface SnapshotOptions {
  output: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  logs: boolean;
  progress?: boolean;
  requestTimeout?: string;
  /** node-diagnostics files (`kubesleuth node`) to carry in the archive. */
  nodeDiagnostics?: string[];
  /** --etcd-endpoint and its TLS files: etcd's /health and /metrics ride along in the control-plane data. */
  etcdEndpoint?: string[];
  etcdCacert?: string;
  etcdCert?: string;
  etcdKey?: string;
  /** --component-endpoint NAME=URL: the component's /healthz?verbose rides along in the control-plane data. */
  componentEndpoint?: string[];
}

export async function runSnapshot(io: CliIo, opts: SnapshotOptions, analyzers: readonly Analyzer[]): Promise<void> {
  const needs = needsOf(analyzers);
  // Capture what the analyzers need plus the rest of the core kinds diagnose walks, so an archive serves later analyzers too.
  const kinds = [...new Set([...needs.kinds, ...KINDS.filter((k) => !k.optional || ["Ingress", "IngressClass", "EndpointSlice"].includes(k.kind)).map((k) => k.kind)])].sort();
  // Read the node files first: a wrong file fails before the cluster is listed.
  const nodeFiles = opts.nodeDiagnostics?.length ? await loadSnapshot(opts.nodeDiagnostics) : undefined;
  if (nodeFiles && nodeFiles.source.formats?.some((f) => f !== "node-diagnostics")) {
    throw new UsageError(`--node-diagnostics: ${opts.nodeDiagnostics!.filter((_, i) => nodeFiles.source.formats![i] !== "node-diagnostics").join(", ")} is not a node-diagnostics file`, "write one with kubesleuth node on the node");
  }
  const source = await loadSource(io, [], { kubeconfig: opts.kubeconfig, context: opts.context, namespace: opts.namespace, progress: opts.progress, requestTimeout: opts.requestTimeout, etcdEndpoint: opts.etcdEndpoint, etcdCacert: opts.etcdCacert, etcdCert: opts.etcdCert, etcdKey: opts.etcdKey, componentEndpoint: opts.componentEndpoint }, { kinds, logs: opts.logs && needs.logs, controlPlane: needs.controlPlane, volumeStats: needs.volumeStats });
  const snapshot = nodeFiles?.nodeDiagnostics ? { ...source.snapshot, nodeDiagnostics: nodeFiles.nodeDiagnostics } : source.snapshot;
  await writeArchive(snapshot, opts.output, { serverUrl: source.snapshot.source.locations[0] ?? "", namespaces: opts.namespace ? [opts.namespace] : null });
  const objects = [...source.snapshot.objects.values()].reduce((n, l) => n + l.length, 0);
  const notOk = Object.entries(source.snapshot.coverage).filter(([, c]) => c.status !== "ok").map(([k, c]) => `${k} ${c.status}`);
  io.stderr(`wrote ${opts.output}: ${objects} objects, ${source.snapshot.logs.length} logs${notOk.length ? `; not collected: ${notOk.join(", ")}` : ""}\n`);
}
