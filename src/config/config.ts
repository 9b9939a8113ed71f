// The config file (.kubesleuth.yaml or --config): pure parse -> normalize -> validate, every error with its dot path.
import { parse } from "yaml";
import { SEVERITIES, type Severity } from "../model/finding.js";
import type { Suppression } from "../run/run-analyzers.js";

export interface Config {
  failOn?: Severity;
  only: string[];
  skip: string[];
  suppressions: Suppression[];
}

export interface ConfigError {
  path: string;
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: ConfigError[] };

const TOP_LEVEL = new Set(["failOn", "only", "skip", "suppressions"]);
const SUPPRESSION_KEYS = new Set(["code", "namespace", "name", "severity", "reason"]);
const CODE = /^[a-z0-9]+(-[a-z0-9]+)*-?(\/[A-Za-z0-9]*)?\*?$/;

function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

/** Validates an already-parsed config value; reports every problem, not just the first. */
export function validateConfig(value: unknown): ConfigResult {
  const errors: ConfigError[] = [];
  const config: Config = { only: [], skip: [], suppressions: [] };
  if (value === null || value === undefined) return { ok: true, config };
  if (typeof value !== "object" || Array.isArray(value)) return { ok: false, errors: [{ path: "", message: "must be a mapping" }] };
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) if (!TOP_LEVEL.has(key)) errors.push({ path: key, message: `unknown key (expected one of ${[...TOP_LEVEL].join(", ")})` });
  if (v.failOn !== undefined) {
    if (isSeverity(v.failOn)) config.failOn = v.failOn;
    else errors.push({ path: "failOn", message: `must be one of ${SEVERITIES.join(", ")}` });
  }
  for (const listKey of ["only", "skip"] as const) {
    const list = v[listKey];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errors.push({ path: listKey, message: "must be a list of finding codes or analyzer ids" });
      continue;
    }
    list.forEach((item, i) => {
      if (typeof item === "string" && CODE.test(item)) config[listKey].push(item);
      else errors.push({ path: `${listKey}[${i}]`, message: "must be a finding code (analyzer-id/messageId), an analyzer id, or a prefix ending in *" });
    });
  }
  if (v.suppressions !== undefined) {
    if (!Array.isArray(v.suppressions)) errors.push({ path: "suppressions", message: "must be a list" });
    else
      v.suppressions.forEach((item, i) => {
        const path = `suppressions[${i}]`;
        if (typeof item !== "object" || item === null || Array.isArray(item)) {
          errors.push({ path, message: "must be a mapping with at least `code`" });
          return;
        }
        const s = item as Record<string, unknown>;
        for (const key of Object.keys(s)) if (!SUPPRESSION_KEYS.has(key)) errors.push({ path: `${path}.${key}`, message: "unknown key" });
        const suppression: Suppression = { code: "" };
        if (typeof s.code === "string" && CODE.test(s.code)) suppression.code = s.code;
        else errors.push({ path: `${path}.code`, message: "required: a finding code, analyzer id, or prefix ending in *" });
        for (const field of ["namespace", "name"] as const) {
          if (s[field] === undefined) continue;
          if (typeof s[field] === "string") suppression[field] = s[field];
          else errors.push({ path: `${path}.${field}`, message: "must be a string" });
        }
        if (s.severity !== undefined) {
          if (isSeverity(s.severity)) suppression.severity = s.severity;
          else errors.push({ path: `${path}.severity`, message: `must be one of ${SEVERITIES.join(", ")}` });
        }
        config.suppressions.push(suppression);
      });
  }
  return errors.length ? { ok: false, errors } : { ok: true, config };
}

/** Parses YAML config text. YAML syntax errors are reported with line:column. */
export function parseConfig(text: string): ConfigResult {
  let value: unknown;
  try {
    value = parse(text, { prettyErrors: true });
  } catch (error) {
    const e = error as { message?: string; linePos?: { line: number; col: number }[] };
    const pos = e.linePos?.[0];
    return { ok: false, errors: [{ path: pos ? `${pos.line}:${pos.col}` : "", message: (e.message ?? String(error)).split("\n")[0]! }] };
  }
  return validateConfig(value);
}
