// Whether tolerations tolerate taints (k8s.io/api core/v1 Toleration.ToleratesTaint, component-helpers FindMatchingUntoleratedTaint).
import type { Taint, Toleration } from "../model/kube.js";
import { parseInt64 } from "./labels.js";

/** Options shared by the toleration checks. */
export interface TolerationOptions {
  /**
   * The TaintTolerationComparisonOperators feature gate (alpha in v1.35): with it off, Gt/Lt
   * tolerations tolerate nothing. Defaults to on, because the API server only admits Gt/Lt
   * tolerations when the gate is on, so a pod that carries one comes from such a cluster.
   */
  comparisonOperators?: boolean;
}

/** A toleration verdict, with the reason a Gt/Lt comparison could not be made. */
export interface TolerationVerdict {
  tolerated: boolean;
  error?: string;
}

const DECIMAL_INTEGER_ERROR = "must be a valid decimal integer in canonical form";

// content.IsDecimalInteger: "0" or an optional "-" then 1-9 then digits — no "+", no leading zeros.
function decimalIntegerErrors(value: string): string[] {
  if (value.length === 0) return ["must be non-empty"];
  return /^(0|-?[1-9][0-9]*)$/.test(value) ? [] : [DECIMAL_INTEGER_ERROR];
}

/**
 * compareNumericValues for Gt/Lt tolerations: both values must be canonical decimal integers
 * that fit int64; Gt tolerates a taint value greater than the toleration's, Lt one less.
 */
export function compareTolerationValues(tolerationValue: string, taintValue: string, operator: string): TolerationVerdict {
  for (const [what, value] of [
    ["toleration", tolerationValue],
    ["taint", taintValue],
  ] as const) {
    const errors = decimalIntegerErrors(value);
    if (errors.length) return { tolerated: false, error: `failed to parse ${what} value ${JSON.stringify(value)} as int64: ${errors.join(",")}` };
    if (parseInt64(value) === undefined) return { tolerated: false, error: `failed to parse ${what} value ${JSON.stringify(value)} as int64: value out of range` };
  }
  const tolerationNumber = parseInt64(tolerationValue) as bigint;
  const taintNumber = parseInt64(taintValue) as bigint;
  if (operator === "Lt") return { tolerated: taintNumber < tolerationNumber };
  if (operator === "Gt") return { tolerated: taintNumber > tolerationNumber };
  return { tolerated: false };
}

/**
 * Toleration.ToleratesTaint with its reason: an empty effect matches every effect; an empty key
 * (with Exists) matches every key; operator "" or Equal compares values, Exists ignores them,
 * Gt/Lt compare them as integers; any other operator tolerates nothing.
 */
export function evaluateToleration(toleration: Toleration, taint: Taint, options: TolerationOptions = {}): TolerationVerdict {
  if (toleration.effect && toleration.effect !== taint.effect) return { tolerated: false };
  if (toleration.key && toleration.key !== taint.key) return { tolerated: false };
  switch (toleration.operator ?? "") {
    // "empty operator means Equal"; a missing value is the empty string on both sides.
    case "":
    case "Equal":
      return { tolerated: (toleration.value ?? "") === (taint.value ?? "") };
    case "Exists":
      return { tolerated: true };
    case "Lt":
    case "Gt":
      if (options.comparisonOperators === false) return { tolerated: false };
      return compareTolerationValues(toleration.value ?? "", taint.value ?? "", toleration.operator as string);
    default:
      return { tolerated: false };
  }
}

/** Toleration.ToleratesTaint: whether this one toleration tolerates the taint. */
export function toleratesTaint(toleration: Toleration, taint: Taint, options: TolerationOptions = {}): boolean {
  return evaluateToleration(toleration, taint, options).tolerated;
}

/** TolerationsTolerateTaint: whether any of the tolerations tolerates the taint. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint, options: TolerationOptions = {}): boolean {
  return (tolerations ?? []).some((toleration) => toleratesTaint(toleration, taint, options));
}

/** The taints a filter considers: a list of effects, or a predicate. */
export type TaintFilter = readonly string[] | ((taint: Taint) => boolean);

/** The effects the scheduler's TaintToleration filter considers (PreferNoSchedule only scores). */
export const SCHEDULING_TAINT_EFFECTS: readonly string[] = ["NoSchedule", "NoExecute"];

/**
 * FindMatchingUntoleratedTaint: the first taint (in node order) that passes the filter and that
 * no toleration tolerates, or undefined when all are tolerated. Without a filter every taint
 * counts; pass SCHEDULING_TAINT_EFFECTS for the scheduler's view, ["NoExecute"] for eviction.
 */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter?: TaintFilter,
  options: TolerationOptions = {},
): Taint | undefined {
  const included = filter === undefined ? () => true : typeof filter === "function" ? filter : (taint: Taint) => filter.includes(taint.effect);
  return (taints ?? []).find((taint) => included(taint) && !tolerationsTolerateTaint(tolerations, taint, options));
}

/** Taint.MatchTaint: same key and same effect (the value is ignored). */
export function matchesTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

/** Taint.ToString: `key=value:effect`, `key:effect`, `key=value:` or `key`, as kubectl shows taints. */
export function formatTaint(taint: Pick<Taint, "key" | "value"> & { effect?: string }): string {
  const value = taint.value ?? "";
  const effect = taint.effect ?? "";
  if (!effect) return value ? `${taint.key}=${value}:` : taint.key;
  return value ? `${taint.key}=${value}:${effect}` : `${taint.key}:${effect}`;
}
