// The CLI: execute(argv, io) => exit code. Thin: parse flags, call sources/run/renderers, print.
import { Command, CommanderError, Option } from "commander";
import { addEtcdOptions, addSourceOptions, outputOption, type CommandContext, type CommonOptions } from "./options.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ANALYZERS } from "../analyzers/registry.js";
import type { Analyzer } from "../analyzers/define.js";
import { parseConfig, type Config } from "../config/config.js";
import { SEVERITIES, severityRank, type Severity } from "../model/finding.js";
import { SourceError } from "../sources/errors.js";
import { TOOL_VERSION } from "../version.js";
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError } from "./errors.js";
import type { CliIo } from "./io.js";
import { runScan } from "./commands/scan.js";
import { runDiagnose } from "./commands/diagnose.js";
import { runInspect } from "./commands/inspect.js";
import { runSnapshot, type SnapshotOptions } from "./commands/snapshot.js";
import { registerReachCommand } from "./commands/reach.js";
import { registerTopCommand } from "./commands/top.js";
import { registerSchedulingCommands } from "./commands/why-pending.js";
import { registerRbacCommands } from "./commands/rbac.js";
import { registerAuditCommand } from "./commands/audit.js";
import { registerKubeconfigCommand } from "./commands/kubeconfig.js";
import { registerPcapCommand } from "./commands/pcap.js";
import { registerHelmCommands } from "./commands/helm.js";
import { registerHealthCommand } from "./commands/health.js";
import { registerConnectivityCommand } from "./commands/diagnose-connectivity.js";
import { registerNodeCommand } from "./commands/node.js";

const EXAMPLES = `
Examples:
  # Scan the bundled example cluster (a snapshot directory)
  kubesleuth scan examples/shop-cluster

  # Scan the live cluster of your current kubeconfig context, fail CI on warnings too
  kubesleuth scan --fail-on warning

  # Scan a support bundle or a cluster-info dump, JSON for tooling
  kubesleuth scan support-bundle.tar.gz -o json

  # Walk one object's dependencies and explain what is wrong with it
  kubesleuth diagnose shop/ingress/storefront --snapshot examples/shop-cluster
  kubesleuth diagnose svc/payments-api -n payments

  # Capture a live cluster for offline analysis (Secret values are redacted)
  kubesleuth snapshot -o cluster.tar.gz

  # Exact engines: NetworkPolicy reachability, RBAC decisions, scheduler filters
  kubesleuth reach shop/deploy/web svc/api -n shop --port http
  kubesleuth can-i list secrets -n shop --as-sa shop/api --explain
  kubesleuth why-pending shop/deploy/recommender --snapshot examples/shop-cluster

  # Audit logs (403s explained with the minimal Role, load, watch storms) and kubeconfig health
  kubesleuth audit /var/log/kubernetes/audit.log --snapshot cluster.tar.gz
  kubesleuth kubeconfig --live

  # Packet captures: per-flow TCP and DNS health, failed handshakes and their likely cause
  kubesleuth pcap node-a.pcap

  # Helm releases from their storage Secrets: history, and what an upgrade changed
  kubesleuth helm history shop-web -n shop
  kubesleuth helm diff shop-web -n shop

As a kubectl plugin: put kubectl-sleuth on your PATH and run \`kubectl sleuth scan\`.
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage, config or source error.
`;

/** Analyzers selected by --only/--skip (analyzer ids or codes; code filters apply to findings later). */
function selectAnalyzers(only: readonly string[], skip: readonly string[]): Analyzer[] {
  const analyzerOf = (pattern: string): string => pattern.split("/")[0]!.replace(/\*$/, "");
  const known = new Set(ANALYZERS.map((a) => a.id));
  for (const p of [...only, ...skip]) {
    const id = analyzerOf(p);
    if (!p.endsWith("*") && !known.has(id)) {
      throw new UsageError(`unknown analyzer "${id}" in --only/--skip`, `known analyzers: ${[...known].join(", ")}`);
    }
  }
  return ANALYZERS.filter((a) => {
    if (only.length && !only.some((p) => a.id.startsWith(analyzerOf(p)) && (p.endsWith("*") || a.id === analyzerOf(p)))) return false;
    if (skip.some((p) => !p.includes("/") && (p.endsWith("*") ? a.id.startsWith(p.slice(0, -1)) : a.id === p))) return false;
    return true;
  });
}

function readConfig(io: CliIo, path: string | undefined): Config {
  const file = path ?? join(io.cwd, ".kubesleuth.yaml");
  if (!path && !existsSync(file)) return { only: [], skip: [], suppressions: [] };
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    throw new UsageError(`config ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  const result = parseConfig(text);
  if (!result.ok) {
    const first = result.errors[0]!;
    const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more: ${result.errors.slice(1).map((e) => e.path).join(", ")})` : "";
    throw new UsageError(`config ${file}: ${first.path ? `${first.path}: ` : ""}${first.message}${more}`);
  }
  return result.config;
}

function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

/**
 * Commands that live in their own module register here (program, context) => void; the core
 * commands (scan, diagnose, inspect, snapshot) are declared below.
 */
const COMMAND_MODULES: readonly ((program: Command, context: CommandContext) => void)[] = [registerSchedulingCommands, registerReachCommand, registerRbacCommands, registerAuditCommand, registerKubeconfigCommand, registerTopCommand, registerPcapCommand, registerHelmCommands, registerHealthCommand, registerConnectivityCommand, registerNodeCommand];

/** Runs the CLI with the given arguments; resolves to the exit code. Never calls process.exit. */
export async function execute(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  let debug = argv.includes("--debug");
  const program = new Command("kubesleuth")
    .description("Kubernetes troubleshooting: from symptom to root cause with evidence, on a live cluster or a snapshot.")
    .version(TOOL_VERSION, "-V, --version")
    .addHelpText("after", EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s), outputError: () => {} });

  addEtcdOptions(addSourceOptions(
    program
      .command("scan")
      .description("Whole-cluster report: every analyzer, findings with evidence, impact and fixes.")
      .argument("[source...]", "snapshot paths (kubectl -o json/yaml, cluster-info dump, support bundle, must-gather, kubesleuth archive, node-diagnostics files from kubesleuth node)"),
  ))
    .addOption(outputOption(["text", "json", "markdown"], "text"))
    .addOption(new Option("--fail-on <severity>", "exit 1 when a finding is at or above this severity").choices([...SEVERITIES, "none"]))
    .option("--only <codes...>", "only these analyzers or finding codes (comma-separated or repeated)")
    .option("--skip <codes...>", "skip these analyzers or finding codes")
    .option("--config <file>", "config file with suppressions (default: ./.kubesleuth.yaml if present)")
    .option("--stats", "per-analyzer timings")
    .addHelpText("after", "\nExamples:\n  kubesleuth scan examples/shop-cluster\n  kubesleuth scan -n shop --fail-on warning\n  kubesleuth scan bundle.tar.gz -o json --only pod-crash-looping,service-selects-no-pods\n")
    .action(async (paths: string[], opts: CommonOptions & { failOn?: string; only?: string[]; skip?: string[]; config?: string; stats?: boolean }) => {
      debug = opts.debug === true;
      const config = readConfig(io, opts.config);
      const only = [...config.only, ...splitList(opts.only)];
      const skip = [...config.skip, ...splitList(opts.skip)];
      const analyzers = selectAnalyzers(only, skip);
      const failOn = (opts.failOn ?? config.failOn ?? "error") as Severity | "none";
      const report = await runScan(io, paths, opts, { analyzers, only, skip, suppressions: config.suppressions, stats: opts.stats === true });
      if (failOn !== "none" && report.findings.some((f) => severityRank(f.severity) >= severityRank(failOn))) exitCode = EXIT_FINDINGS;
    });

  addSourceOptions(
    program
      .command("diagnose")
      .description("The closed loop for one object: walk its dependencies up and down, show what was checked and ruled out, then the root cause and the fix.")
      .argument("<ref>", "[namespace/]kind/name, kind in kubectl spelling: shop/deploy/frontend, svc/payments -n shop, node/worker-1"),
  )
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", "\nExamples:\n  kubesleuth diagnose shop/ingress/storefront --snapshot examples/shop-cluster\n  kubesleuth diagnose deploy/checkout -n shop\n")
    .action(async (ref: string, opts: CommonOptions) => {
      debug = opts.debug === true;
      exitCode = await runDiagnose(io, ref, opts, ANALYZERS);
    });

  addSourceOptions(
    program
      .command("inspect")
      .description("What was loaded: kinds with counts, files skipped and why, coverage, the reference time.")
      .argument("[source...]", "snapshot paths"),
  )
    .addOption(outputOption(["text", "json"], "text"))
    .action(async (paths: string[], opts: CommonOptions) => {
      debug = opts.debug === true;
      await runInspect(io, paths, opts, ANALYZERS);
    });

  addEtcdOptions(
    program
      .command("snapshot")
      .description("Capture the live cluster into a kubesleuth archive for offline analysis. Read-only; Secret values are redacted.")
      .requiredOption("-o, --output <file>", "archive to write, e.g. cluster.tar.gz")
      .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
      .option("--context <name>", "kubeconfig context to use")
      .option("-n, --namespace <ns>", "only this namespace (default: all)")
      .option("--request-timeout <duration>", "give up on a single API request after this long, e.g. 5s, 1m (default 30s)")
      .option("--no-logs", "do not collect logs of unhealthy pods")
      .option("--node-diagnostics <file>", "carry a node-diagnostics file (kubesleuth node) in the archive; repeatable", (v: string, prev: string[] = []) => [...prev, v])
      .option("--progress", "print progress to stderr even when it is not a terminal")
      .option("--debug", "print stack traces on errors"),
  )
    .action(async (opts: SnapshotOptions & { debug?: boolean }) => {
      debug = opts.debug === true;
      await runSnapshot(io, opts, ANALYZERS);
    });

  const context: CommandContext = {
    io,
    setExitCode: (code) => {
      exitCode = code;
    },
    setDebug: (flag) => {
      debug = flag;
    },
  };
  for (const register of COMMAND_MODULES) register(program, context);

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return EXIT_OK;
      if (error.code === "commander.executeSubCommandAsync") return EXIT_ERROR;
      const message = error.message.replace(/^error: /, "");
      io.stderr(`kubesleuth: ${message}\n`);
      if (error.code === "commander.missingArgument" || error.code === "commander.unknownCommand" || error.code === "commander.unknownOption") {
        io.stderr("Run `kubesleuth --help` for usage.\n");
      }
      return EXIT_ERROR;
    }
    if (error instanceof UsageError || error instanceof SourceError) {
      io.stderr(`kubesleuth: ${error.message}\n`);
      if (error instanceof UsageError && error.hint) io.stderr(`hint: ${error.hint}\n`);
      if (debug && error.stack) io.stderr(`${error.stack}\n`);
      return EXIT_ERROR;
    }
    const e = error as Error;
    io.stderr(`kubesleuth: internal error: ${e?.message ?? String(error)}\n`);
    if (debug && e?.stack) io.stderr(`${e.stack}\n`);
    else io.stderr("Run again with --debug for the stack trace, and please report it.\n");
    return EXIT_ERROR;
  }
}
