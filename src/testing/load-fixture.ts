// Loads kubectl-shaped YAML (multi-document, v1 Lists) into a Snapshot for tests.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { Snapshot } from "../model/snapshot.js";
import { createSnapshotBuilder } from "../sources/snapshot-builder.js";
import { isNodeDiagnostics, validateNodeDiagnostics } from "../sources/node/read-node-diagnostics.js";

/** Parses YAML text into a snapshot (node-diagnostics documents included). Throws on a YAML error or a document that is not a Kubernetes object. */
export function snapshotFromYaml(text: string, location = "<inline>"): Snapshot {
  const builder = createSnapshotBuilder({ kind: "snapshot", locations: [location] });
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${location}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (isNodeDiagnostics(value)) {
      builder.addNodeDiagnostics(validateNodeDiagnostics(value as Record<string, unknown>));
      continue;
    }
    const items = isList(value) ? value.items : [value];
    for (const item of items) {
      if (!builder.add(item)) throw new Error(`${location}: document is not a Kubernetes object: ${JSON.stringify(item).slice(0, 80)}`);
    }
  }
  return builder.build();
}

function isList(value: unknown): value is { items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown };
  return typeof v.kind === "string" && v.kind.endsWith("List") && Array.isArray(v.items);
}

/** Reads a fixture file into a snapshot. */
export function loadFixture(path: string | URL): Snapshot {
  return snapshotFromYaml(readFileSync(path, "utf8"), String(path));
}
