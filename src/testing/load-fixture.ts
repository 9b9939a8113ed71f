// Loads kubectl-shaped YAML (multi-document, v1 Lists, and fixture-only PodLog documents) into a Snapshot for tests.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { ControlPlaneData } from "../model/control-plane.js";
import type { Snapshot } from "../model/snapshot.js";
import type { VolumeStatsData } from "../model/volume-stats.js";
import { createSnapshotBuilder } from "../sources/snapshot-builder.js";
import { isNodeDiagnostics, validateNodeDiagnostics } from "../sources/node/read-node-diagnostics.js";

/** The fixture document that stands for what the live source reads of the API server itself (snapshot.controlPlane). */
export const CONTROL_PLANE_FIXTURE_KIND = "KubesleuthControlPlane";

/** The fixture document that stands for the kubelets' pod volume stats (snapshot.volumeStats): volumes, nodesRead. */
export const VOLUME_STATS_FIXTURE_KIND = "KubesleuthVolumeStats";

/** The fixture document that stands for a container's log tail: namespace, pod, container, previous, text. */
export const POD_LOG_FIXTURE_KIND = "KubesleuthPodLog";

/**
 * Parses YAML text into a snapshot. Throws on a YAML error or a document that is not a Kubernetes object.
 * A document `kind: KubesleuthControlPlane` holds `health`, `version`, `metrics` (ControlPlaneData);
 * `kind: KubesleuthPodLog` a log tail (PodLog); node-diagnostics documents (`kubesleuth node` output) too.
 */
export function snapshotFromYaml(text: string, location = "<inline>"): Snapshot {
  const builder = createSnapshotBuilder({ kind: "snapshot", locations: [location] });
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${location}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if ((value as { kind?: unknown }).kind === CONTROL_PLANE_FIXTURE_KIND) {
      const { kind: _kind, apiVersion: _apiVersion, ...data } = value as Record<string, unknown>;
      builder.setControlPlane(data as unknown as ControlPlaneData);
      continue;
    }
    if ((value as { kind?: unknown }).kind === VOLUME_STATS_FIXTURE_KIND) {
      const { kind: _kind, apiVersion: _apiVersion, ...data } = value as Record<string, unknown>;
      builder.setVolumeStats(data as unknown as VolumeStatsData);
      continue;
    }
    if ((value as { kind?: unknown }).kind === POD_LOG_FIXTURE_KIND) {
      const log = value as { namespace: string; pod: string; container: string; previous?: boolean; text: string };
      builder.addLog({ namespace: log.namespace, pod: log.pod, container: log.container, previous: log.previous === true, text: log.text, origin: location });
      continue;
    }
    if (isNodeDiagnostics(value)) {
      builder.addNodeDiagnostics(validateNodeDiagnostics(value as Record<string, unknown>));
      continue;
    }
    const items = isList(value) ? value.items : [value];
    for (const item of items) {
      if (isPodLog(item)) {
        builder.addLog({ namespace: item.namespace, pod: item.pod, container: item.container, previous: item.previous ?? false, text: item.text, origin: location });
        continue;
      }
      if (!builder.add(item)) throw new Error(`${location}: document is not a Kubernetes object: ${JSON.stringify(item).slice(0, 80)}`);
    }
  }
  return builder.build();
}

/**
 * A container log in a fixture: `{ kind: PodLog, namespace, pod, container, previous?, text }` (a
 * fixture-only document; live and snapshot sources read logs from the API or from dump files).
 */
interface FixturePodLog { kind: "PodLog"; namespace: string; pod: string; container: string; previous?: boolean; text: string }

function isPodLog(value: unknown): value is FixturePodLog {
  const v = value as Partial<FixturePodLog>;
  return v?.kind === "PodLog" && typeof v.namespace === "string" && typeof v.pod === "string" && typeof v.container === "string" && typeof v.text === "string";
}

function isList(value: unknown): value is { items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown };
  return typeof v.kind === "string" && v.kind.endsWith("List") && Array.isArray(v.items);
}

/** Reads a fixture file into a snapshot. */
export function loadFixture(path: string | URL): Snapshot {
  return snapshotFromYaml(readFileSync(path, "utf8"), String(path));
}
