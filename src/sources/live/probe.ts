// The live connection probe of `diagnose connectivity --probe`: exec (a create on pods/exec, only when
// asked; it changes no object) a small sh script in a source pod that tries nc, curl or wget against
// the destination, and classifies what it printed. The one object write, an ephemeral container, is
// probe-ephemeral.ts (--allow-ephemeral).
import { Writable } from "node:stream";
import { Exec, type KubeConfig, type V1Status } from "@kubernetes/client-node";

export interface ProbeRequest {
  namespace: string;
  pod: string;
  container: string;
  host: string;
  port: number;
}

export type ProbeVerdict = "connected" | "failed" | "no-tool" | "error";

export interface ProbeOutcome {
  verdict: ProbeVerdict;
  /** What was run, as a kubectl command a human can repeat. */
  command: string;
  /** The tool that ran (nc, curl, wget) or none. */
  tool?: string;
  exitCode?: number;
  output: string;
  detail: string;
  /** What would let the probe run, when it could not. */
  need?: string;
}

/**
 * The script: the first of nc, curl, wget present tries one TCP connection (3-5 s); its output and
 * exit code are printed on a last line `kubesleuth-probe tool=<tool> rc=<code>`. Host and port are
 * positional arguments ($1, $2), never interpolated into the script.
 */
export const PROBE_SCRIPT = [
  'h="$1"; p="$2"',
  'if command -v nc >/dev/null 2>&1; then nc -z -w 3 "$h" "$p" 2>&1; echo "kubesleuth-probe tool=nc rc=$?"',
  'elif command -v curl >/dev/null 2>&1; then curl -sS -m 5 -o /dev/null "http://$h:$p/" 2>&1; echo "kubesleuth-probe tool=curl rc=$?"',
  'elif command -v wget >/dev/null 2>&1; then wget -q -T 5 -t 1 -O /dev/null "http://$h:$p/" 2>&1; echo "kubesleuth-probe tool=wget rc=$?"',
  'else echo "kubesleuth-probe tool=none rc=127"; fi',
].join("\n");

export function probeCommand(request: ProbeRequest): string[] {
  return ["sh", "-c", PROBE_SCRIPT, "kubesleuth-probe", request.host, String(request.port)];
}

function kubectlText(request: ProbeRequest): string {
  return `kubectl exec -n ${request.namespace} ${request.pod} -c ${request.container} -- sh -c '<nc|curl|wget ${request.host}:${request.port}>'`;
}

/** Failure messages of busybox and GNU wget (busybox exits 1 for every error, an HTTP error status included). */
const WGET_FAILED = /can't connect|bad address|timed out|connection refused|unable to resolve|network is unreachable|no route to host|failed: /i;

/**
 * Classifies the script's output. nc -z: exit 0 = connected. curl: 6 (resolve), 7 (connect) and
 * 28 (timeout) are failures; any other code means TCP connected and the protocol failed after
 * (e.g. 52 empty reply from a non-HTTP port). wget: GNU exit 4 = network failure, busybox by message.
 */
export function classifyProbe(stdout: string): { verdict: ProbeVerdict; tool?: string; exitCode?: number; output: string; detail: string } {
  const lines = stdout.replace(/\s+$/, "").split("\n");
  const last = /^kubesleuth-probe tool=(\w+) rc=(\d+)$/.exec(lines[lines.length - 1] ?? "");
  if (!last) return { verdict: "error", output: stdout.trim(), detail: "the probe script printed no result line" };
  const tool = last[1]!;
  const rc = Number(last[2]);
  const output = lines.slice(0, -1).join("\n").trim();
  const base = { tool, exitCode: rc, output };
  if (tool === "none") return { verdict: "no-tool", ...base, detail: "no nc, curl or wget in the container" };
  const failed = (detail: string) => ({ verdict: "failed" as const, ...base, detail });
  const connected = (detail: string) => ({ verdict: "connected" as const, ...base, detail });
  if (tool === "nc") return rc === 0 ? connected("nc connected") : failed(`nc could not connect${output ? `: ${output}` : ` (exit ${rc})`}`);
  if (tool === "curl") {
    if (rc === 6) return failed(`curl could not resolve the host${output ? `: ${output}` : ""}`);
    if (rc === 7) return failed(`curl could not connect${output ? `: ${output}` : ""}`);
    if (rc === 28) return failed(`curl timed out${output ? `: ${output}` : ""}`);
    return connected(rc === 0 ? "curl connected and got an HTTP answer" : `curl connected (exit ${rc} after connecting${output ? `: ${output}` : ""})`);
  }
  if (rc === 0) return connected("wget connected and got an HTTP answer");
  if (rc === 4 || WGET_FAILED.test(output)) return failed(`wget could not connect${output ? `: ${output}` : ` (exit ${rc})`}`);
  return connected(`wget connected (exit ${rc}${output ? `: ${output}` : ""})`);
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** Connects an exec session; the default is client-node's WebSocket handler (tests pass a fake). */
export type ExecConnector = Pick<Exec, "exec">;

/** Runs the probe in the pod. Never throws for cluster-side problems: they come back as verdict "error". */
export async function runProbe(kubeConfig: KubeConfig, request: ProbeRequest, options: { timeoutMs?: number; exec?: ExecConnector } = {}): Promise<ProbeOutcome> {
  const command = kubectlText(request);
  const stdout = collector();
  const stderr = collector();
  const exec = options.exec ?? new Exec(kubeConfig);
  const timeoutMs = options.timeoutMs ?? 20_000;
  let socket: { close(): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const status = await new Promise<V1Status>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      exec
        .exec(request.namespace, request.pod, request.container, probeCommand(request), stdout.stream, stderr.stream, null, false, resolve)
        .then((ws) => {
          socket = ws;
        }, reject);
    });
    const exitCause = status.details?.causes?.find((c) => c.reason === "ExitCode");
    if (status.status !== "Success" && !exitCause) {
      return { verdict: "error", command, output: stderr.text().trim(), detail: `exec failed: ${status.message ?? status.reason ?? "unknown error"}` };
    }
    const result = classifyProbe(stdout.text());
    return { command, ...result, ...(result.verdict === "error" && stderr.text().trim() ? { output: `${result.output}\n${stderr.text().trim()}`.trim() } : {}) };
  } catch (error) {
    // client-node rejects with the WebSocket's ErrorEvent (a plain object with `message`), not an Error.
    const message = typeof (error as { message?: unknown } | null)?.message === "string" ? (error as { message: string }).message : String(error);
    return { verdict: "error", command, output: "", detail: `exec failed: ${message}` };
  } finally {
    if (timer) clearTimeout(timer);
    socket?.close();
  }
}
