// Short, single-line rendering of evidence values for text and markdown output.
import type { Evidence } from "../model/finding.js";
import { formatRef } from "../model/ref.js";

export function formatValue(value: unknown, max = 160): string {
  if (value === undefined) return "";
  const s = typeof value === "string" ? value : JSON.stringify(value);
  const oneLine = s.replace(/\s*\n\s*/g, " ⏎ ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export function formatEvidence(e: Evidence): string {
  const where = [e.ref ? formatRef(e.ref) : undefined, e.path].filter(Boolean).join(" ");
  if (!where) return [e.note, e.value === undefined ? undefined : formatValue(e.value)].filter(Boolean).join(": ");
  const value = e.value === undefined ? "" : ` = ${formatValue(e.value)}`;
  const note = e.note ? ` (${e.note})` : "";
  return `${where}${value}${note}`;
}
