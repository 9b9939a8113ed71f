// `kubesleuth audit <audit.log...>`: Kubernetes audit logs streamed line by line (plain or gzipped,
// several files), 403s explained by the RBAC engine, load, unlimited LISTs, watch storms, 429s/5xx.
import { Command } from "commander";
import { RBAC_KINDS, type RbacIndex } from "../../engines/rbac/index.js";
import { rbacIndexOfSnapshot } from "./rbac.js";
import { AuditAggregator, DEFAULT_AUDIT_THRESHOLDS, type AuditReport } from "../../run/audit.js";
import { renderAuditGrantsYaml, renderAuditText } from "../../renderers/audit.js";
import { readAuditFile, type MalformedLine } from "../../sources/audit/read-audit-log.js";
import { EXIT_OK, UsageError } from "../errors.js";
import { endProgress, loadSource, progressReporter } from "../load-source.js";
import { outputOption, type CommandContext } from "../options.js";

const KEEP_MALFORMED = 10;

interface AuditFlags {
  snapshot?: string[];
  live?: boolean;
  kubeconfig?: string;
  context?: string;
  requestTimeout?: string;
  output: string;
  expandVerbs?: boolean;
  user?: string;
  serviceaccount?: string;
  top?: string;
  watchStorm?: string;
  debug?: boolean;
  progress?: boolean;
}

const HELP = `
Reads audit.k8s.io/v1 Event JSON lines as the API server's log backend writes them (--audit-log-path),
one line at a time: plain or gzip files (rotated logs, detected by content), several at once. Each
request is counted once (its stages share an auditID; ResponseComplete or Panic is used). Malformed
lines are counted and skipped; a file that is not an audit log is reported in one line.

403s are grouped by subject (the impersonated user for kubectl --as) and action, and explained:
  - authorization.k8s.io/decision "allow": the 403 came after authorization (admission, e.g. PodSecurity);
  - with --snapshot (or --live): the RBAC engine's verdict, the nearest rules, and the smallest
    Role+RoleBinding that grants the request, verified by re-evaluating RBAC with it;
  - without: the same grant built from the request alone, marked unverified.
-o yaml prints only the suggested grants (one Role+RoleBinding per subject and namespace) for kubectl apply.

Load: top users and user agents by requests and by latency (stageTimestamp - requestReceivedTimestamp
of ResponseComplete events, p50/p99/max; long-running watch/proxy/exec/attach/log/portforward excluded).
LISTs without limit (limit absent or 0 in the requestURI; item counts known at RequestResponse level).
Watch storm: at least 10 watch requests of one resource by one client (user + user agent) within 60 s
(client-go informers re-watch every 5-10 minutes per resource); change with --watch-storm 10/60s.
429s and 5xx per minute; the time window and request rate.

Examples:
  kubesleuth audit /var/log/kubernetes/audit.log
  kubesleuth audit audit.log audit-2026-11-27T10-00-00.000.log.gz --snapshot cluster.tar.gz
  kubesleuth audit audit.log --live --context prod -o json
  kubesleuth audit audit.log --snapshot rbac.yaml --serviceaccount shop:api -o yaml | kubectl apply -f -
  kubesleuth audit audit.log --user alice --expand-verbs -o yaml     # audit2rbac-style Role for alice
`;

async function loadRbac(ctx: CommandContext, flags: AuditFlags): Promise<{ index: RbacIndex; source: string } | undefined> {
  if (!flags.snapshot?.length && !flags.live) return undefined;
  if (flags.snapshot?.length && flags.live) throw new UsageError("--snapshot and --live cannot be used together");
  const loaded = await loadSource(
    ctx.io,
    [],
    { snapshot: flags.snapshot, kubeconfig: flags.kubeconfig, context: flags.context, requestTimeout: flags.requestTimeout, progress: flags.progress },
    { kinds: RBAC_KINDS, logs: false },
  );
  const index = rbacIndexOfSnapshot(loaded.snapshot);
  return { index, source: loaded.live ? "the live cluster" : loaded.snapshot.source.locations.join(", ") };
}

function parseWatchStorm(text: string | undefined): { watchStormCount: number; watchStormWindowSeconds: number } {
  if (text === undefined) return { watchStormCount: DEFAULT_AUDIT_THRESHOLDS.watchStormCount, watchStormWindowSeconds: DEFAULT_AUDIT_THRESHOLDS.watchStormWindowSeconds };
  const m = /^(\d+)\/(\d+)s?$/.exec(text.trim());
  if (!m || Number(m[1]) < 2 || Number(m[2]) < 1) throw new UsageError(`--watch-storm "${text}": expected <count>/<seconds>`, "e.g. --watch-storm 10/60s");
  return { watchStormCount: Number(m[1]), watchStormWindowSeconds: Number(m[2]) };
}

async function runAudit(ctx: CommandContext, files: string[], flags: AuditFlags): Promise<number> {
  const { io } = ctx;
  if (files.length === 0) throw new UsageError("give at least one audit log file", "e.g. kubesleuth audit /var/log/kubernetes/audit.log");
  const top = flags.top === undefined ? DEFAULT_AUDIT_THRESHOLDS.top : Number(flags.top);
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top "${flags.top}" must be a positive integer`);
  if (flags.user !== undefined && flags.serviceaccount !== undefined) throw new UsageError("--user and --serviceaccount cannot be used together");
  let user = flags.user;
  if (flags.serviceaccount !== undefined) {
    const m = /^([^:/]+)[:/]([^:/]+)$/.exec(flags.serviceaccount);
    if (!m) throw new UsageError(`--serviceaccount "${flags.serviceaccount}": expected <namespace>:<name>`, "e.g. --serviceaccount shop:api");
    user = `system:serviceaccount:${m[1]}:${m[2]}`;
  }
  const aggregator = new AuditAggregator({ top, ...parseWatchStorm(flags.watchStorm) });
  // RBAC first: a bad --snapshot fails before minutes of reading.
  const rbac = await loadRbac(ctx, flags);
  const malformed: MalformedLine[] = [];
  let malformedCount = 0;
  const summaries: AuditReport["files"] = [];
  const warnings: string[] = [];
  const progress = progressReporter(io, flags.progress);
  let seen = 0;
  for (const file of files) {
    progress?.(`reading ${file}`);
    const summary = await readAuditFile(file, {
      onEvent: (event, location) => {
        aggregator.add(event, location);
        if (progress && ++seen % 200_000 === 0) progress(`reading ${file}: ${seen} events`);
      },
      onMalformed: (line) => {
        malformedCount++;
        if (malformed.length < KEEP_MALFORMED) malformed.push(line);
      },
    });
    if (summary.notAuditLog) {
      // The file's lines are not counted as malformed lines of an audit log.
      malformedCount -= summary.malformed;
      malformed.splice(0, malformed.length, ...malformed.filter((m) => m.file !== file));
      warnings.push(`${file}: ${summary.notAuditLog}`);
    }
    const { bytes: _bytes, textBytes: _textBytes, ...rest } = summary;
    void _bytes;
    void _textBytes;
    summaries.push(rest.notAuditLog ? { ...rest, malformed: 0 } : rest);
  }
  if (summaries.every((s) => s.events === 0)) {
    const bad = summaries.filter((s) => s.notAuditLog);
    throw new UsageError(
      bad.length === summaries.length && bad.length === 1 ? `${bad[0]!.file}: ${bad[0]!.notAuditLog}` : `no audit events in ${files.join(", ")}`,
      "kubesleuth audit reads the API server's audit log backend output (--audit-log-path, JSON lines of audit.k8s.io/v1 Event)",
    );
  }
  endProgress(io, progress);
  for (const w of warnings) io.stderr(`Warning: ${w}\n`);
  const report: AuditReport = {
    files: summaries,
    malformed: { count: malformedCount, first: malformed },
    ...aggregator.finish({ ...(rbac ? { index: rbac.index, indexSource: rbac.source } : {}), expandVerbs: flags.expandVerbs === true, ...(user !== undefined ? { user } : {}) }),
  };
  if (flags.output === "json") io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (flags.output === "yaml") io.stdout(renderAuditGrantsYaml(report));
  else io.stdout(renderAuditText(report));
  return EXIT_OK;
}

export function registerAuditCommand(program: Command, context: CommandContext): void {
  program
    .command("audit")
    .description("Read Kubernetes audit logs: 403s explained with the minimal fix, top users and user agents, unlimited LISTs, watch storms, 429s and 5xx.")
    .argument("[file...]", "audit log files (JSON lines; .gz and rotated files welcome)")
    .option("--snapshot <path>", "explain 403s with the RBAC objects of a snapshot (file, directory or archive); repeatable", (v: string, prev: string[] = []) => [...prev, v])
    .option("--live", "explain 403s with the RBAC objects of the live cluster (kubeconfig)")
    .option("--kubeconfig <file>", "with --live: kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "with --live: kubeconfig context to use")
    .option("--request-timeout <duration>", "with --live: give up on a single API request after this long (default 30s)")
    .option("--user <name>", "only the 403s of this user (the impersonated user for kubectl --as), as audit2rbac --user")
    .option("--serviceaccount <namespace:name>", "only the 403s of this service account (system:serviceaccount:<namespace>:<name>)")
    .option("--expand-verbs", "in the per-subject grants, add the verbs audit2rbac adds (list -> get, watch; update -> get, patch; ...)")
    .option("--top <n>", "rows in the top-N tables (default 10)")
    .option("--watch-storm <count/seconds>", "watch storm threshold (default 10/60s)")
    .option("--progress", "print progress to stderr even when it is not a terminal")
    .option("--debug", "print stack traces on errors")
    .addOption(outputOption(["text", "json", "yaml"], "text"))
    .addHelpText("after", HELP)
    .action(async (files: string[], flags: AuditFlags) => {
      context.setDebug(flags.debug === true);
      context.setExitCode(await runAudit(context, files, flags));
    });
}
