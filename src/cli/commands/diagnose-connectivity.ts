// `kubesleuth diagnose connectivity <from> <to>`: the service-to-service diagnosis as ordered hops.
// A subcommand of `diagnose`: `diagnose <ref>` keeps working (no object ref is spelled "connectivity").
import type { KubeConfig } from "@kubernetes/client-node";
import { Command, Option } from "commander";
import type { Node, Pod } from "../../model/kube.js";
import { refOf, type ObjectRef } from "../../model/ref.js";
import { ConnectivityError, diagnoseConnectivity, type ConnectivityDiagnosis, type ConnectivityTarget, type ProbeResult } from "../../engines/connectivity/index.js";
import { resolveKubeConfig } from "../../sources/live/kubeconfig.js";
import { runProbe, type ExecConnector, type ProbeOutcome, type ProbeRequest } from "../../sources/live/probe.js";
import { DEFAULT_PROBE_IMAGE, EPHEMERAL_NOTE, runEphemeralProbe } from "../../sources/live/probe-ephemeral.js";
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
port) with nc, else curl, else wget; the result is the last hop, as evidence. The exec is a
create on pods/exec, and only with --probe. Without a tool in the image (or without a shell:
distroless) the probe is unknown, unless --allow-ephemeral is given too.

--probe --allow-ephemeral: then kubesleuth adds an ephemeral debug container to the source pod, as
\`kubectl debug <pod> --image=<image> --target=<container>\` does (PATCH on the pod's
pods/ephemeralcontainers subresource; needs the patch verb on it), with the --probe-image (default
${DEFAULT_PROBE_IMAGE}), which runs the same one bounded nc/curl/wget attempt; kubesleuth waits up to
30 s for it to terminate and classifies its log. THIS IS THE ONLY WRITE KUBESLEUTH PERFORMS, and only
with both flags. Ephemeral containers cannot be removed: the terminated container stays in the pod's
spec until the pod is deleted (the pod itself keeps running). Pods on KWOK (simulated) nodes have no
container runtime: the probe reports unknown with the reason, without exec and without patching.

Examples:
  kubesleuth diagnose connectivity shop/deploy/storefront orders.shop.svc.cluster.local
  kubesleuth diagnose connectivity deploy/web svc/api -n shop --port http -o json
  kubesleuth diagnose connectivity shop/pod/web-0 10.0.0.17 --port 5432 --snapshot cluster/
  kubesleuth diagnose connectivity shop/deploy/storefront orders.shop --probe
  kubesleuth diagnose connectivity shop/deploy/distroless orders.shop --probe --allow-ephemeral --probe-image busybox:1.36

Exit codes: 0 every hop passed, 1 a hop failed or could not be decided, 2 usage or source error.
`;

interface ConnectivityOpts extends CommonOptions {
  port?: string;
  protocol?: string;
  probe?: boolean;
  allowEphemeral?: boolean;
  probeImage?: string;
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
    return unknown(`probe not possible: pod ${pod.metadata.name} runs on KWOK node ${node.metadata.name} (simulated, no container runtime: neither exec nor an ephemeral container can run; nothing was written)`, "a pod on a real node", ref);
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

/**
 * Whether the exec probe found no way to run in the container: no tool, or no shell at all (a
 * distroless image: the runtime cannot start "sh"). Only then may an ephemeral container be added.
 */
export function needsEphemeral(outcome: ProbeOutcome): boolean {
  if (outcome.verdict === "no-tool") return true;
  return outcome.verdict === "error" && /executable file not found|no such file or directory|"sh": .*not found/i.test(`${outcome.detail}\n${outcome.output}`);
}

/** The probe's outcome as the diagnosis' last hop; `ephemeral` names the container the probe added (a write). */
export function probeResult(outcome: ProbeOutcome, request: ProbeRequest, pod: ObjectRef, allowEphemeral: boolean, ephemeral?: { container: string; image: string; added: boolean }): ProbeResult {
  const via = ephemeral ? ` via ephemeral container ${ephemeral.container} (image ${ephemeral.image}, targeting ${request.container})` : ` (container ${request.container})`;
  const where = `from pod ${request.pod}${via} to ${request.host}:${request.port}`;
  const wrote = ephemeral ? `; kubesleuth's only write: added ephemeral container ${ephemeral.container} to pod ${request.pod} (${EPHEMERAL_NOTE})` : "";
  const base = { pod, command: outcome.command, output: outcome.output || outcome.detail };
  switch (outcome.verdict) {
    case "connected":
      return { ...base, status: "passed", summary: `connected ${where}: ${outcome.detail}${wrote}` };
    case "failed":
      return { ...base, status: "failed", summary: `no connection ${where}: ${outcome.detail}${wrote}` };
    case "no-tool":
      if (ephemeral) return { ...base, status: "unknown", summary: `probe not possible: no nc, curl or wget in the probe image ${ephemeral.image}${wrote}`, need: "a --probe-image with sh and nc, curl or wget" };
      return { ...base, status: "unknown", summary: `probe not possible: no nc, curl or wget in container ${request.container}${allowEphemeral ? "" : " (--allow-ephemeral would add an ephemeral debug container with nc)"}`, need: "a container image with nc, curl or wget, or --allow-ephemeral" };
    case "error":
      if (ephemeral) {
        // A refused PATCH wrote nothing; any later failure happened after the container was added.
        const added = ephemeral.added ? wrote : "";
        return { ...base, status: "unknown", summary: `probe not possible: ${outcome.detail}${added}`, need: outcome.need ?? "patch permission on pods/ephemeralcontainers and a node that can pull the probe image" };
      }
      return { ...base, status: "unknown", summary: `probe not possible: ${outcome.detail}${needsEphemeral(outcome) && !allowEphemeral ? " (--allow-ephemeral would add an ephemeral debug container)" : ""}`, need: outcome.need ?? "pods/exec permission and a reachable container runtime" };
  }
}

/** Exec first; with --allow-ephemeral, an ephemeral container when exec found no tool or no shell. */
export async function runConnectivityProbe(kubeConfig: KubeConfig, request: ProbeRequest, pod: ObjectRef, options: { allowEphemeral: boolean; probeImage?: string; exec?: ExecConnector; waitMs?: number; pollMs?: number; name?: string }): Promise<ProbeResult> {
  const outcome = await runProbe(kubeConfig, request, options.exec ? { exec: options.exec } : {});
  if (!options.allowEphemeral || !needsEphemeral(outcome)) return probeResult(outcome, request, pod, options.allowEphemeral);
  const ephemeral = await runEphemeralProbe(kubeConfig, request, {
    ...(options.probeImage ? { image: options.probeImage } : {}),
    ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.name ? { name: options.name } : {}),
  });
  return probeResult(ephemeral, request, pod, true, { container: ephemeral.container, image: ephemeral.image, added: ephemeral.added });
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
    .option("--allow-ephemeral", "with --probe: when the image has no nc/curl/wget (or no shell), add an ephemeral debug container (kubesleuth's ONLY write; it cannot be removed)")
    .option("--probe-image <image>", `with --allow-ephemeral: the ephemeral container's image, with sh and nc (default ${DEFAULT_PROBE_IMAGE})`)
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", HELP)
    .action(async (fromText: string, toText: string, _local: ConnectivityOpts, command: Command) => {
      // The parent `diagnose` declares the same source options and commander gives it those written after the subcommand too.
      const opts = command.optsWithGlobals<ConnectivityOpts>();
      context.setDebug(opts.debug === true);
      if (opts.allowEphemeral && !opts.probe) throw new UsageError("--allow-ephemeral needs --probe");
      if (opts.probeImage !== undefined && !opts.allowEphemeral) throw new UsageError("--probe-image needs --allow-ephemeral");
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
            probe = await runConnectivityProbe(kubeConfig, plan.request, plan.pod, { allowEphemeral: opts.allowEphemeral === true, ...(opts.probeImage ? { probeImage: opts.probeImage } : {}) });
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
