// The ephemeral-container probe of `diagnose connectivity --probe --allow-ephemeral`: when the source
// container has no nc/curl/wget (or no shell at all: distroless), add an ephemeral debug container
// (image with nc, default busybox) to the source pod, as `kubectl debug <pod> --target=<container>`
// does: a strategic-merge PATCH of spec.ephemeralContainers on the pods/<name>/ephemeralcontainers
// subresource. This is the ONLY write kubesleuth performs, and only with both flags. An ephemeral
// container cannot be removed: it stays in the pod's spec (terminated) until the pod is deleted.
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { classifyProbe, probeCommand, type ProbeOutcome, type ProbeRequest } from "./probe.js";

export const DEFAULT_PROBE_IMAGE = "busybox:1.36";

export interface EphemeralProbeOptions {
  /** The debug image; it needs sh and nc (or curl / wget). */
  image?: string;
  /** The container's name; default kubesleuth-probe-<random>. */
  name?: string;
  /** How long to wait for the container to terminate (default 30 s). */
  waitMs?: number;
  /** Between two reads of the pod (default 1 s). */
  pollMs?: number;
  /** Per HTTP request (default 10 s). */
  requestTimeoutMs?: number;
}

/** What the probe wrote, for the report: the pod keeps it. */
export const EPHEMERAL_NOTE = "ephemeral containers cannot be removed: it stays in the pod's spec until the pod is deleted";

/**
 * The ephemeral container, in the fields `kubectl debug --target` sets (name, image, pull policy
 * IfNotPresent, targetContainerName, termination message from File); no stdin/tty: it runs the
 * probe script (the exec path's: one bounded nc / curl / wget attempt and a result line) and exits.
 */
export function ephemeralContainer(request: ProbeRequest, name: string, image: string): Record<string, unknown> {
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    command: probeCommand(request),
    targetContainerName: request.container,
    terminationMessagePolicy: "File",
  };
}

/** The strategic-merge patch: spec.ephemeralContainers merges by name, so the one element is added. */
export function ephemeralPatch(request: ProbeRequest, name: string, image: string): { spec: { ephemeralContainers: Array<Record<string, unknown>> } } {
  return { spec: { ephemeralContainers: [ephemeralContainer(request, name, image)] } };
}

function randomName(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789"; // as the API server's generateName suffixes
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(Math.random() * alphabet.length)];
  return `kubesleuth-probe-${suffix}`;
}

function kubectlText(request: ProbeRequest, name: string, image: string): string {
  return `kubectl debug -n ${request.namespace} ${request.pod} --image=${image} --target=${request.container} -c ${name} -- sh -c '<nc|curl|wget ${request.host}:${request.port}>'`;
}

interface Answer {
  status: number;
  text: string;
}

/** One request to the API server with the kubeconfig's credentials; rejects only without an answer. */
async function call(kubeConfig: KubeConfig, method: "GET" | "PATCH", path: string, timeoutMs: number, body?: { contentType: string; data: string }): Promise<Answer> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("no current cluster in the kubeconfig");
  const url = new URL(cluster.server.replace(/\/$/, "") + path);
  const options: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  const headers: http.OutgoingHttpHeaders = { ...((options.headers ?? {}) as http.OutgoingHttpHeaders), Accept: "application/json, */*" };
  if (body) {
    headers["Content-Type"] = body.contentType;
    headers["Content-Length"] = Buffer.byteLength(body.data);
  }
  const transport = url.protocol === "http:" ? http : https;
  return new Promise<Answer>((resolve, reject) => {
    const req = transport.request(url, { ...options, method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 1 << 20) chunks.push(chunk);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on("error", reject);
    req.end(body?.data);
  });
}

function statusMessage(answer: Answer): string {
  try {
    const parsed = JSON.parse(answer.text) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not a Status
  }
  return `HTTP ${answer.status}`;
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: unknown;
  terminated?: { exitCode?: number; reason?: string };
}

function stateText(state: ContainerState | undefined): string {
  if (!state) return "not started (no status yet)";
  if (state.waiting) return `waiting${state.waiting.reason ? ` (${state.waiting.reason}${state.waiting.message ? `: ${state.waiting.message}` : ""})` : ""}`;
  if (state.running) return "running";
  return "terminated";
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Adds the ephemeral container, waits (bounded) for it to terminate, reads its log and classifies it
 * as the exec path does. Never throws for cluster-side problems: they come back as verdict "error"
 * (a 403 on the subresource as "not permitted").
 */
export async function runEphemeralProbe(kubeConfig: KubeConfig, request: ProbeRequest, options: EphemeralProbeOptions = {}): Promise<ProbeOutcome & { container: string; image: string; added: boolean }> {
  const image = options.image ?? DEFAULT_PROBE_IMAGE;
  const name = options.name ?? randomName();
  const command = kubectlText(request, name, image);
  const waitMs = options.waitMs ?? 30_000;
  const pollMs = options.pollMs ?? 1_000;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const podPath = `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}`;
  let added = false;
  const base = () => ({ command, container: name, image, added });
  const error = (detail: string, output = "", need?: string) => ({ ...base(), verdict: "error" as const, output, detail, ...(need ? { need } : {}) });
  try {
    const patched = await call(kubeConfig, "PATCH", `${podPath}/ephemeralcontainers`, timeoutMs, {
      contentType: "application/strategic-merge-patch+json",
      data: JSON.stringify(ephemeralPatch(request, name, image)),
    });
    if (patched.status === 403) {
      return error("not permitted (needs patch on pods/ephemeralcontainers)", statusMessage(patched), "patch permission on pods/ephemeralcontainers");
    }
    if (patched.status < 200 || patched.status > 299) return error(`adding the ephemeral container failed: ${statusMessage(patched)}`);
    added = true;

    const deadline = Date.now() + waitMs;
    let state: ContainerState | undefined;
    for (;;) {
      const got = await call(kubeConfig, "GET", podPath, timeoutMs);
      if (got.status < 200 || got.status > 299) return error(`reading the pod failed: ${statusMessage(got)}`);
      const pod = JSON.parse(got.text) as { status?: { ephemeralContainerStatuses?: Array<{ name: string; state?: ContainerState }> } };
      state = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state;
      if (state?.terminated) break;
      if (Date.now() + pollMs > deadline) {
        return error(`the ephemeral container ${name} did not finish within ${waitMs / 1000} s (it is ${stateText(state)})`, "", "the probe image pulled and started on the pod's node");
      }
      await sleep(pollMs);
    }

    const log = await call(kubeConfig, "GET", `${podPath}/log?container=${encodeURIComponent(name)}&limitBytes=65536`, timeoutMs);
    if (log.status < 200 || log.status > 299) return error(`reading the ephemeral container's log failed: ${statusMessage(log)}`);
    const result = classifyProbe(log.text);
    if (result.verdict === "error" && state.terminated?.exitCode !== 0) {
      return error(`the ephemeral container exited with ${state.terminated?.exitCode ?? "?"} (${state.terminated?.reason ?? "no reason"}) without a result line`, result.output);
    }
    return { ...base(), ...result };
  } catch (failure) {
    return error(`the ephemeral probe failed: ${failure instanceof Error ? failure.message : String(failure)}`);
  }
}
