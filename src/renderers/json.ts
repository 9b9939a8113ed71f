// The JSON report: the public contract, schema/report.schema.json.
import type { Report } from "../model/finding.js";

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + "\n";
}
