// Checks that a parsed JSON value is a node-diagnostics document this kubesleuth reads.
import { NODE_DIAGNOSTICS_FORMAT, NODE_DIAGNOSTICS_VERSION, type NodeDiagnostics } from "../../model/node-diagnostics.js";

const SECTIONS = ["services", "journal", "memory", "kernel", "conntrack", "sysctls", "staticPods", "certificates"] as const;

/** Whether a top-level JSON object says it is a node-diagnostics file. */
export function isNodeDiagnostics(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { format?: unknown }).format === NODE_DIAGNOSTICS_FORMAT;
}

/** Returns the document, or throws an Error naming the first field that is wrong. */
export function validateNodeDiagnostics(value: Record<string, unknown>): NodeDiagnostics {
  if (value.formatVersion !== NODE_DIAGNOSTICS_VERSION) {
    throw new Error(`node-diagnostics formatVersion ${JSON.stringify(value.formatVersion)} is not supported (this kubesleuth reads formatVersion ${NODE_DIAGNOSTICS_VERSION})`);
  }
  if (typeof value.node !== "string" || value.node === "") throw new Error("node-diagnostics: node: expected the node name");
  if (!Array.isArray(value.directories)) throw new Error("node-diagnostics: directories: expected a list");
  for (const key of SECTIONS) {
    const section = value[key] as { available?: unknown } | undefined;
    if (typeof section !== "object" || section === null || typeof section.available !== "boolean") {
      throw new Error(`node-diagnostics: ${key}: expected an object with "available"`);
    }
  }
  return value as unknown as NodeDiagnostics;
}
