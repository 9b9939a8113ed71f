// `kubesleuth diagnose connectivity <from> <to>`: the service-to-service diagnosis as ordered hops.
// A subcommand of `diagnose`: `diagnose <ref>` keeps working (no object ref is spelled "connectivity").
import { Command, Option } from "commander";
import type { Node, Pod } from "../../model/kube.js";
import { refOf, type ObjectRef } from "../../model/ref.js";
import { ConnectivityError, diagnoseConnectivity, type ConnectivityDiagnosis, type ConnectivityTarget, type ProbeResult } from "../../engines/connectivity/index.js";
import { resolveKubeConfig } from "../../sources/live/kubeconfig.js";
import { runProbe, type ProbeOutcome, type ProbeRequest } from "../../sources/live/probe.js";
import { parseIp, type Protocol } from "../../engines/network-policy/index.js";
import type { ClusterIndex } from "../../indexes/types.js";
import { connectivityReport } from "../../run/connectivity.js";
import { runAnalyzers } from "../../run/run-analyzers.js";
import { parsePort, PROTOCOLS, ReachError } from "../../run/reach.js";
import { renderConnectivityJson, renderConnectivityText } from "../../renderers/connectivity.js";
import { COLOR_STYLE, PLAIN_STYLE } from "../../renderers/style.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../errors.js";
import { useColor } from "../io.js";
import { loadSource } from "../load-source.js";
import { addSourceOptions, outputOption, type CommandContext, type CommonOptions } from "../options.js";
import { parseObjectRef } from "../parse-ref.js";
import { REACH_KINDS } from "./reach.js";

/** What the diagnosis reads: reach's kinds plus EndpointSlices, Nodes, cluster DNS config and network DaemonSets. */
export const CONNECTIVITY_KINDS = [...new Set([...REACH_KINDS, "EndpointSlice", "Node", "ConfigMap"])];

const HELP = `
The seed-case loop for "A cannot reach B", as ordered hops, each passed, failed, unknown or skipped
with evidence:
  1. DNS: the Service exists in that namespace; the source pods use the cluster DNS (dnsPolicy);
     CoreDNS/kube-dns pods ready with ready endpoints; the Corefile (a forward to the pod's own
     loopback, or "Loop ... detected" in CoreDNS logs); the source's egress allows 53/UDP and 53/TCP
     to the DNS pods (evaluated with the NetworkPolicy engine)
  2. Service: type, port, selector, targetPort against the selected pods' container ports
  3. Endpoints: ready / not ready (EndpointSlices, else Endpoints)
  4. NetworkPolicy: the source's egress and the destination's ingress, which policy isolates and
     why no rule matched
  5. Nodes of both sides: Ready, NetworkUnavailable, pressure
  6. CNI plugin and kube-proxy: calico, flannel, cilium, weave, canal, antrea, kube-router, aws-node,
     azure-cni, ovnkube-node, kube-proxy DaemonSets, their pods on the connection's nodes (the same
     checks as the scan's cni-daemonset-degraded), restarts, error lines in logs
The first failed hop is the root cause. A NetworkPolicy denial comes with the NetworkPolicy to add,
verified by evaluating again with it.

From: [namespace/]kind/name (pod, deploy, sts, ds, rs, job, svc, ns/<name>).
To: the same forms, a Service DNS name (api, api.shop, api.shop.svc.cluster.local; a bare name
resolves in the source's namespace, as the pod's resolver does), or a ClusterIP / pod IP.
--port names the Service port (number or name; optional when the Service has one port), or the
destination pods' port for other destinations.

--probe (live only) execs into a Running source pod (its first container) and tries one TCP
connection to the destination as the caller names it (the Service name or ClusterIP and the Service
port) with nc, else curl, else wget; the result is the last hop, as evidence. It is the only
request kubesleuth makes that is not a read (pods/exec), and only with --probe. Without a tool in
the image the probe is unknown: ephemeral debug containers (--allow-ephemeral) are not implemented
yet. Pods on KWOK (simulated) nodes cannot be exec'd into: the probe reports unknown with the reason.

Examples:
  kubesleuth diagnose connectivity shop/deploy/storefront orders.shop.svc.cluster.local
  kubesleuth diagnose connectivity deploy/web svc/api -n shop --port http -o json
  kubesleuth diagnose connectivity shop/pod/web-0 10.0.0.17 --port 5432 --snapshot cluster/

Exit codes: 0 every hop passed, 1 a hop failed or could not be decided, 2 usage or source error.
`;

interface ConnectivityOpts extends CommonOptions {
  port?: string;
  protocol?: string;
  probe?: boolean;
  allowEphemeral?: boolean;
}

/** to: an IP, a Service DNS name (no slash), else an object ref. */
export function parseConnectivityTarget(text: string, namespace: string | undefined): ConnectivityTarget {
  if (parseIp(text)) return { type: "address", ip: text };
  if (!text.includes("/")) {
    if (!/^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*\.?$/.test(text)) throw new UsageError(`"${text}" is neither an object ref, a Service DNS name nor an IP address`);
    return { type: "dns", name: text };
  }
  const parsed = parseObjectRef(text, namespace);
  if (!parsed.ok) throw new UsageError(parsed.error);
  return { type: "object", ref: parsed.ref };
}


/** A probe to run (pod, container, host, port), or the reason it cannot run, without any request to the cluster. */
export function planProbe(index: ClusterIndex, d: ConnectivityDiagnosis, target: ConnectivityTarget, live: boolean): { result: ProbeResult } | { request: ProbeRequest; pod: ObjectRef } {
  const unknown = (summary: string, need: string, pod?: ObjectRef): { result: ProbeResult } => ({ result: { status: "unknown", summary, need, ...(pod ? { pod } : {}) } });
  if (!live) return unknown("probe not possible: the source is a snapshot (a probe needs the live cluster)", "a live cluster");
  const sources = d.sourcePods.map((r) => index.getByRef<Pod>(r)).filter((p): p is Pod => p !== undefined);
  const pod = sources.find((p) => p.status?.phase === "Running");
  if (!pod) return unknown("probe not possible: no source pod is Running", "a running source pod");
  const ref = refOf(pod);
  const node = pod.spec?.nodeName ? index.get<Node>("Node", undefined, pod.spec.nodeName) : undefined;
  if (node?.metadata.annotations?.["kwok.x-k8s.io/node"] === "fake") {
    return unknown(`probe not possible: pod ${pod.metadata.name} runs on KWOK node ${node.metadata.name} (simulated, no container runtime: exec is not served)`, "a pod on a real node", ref);
  }
  if (d.protocol !== "TCP") return unknown(`probe not run: it tests TCP, and the connection is ${d.protocol} (no answer cannot be told from a drop)`, "a TCP port", ref);
  let host: string | undefined;
  let port: number | undefined = d.servicePort?.port ?? (typeof d.port === "number" ? d.port : undefined);
  if (target.type === "dns") host = target.name;
  else if (target.type === "address") host = target.ip;
  else if (d.to.service) host = `${d.to.service.name}.${d.to.service.namespace}.svc`;
  else {
    const destination = d.destinationPods.map((r) => index.getByRef<Pod>(r)).find((p) => p?.status?.podIP);
    host = destination?.status?.podIP;
    const pair = d.hops.find((h) => h.id === "network-policy")?.checks[0]?.step.match(/:(\d+)\/\w+$/);
    if (port === undefined && pair) port = Number(pair[1]);
  }
  if (!host || port === undefined) return unknown("probe not run: no destination address and port to try", "a destination with an IP and a numeric port", ref);
  const container = pod.spec.containers[0]!.name;
  return { request: { namespace: pod.metadata.namespace ?? "default", pod: pod.metadata.name, container, host, port }, pod: ref };
}

/** The probe's outcome as the diagnosis' last hop. */
export function probeResult(outcome: ProbeOutcome, request: ProbeRequest, pod: ObjectRef, allowEphemeral: boolean): ProbeResult {
  const where = `from pod ${request.pod} (container ${request.container}) to ${request.host}:${request.port}`;
  const base = { pod, command: outcome.command, output: outcome.output || outcome.detail };
  switch (outcome.verdict) {
    case "connected":
      return { ...base, status: "passed", summary: `connected ${where}: ${outcome.detail}` };
    case "failed":
      return { ...base, status: "failed", summary: `no connection ${where}: ${outcome.detail}` };
    case "no-tool":
      return { ...base, status: "unknown", summary: `probe not possible: no nc, curl or wget in container ${request.container}; ephemeral debug containers are not implemented yet${allowEphemeral ? " (--allow-ephemeral has no effect)" : ""}`, need: "a container image with nc, curl or wget" };
    case "error":
      return { ...base, status: "unknown", summary: `probe not possible: ${outcome.detail}`, need: "pods/exec permission and a reachable container runtime" };
  }
}

export function registerConnectivityCommand(program: Command, context: CommandContext): void {
  const { io } = context;
  const diagnose = program.commands.find((c) => c.name() === "diagnose");
  if (!diagnose) throw new Error("the diagnose command must be declared before its connectivity subcommand");
  diagnose.addHelpText("after", "  kubesleuth diagnose connectivity shop/deploy/storefront orders.shop   (see `diagnose connectivity --help`)\n");
  addSourceOptions(
    diagnose
      .command("connectivity")
      .description("Why can A not reach B? DNS, Service, endpoints, NetworkPolicy both ways, nodes and CNI as ordered hops, then the root cause and the fix.")
      .argument("<from>", "source: [namespace/]kind/name (pod, deploy, sts, ds, svc, ns/<name>)")
      .argument("<to>", "destination: the same forms, a Service DNS name (api.shop.svc.cluster.local, api.shop) or a ClusterIP"),
  )
    .option("--port <port>", "the Service port (number or name), or the destination pods' port")
    .addOption(new Option("--protocol <protocol>", "TCP, UDP or SCTP (default: the Service port's, else TCP)").choices([...PROTOCOLS]))
    .option("--probe", "live: also test from a source pod with nc/curl/wget (exec; off by default: read-only)")
    .option("--allow-ephemeral", "with --probe: allow an ephemeral debug container when the image has no tool (not implemented yet)")
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", HELP)
    .action(async (fromText: string, toText: string, _local: ConnectivityOpts, command: Command) => {
      // The parent `diagnose` declares the same source options and commander gives it those written after the subcommand too.
      const opts = command.optsWithGlobals<ConnectivityOpts>();
      context.setDebug(opts.debug === true);
      if (opts.allowEphemeral && !opts.probe) throw new UsageError("--allow-ephemeral needs --probe");
      const fromParsed = parseObjectRef(fromText, opts.namespace);
      if (!fromParsed.ok) throw new UsageError(fromParsed.error, "from: [namespace/]kind/name, e.g. shop/deploy/web");
      const target = parseConnectivityTarget(toText, opts.namespace);
      let port: number | string | undefined;
      try {
        port = parsePort(opts.port);
      } catch (error) {
        if (error instanceof ReachError) throw new UsageError(error.message, error.hint);
        throw error;
      }
      const source = await loadSource(io, [], { ...opts, namespace: undefined, allNamespaces: false }, { kinds: CONNECTIVITY_KINDS, logs: true });
      const { report: base, index } = runAnalyzers(source.snapshot, [], { now: source.now });
      try {
        const question = { port, protocol: opts.protocol as Protocol | undefined, logs: source.snapshot.logs, now: source.now };
        let diagnosis = diagnoseConnectivity(index, { type: "object", ref: fromParsed.ref }, target, question);
        if (opts.probe) {
          const plan = planProbe(index, diagnosis, target, source.live);
          let probe: ProbeResult;
          if ("result" in plan) probe = plan.result;
          else {
            const { kubeConfig } = resolveKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context }, io.env);
            probe = probeResult(await runProbe(kubeConfig, plan.request), plan.request, plan.pod, opts.allowEphemeral === true);
          }
          diagnosis = diagnoseConnectivity(index, { type: "object", ref: fromParsed.ref }, target, { ...question, probe });
        }
        const report = connectivityReport(base, diagnosis);
        io.stdout(opts.output === "json" ? renderConnectivityJson(report) : renderConnectivityText(report, useColor(io, opts.color) ? COLOR_STYLE : PLAIN_STYLE));
        context.setExitCode(report.verdict === "passed" ? EXIT_OK : EXIT_FINDINGS);
      } catch (error) {
        if (error instanceof ConnectivityError) throw new UsageError(error.message, error.hint);
        throw error;
      }
    });
}
