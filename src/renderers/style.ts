// Terminal styling for the text renderer: ANSI colour only when asked for (a TTY without NO_COLOR).
import type { Severity } from "../model/finding.js";

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  severity(severity: Severity, s: string): string;
  ok(s: string): string;
}

const codes: Record<Severity, string> = { critical: "1;35", error: "31", warning: "33", info: "36" };
const wrap = (code: string, s: string): string => `\u001b[${code}m${s}\u001b[0m`;

export const COLOR_STYLE: Style = {
  bold: (s) => wrap("1", s),
  dim: (s) => wrap("2", s),
  severity: (sev, s) => wrap(codes[sev], s),
  ok: (s) => wrap("32", s),
};

export const PLAIN_STYLE: Style = {
  bold: (s) => s,
  dim: (s) => s,
  severity: (_sev, s) => s,
  ok: (s) => s,
};
