// The kinds (and logs) a set of analyzers needs: what the live source fetches.
import type { Analyzer } from "../../analyzers/define.js";

/** Kinds every scan loads besides the analyzers' needs: events explain everything, namespaces scope it. */
const ALWAYS = ["Event", "Namespace"];

export function needsOf(analyzers: readonly Analyzer[]): { kinds: string[]; logs: boolean; controlPlane: boolean; volumeStats: boolean } {
  const kinds = new Set<string>(ALWAYS);
  for (const a of analyzers) for (const k of a.needs) kinds.add(k);
  return { kinds: [...kinds].sort(), logs: analyzers.some((a) => a.needsLogs === true), controlPlane: analyzers.some((a) => a.needsControlPlane === true), volumeStats: analyzers.some((a) => a.needsVolumeStats === true) };
}
