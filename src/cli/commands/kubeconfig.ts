// `kubesleuth kubeconfig [file]`: contexts, clusters and users of a kubeconfig, certificate expiry,
// exec plugins on PATH, insecure TLS; with --live, whether each server answers and the credentials authenticate.
import { Command } from "commander";
import type { ContextProbe } from "../../model/kubeconfig.js";
import { judgeKubeconfig } from "../../run/kubeconfig.js";
import { renderKubeconfigText } from "../../renderers/kubeconfig.js";
import { inspectKubeconfig } from "../../sources/kubeconfig/inspect-kubeconfig.js";
import { probeContext } from "../../sources/live/probe-context.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../errors.js";
import { parseRequestTimeout } from "../load-source.js";
import { outputOption, type CommandContext } from "../options.js";

interface KubeconfigFlags {
  kubeconfig?: string;
  context?: string;
  live?: boolean;
  allContexts?: boolean;
  requestTimeout?: string;
  output: string;
  debug?: boolean;
}

const HELP = `
The file: the argument, else --kubeconfig, else KUBECONFIG (a path list, ":"-separated, ";" on Windows, merged as kubectl
merges it: the first file to define a cluster, user or context name wins), else ~/.kube/config.
Relative certificate, key and token paths are relative to the kubeconfig file that names them.

Shown: every context (* = current), cluster (server, proxy-url, tls-server-name, CA validity),
user (client certificate subject and validity, which credentials are present, exec plugin command and
whether it is on PATH, auth-provider). Tokens, passwords, keys, exec arguments and env values are
never printed, only whether they are present.

--live asks each server (the current context; --context one; --all-contexts every one):
  GET /version                                               does the server answer?
  POST authentication.k8s.io/v1 SelfSubjectReview            do the credentials authenticate? (kubectl auth whoami)
    401: not authenticated; 403: authenticated, not allowed to ask; 404: API absent (before 1.27): /version only.

Exit codes: 0 no errors, 1 errors found (expired or not-yet-valid certificate, exec command not found,
dangling reference, server not answering, credentials refused), 2 usage or unreadable kubeconfig.
Certificates expiring within 30 days are warnings.

Examples:
  kubesleuth kubeconfig
  kubesleuth kubeconfig ~/.kube/prod.yaml -o json
  KUBECONFIG=~/.kube/config:~/.kube/eks.yaml kubesleuth kubeconfig --live --all-contexts
  kubesleuth kubeconfig --live --context staging --request-timeout 5s
`;

async function runKubeconfig(ctx: CommandContext, file: string | undefined, flags: KubeconfigFlags): Promise<number> {
  const { io } = ctx;
  if (file !== undefined && flags.kubeconfig !== undefined && file !== flags.kubeconfig) throw new UsageError("give the kubeconfig either as the argument or as --kubeconfig, not both");
  if (flags.allContexts && flags.context) throw new UsageError("--context and --all-contexts cannot be used together");
  if ((flags.allContexts || flags.context) && !flags.live) throw new UsageError(`${flags.allContexts ? "--all-contexts" : "--context"} selects contexts to probe: add --live`);
  const explicit = file ?? flags.kubeconfig;
  const inspection = inspectKubeconfig(explicit, io.env);
  let probes: ContextProbe[] | undefined;
  if (flags.live) {
    const timeoutMs = parseRequestTimeout(flags.requestTimeout) ?? 10_000;
    let names: string[];
    if (flags.allContexts) names = inspection.contexts.map((c) => c.name);
    else if (flags.context) {
      if (!inspection.contexts.some((c) => c.name === flags.context)) throw new UsageError(`context "${flags.context}" not found`, `contexts: ${inspection.contexts.map((c) => c.name).join(", ") || "none"}`);
      names = [flags.context];
    } else {
      if (!inspection.currentContext) throw new UsageError("no current-context to probe", "use --context <name> or --all-contexts");
      names = [inspection.currentContext];
    }
    probes = [];
    for (const name of names) {
      try {
        probes.push(await probeContext(explicit, name, io.env, timeoutMs));
      } catch (error) {
        // A context that cannot even be set up (no cluster, bad URL): recorded as not answering.
        const message = (error as Error).message;
        probes.push({ context: name, server: "", version: { answers: false, error: message }, auth: { status: "error", detail: "not probed: the context cannot be used" } });
      }
    }
  }
  const report = judgeKubeconfig(inspection, io.now(), probes);
  if (flags.output === "json") io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(renderKubeconfigText(report));
  return report.problems.some((p) => p.severity === "error") ? EXIT_FINDINGS : EXIT_OK;
}

export function registerKubeconfigCommand(program: Command, context: CommandContext): void {
  program
    .command("kubeconfig")
    .description("Check a kubeconfig: contexts, clusters, users, certificate expiry, exec plugins on PATH; --live: does each server answer, do the credentials work.")
    .argument("[file]", "kubeconfig file (default: --kubeconfig, $KUBECONFIG, ~/.kube/config)")
    .option("--kubeconfig <file>", "kubeconfig file, as kubectl's flag")
    .option("--live", "probe the server: GET /version and a SelfSubjectReview (kubectl auth whoami)")
    .option("--context <name>", "with --live: probe this context instead of the current one")
    .option("--all-contexts", "with --live: probe every context")
    .option("--request-timeout <duration>", "with --live: give up on a request after this long (default 10s)")
    .option("--debug", "print stack traces on errors")
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", HELP)
    .action(async (file: string | undefined, flags: KubeconfigFlags) => {
      context.setDebug(flags.debug === true);
      context.setExitCode(await runKubeconfig(context, file, flags));
    });
}
