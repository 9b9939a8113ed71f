// `kubesleuth helm history <release>` and `kubesleuth helm diff <release> [revA] [revB]`: Helm release
// history and revision diffs from the decoded, sanitized release storage (live or a snapshot).
import type { Command } from "commander";
import { diffRevisions } from "../../engines/helm-release/diff.js";
import { HELM_RELEASE_KIND, type HelmRelease, type HelmRevision } from "../../model/helm-release.js";
import { historyRows, renderDiffText, renderHistoryText } from "../../renderers/helm.js";
import { UsageError } from "../errors.js";
import { addSourceOptions, outputOption, type CommandContext, type CommonOptions } from "../options.js";
import { loadSource } from "../load-source.js";

const HELP = `
Reads Helm 3 release storage (Secrets sh.helm.release.v1.<release>.v<revision>, or ConfigMaps of the
configmap driver) from the live cluster (read-only: a list of release Secrets, no helm needed) or from a
snapshot (kubesleuth archive, kubectl get secrets -o yaml, dumps whose Secrets kept their data).
Without -n the release is looked up in every namespace (and must be unique).
Secret values never appear: rendered Secrets' data and secret-looking values (password, token, key,
cert, credentials ...) are shown as "<redacted by kubesleuth> #fingerprint"; equal fingerprints mean
equal values, so a changed secret is visible as a changed fingerprint.`;

const HISTORY_EXAMPLES = `
Examples:
  kubesleuth helm history shop-web -n shop
  kubesleuth helm history shop-web --snapshot cluster.tar.gz -o json
`;

const DIFF_EXAMPLES = `
Without revisions: the previous revision against the latest. With one: that revision against the latest.

Examples:
  kubesleuth helm diff shop-web -n shop            # previous -> latest
  kubesleuth helm diff shop-web 3 5 -n shop        # revision 3 -> revision 5
  kubesleuth helm diff shop-web --snapshot cluster.tar.gz -o json

Exit codes: 0 printed, 2 usage or source error (unknown release or revision).
`;

async function loadRelease(context: CommandContext, name: string, opts: CommonOptions): Promise<HelmRelease> {
  const source = await loadSource(context.io, [], opts, { kinds: [HELM_RELEASE_KIND], logs: false });
  const coverage = source.snapshot.coverage[HELM_RELEASE_KIND];
  const all = (source.snapshot.objects.get(HELM_RELEASE_KIND) ?? []) as HelmRelease[];
  const matches = all.filter((r) => r.metadata.name === name && (!opts.namespace || r.metadata.namespace === opts.namespace));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UsageError(`release "${name}" exists in several namespaces: ${matches.map((r) => r.metadata.namespace).join(", ")}`, "choose one with -n <namespace>");
  }
  const where = opts.namespace ? ` in namespace ${opts.namespace}` : "";
  const why = coverage && coverage.status !== "ok" ? ` (release storage ${coverage.status}: ${coverage.note ?? ""})` : !coverage ? " (the source holds no Helm release storage)" : "";
  const known = [...new Set(all.map((r) => `${r.metadata.namespace}/${r.metadata.name}`))].slice(0, 10);
  throw new UsageError(`Helm release "${name}" not found${where}${why}`, known.length ? `releases found: ${known.join(", ")}` : undefined);
}

function revisionArg(release: HelmRelease, text: string): HelmRevision {
  const n = Number(text);
  const found = Number.isInteger(n) ? release.revisions.find((r) => r.revision === n) : undefined;
  if (!found) throw new UsageError(`release ${release.metadata.name} has no revision "${text}"`, `revisions: ${release.revisions.map((r) => r.revision).join(", ")}`);
  return found;
}

/** revA/revB defaults: the previous stored revision and the latest. */
export function pickRevisions(release: HelmRelease, a?: string, b?: string): { from: HelmRevision; to: HelmRevision } {
  const sorted = [...release.revisions].sort((x, y) => x.revision - y.revision);
  const to = b !== undefined ? revisionArg(release, b) : sorted[sorted.length - 1]!;
  if (a !== undefined) return { from: revisionArg(release, a), to };
  const from = sorted.filter((r) => r.revision < to.revision).pop();
  if (!from) throw new UsageError(`release ${release.metadata.name} has only revision ${to.revision}: nothing to compare with`);
  return { from, to };
}

export function registerHelmCommands(program: Command, context: CommandContext): void {
  const helm = program.command("helm").description("Helm releases: history and revision diffs, from the release storage (no helm binary needed).").addHelpText("after", HELP);

  addSourceOptions(helm.command("history").description("Revisions of a release, like `helm history`.").argument("<release>", "release name"))
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", HISTORY_EXAMPLES)
    .action(async (name: string, opts: CommonOptions) => {
      context.setDebug(opts.debug === true);
      const release = await loadRelease(context, name, opts);
      context.io.stdout(opts.output === "json" ? `${JSON.stringify(historyRows(release), null, 2)}\n` : renderHistoryText(release));
    });

  addSourceOptions(
    helm
      .command("diff")
      .description("What changed between two revisions: resources added, removed, changed (field paths, old → new), values, chart version.")
      .argument("<release>", "release name")
      .argument("[revA]", "older revision (default: the one before revB)")
      .argument("[revB]", "newer revision (default: the latest)"),
  )
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", DIFF_EXAMPLES)
    .action(async (name: string, a: string | undefined, b: string | undefined, opts: CommonOptions) => {
      context.setDebug(opts.debug === true);
      const release = await loadRelease(context, name, opts);
      const { from, to } = pickRevisions(release, a, b);
      const diff = diffRevisions(release, from, to);
      context.io.stdout(opts.output === "json" ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffText(diff));
    });
}
