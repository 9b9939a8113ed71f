// Label selectors and label syntax as Kubernetes evaluates them (k8s.io/apimachinery/pkg/labels,
// pkg/util/validation, metav1.LabelSelectorAsSelector and metav1 validation.ValidateLabelSelector).
import type { LabelSelector, LabelSelectorRequirement } from "../model/kube.js";

type Labels = Readonly<Record<string, string>> | undefined;

function hasLabel(labels: Labels, key: string): labels is Readonly<Record<string, string>> {
  return labels !== undefined && labels !== null && Object.prototype.hasOwnProperty.call(labels, key);
}

/**
 * Whether a metav1.LabelSelector matches the labels. An empty selector ({}) matches everything;
 * a missing (null) selector matches nothing — callers decide which applies (NetworkPolicy's
 * podSelector {} selects all pods; a Deployment without a selector is invalid).
 */
export function matchesSelector(selector: LabelSelector | null | undefined, labels: Labels): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!hasLabel(labels, key) || labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    if (!matchesRequirement(requirement, labels)) return false;
  }
  return true;
}

/** One matchExpressions requirement. Unknown operators match nothing (the API server rejects them). */
export function matchesRequirement(requirement: LabelSelectorRequirement, labels: Labels): boolean {
  const has = hasLabel(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return has && values.includes(value as string);
    case "NotIn":
      // labels.Requirement.Matches: NotIn matches when the key is absent too.
      return !has || !values.includes(value as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      return false;
  }
}

/**
 * A Service's (or ReplicationController's) map selector. An empty or missing map selects nothing
 * for a Service: the endpoints controller skips Services without a selector.
 */
export function matchesServiceSelector(selector: Readonly<Record<string, string>> | undefined, labels: Labels): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  for (const [key, value] of Object.entries(selector)) {
    if (!hasLabel(labels, key) || labels[key] !== value) return false;
  }
  return true;
}

// ---------------------------------------------------------------- label syntax (pkg/util/validation)

const QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MAX = 63;
const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MAX = 253;

const utf8 = new TextEncoder();
// Go's len() counts bytes, not UTF-16 units.
function byteLength(value: string): number {
  return utf8.encode(value).length;
}

// validation.RegexError
function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${format}')`;
}

function maxLengthError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** validation.IsDNS1123Subdomain: the error messages, empty when valid (≤253 bytes, lowercase RFC 1123). */
export function validateDns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errors.push(maxLengthError(DNS1123_SUBDOMAIN_MAX));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errors.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return errors;
}

/**
 * validation.IsQualifiedName, the syntax of a label key: `[prefix/]name`, prefix a DNS subdomain
 * (≤253), name ≤63 matching `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`. Returns the error
 * messages as upstream words them; empty when valid.
 */
export function validateQualifiedName(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0] as string;
  } else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) errors.push("prefix part must be non-empty");
    else errors.push(...validateDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    // More than one '/': upstream returns this single error and stops.
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errors.push("name part must be non-empty");
  else if (byteLength(name) > QUALIFIED_NAME_MAX) errors.push(`name part ${maxLengthError(QUALIFIED_NAME_MAX)}`);
  // Upstream also reports the regex error for an empty name.
  if (!QUALIFIED_NAME_RE.test(name)) errors.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}`);
  return errors;
}

/** validation.IsValidLabelValue: empty, or ≤63 bytes matching `(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?`. */
export function validateLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX) errors.push(maxLengthError(LABEL_VALUE_MAX));
  if (!LABEL_VALUE_RE.test(value)) errors.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errors;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * strconv.ParseInt(s, 10, 64): an optional sign, decimal digits (leading zeros allowed), in int64
 * range; undefined otherwise. This is how label Gt/Lt requirements read numbers.
 */
export function parseInt64(value: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed < INT64_MIN || parsed > INT64_MAX ? undefined : parsed;
}

// ---------------------------------------------------------------- metav1 selector validation

/** A validation error with the field path it applies to (`matchExpressions[0].values`). */
export interface LabelFieldError {
  path: string;
  message: string;
}

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/**
 * metav1 validation.ValidateLabelSelector: every error the API server would report for this
 * selector — invalid operator, values given for Exists/DoesNotExist, no values for In/NotIn,
 * invalid keys and values. `path` prefixes the field paths (e.g. "spec.selector").
 */
export function validateLabelSelector(
  selector: LabelSelector | null | undefined,
  options: { path?: string; allowInvalidLabelValues?: boolean } = {},
): LabelFieldError[] {
  const errors: LabelFieldError[] = [];
  if (!selector) return errors;
  const base = options.path ?? "";
  const labelsPath = child(base, "matchLabels");
  // ValidateLabels: key errors at matchLabels, value errors at matchLabels[key].
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    for (const message of validateQualifiedName(key)) errors.push({ path: labelsPath, message });
    for (const message of validateLabelValue(value)) errors.push({ path: `${labelsPath}[${key}]`, message });
  }
  (selector.matchExpressions ?? []).forEach((requirement, index) => {
    const path = `${child(base, "matchExpressions")}[${index}]`;
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) errors.push({ path: `${path}.values`, message: "must be specified when `operator` is 'In' or 'NotIn'" });
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) errors.push({ path: `${path}.values`, message: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
        break;
      default:
        errors.push({ path: `${path}.operator`, message: `Invalid value: "${requirement.operator}": not a valid selector operator` });
    }
    for (const message of validateQualifiedName(requirement.key)) errors.push({ path: `${path}.key`, message });
    if (!options.allowInvalidLabelValues) {
      values.forEach((value, valueIndex) => {
        for (const message of validateLabelValue(value)) errors.push({ path: `${path}.values[${valueIndex}]`, message });
      });
    }
  });
  return errors;
}

// ---------------------------------------------------------------- labels.Requirement

/** selection.Operator as labels.Requirement knows it (the strings upstream uses). */
export type SelectorOperator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

/** A labels.Requirement: the unit of the string selector syntax and of node affinity expressions. */
export interface SelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: readonly string[];
}

const SELECTOR_OPERATORS: readonly string[] = ["in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"];

/**
 * labels.NewRequirement: builds the requirement and returns every rule it breaks (invalid key,
 * wrong number of values for the operator, non-integer Gt/Lt value, invalid label values, unknown
 * operator). A requirement with errors must not be used for matching.
 */
export function newRequirement(
  key: string,
  operator: string,
  values: readonly string[],
  path = "",
): { requirement: SelectorRequirement; errors: LabelFieldError[] } {
  const errors: LabelFieldError[] = [];
  const keyErrors = validateQualifiedName(key);
  if (keyErrors.length) errors.push({ path: child(path, "key"), message: `Invalid value: ${JSON.stringify(key)}: ${keyErrors.join("; ")}` });
  const valuesPath = child(path, "values");
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) errors.push({ path: valuesPath, message: "for 'in', 'notin' operators, values set can't be empty" });
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) errors.push({ path: valuesPath, message: "exact-match compatibility requires one single value" });
      break;
    case "exists":
    case "!":
      if (values.length !== 0) errors.push({ path: valuesPath, message: "values set must be empty for exists and does not exist" });
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) errors.push({ path: valuesPath, message: "for 'Gt', 'Lt' operators, exactly one value is required" });
      values.forEach((value, i) => {
        if (parseInt64(value) === undefined) {
          errors.push({ path: `${valuesPath}[${i}]`, message: `Invalid value: ${JSON.stringify(value)}: for 'Gt', 'Lt' operators, the value must be an integer` });
        }
      });
      break;
    default:
      errors.push({ path: child(path, "operator"), message: `Unsupported value: ${JSON.stringify(operator)}: supported values: ${SELECTOR_OPERATORS.map((o) => JSON.stringify(o)).join(", ")}` });
  }
  values.forEach((value, i) => {
    const valueErrors = validateLabelValue(value);
    if (valueErrors.length) errors.push({ path: `${valuesPath}[${i}]`, message: `Invalid value: ${JSON.stringify(value)}: ${valueErrors.join("; ")}` });
  });
  return { requirement: { key, operator: operator as SelectorOperator, values: [...values] }, errors };
}

/** labels.Requirement.Matches. NotIn and != match an absent key; Gt/Lt compare int64 values. */
export function matchesLabelRequirement(requirement: SelectorRequirement, labels: Labels): boolean {
  const has = hasLabel(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case "in":
    case "=":
    case "==":
      return has && requirement.values.includes(value as string);
    case "notin":
    case "!=":
      return !has || !requirement.values.includes(value as string);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has) return false;
      const actual = parseInt64(value as string);
      if (actual === undefined || requirement.values.length !== 1) return false;
      const bound = parseInt64(requirement.values[0] as string);
      if (bound === undefined) return false;
      return requirement.operator === "gt" ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/** Requirement.String: `!key`, `key`, `key=v`, `key!=v`, `key in (a,b)`, `key>1` (set values sorted). */
export function formatRequirement(requirement: SelectorRequirement): string {
  const { key, operator } = requirement;
  if (operator === "!") return `!${key}`;
  if (operator === "exists") return key;
  const infix: Record<string, string> = { "=": "=", "==": "==", "!=": "!=", in: " in ", notin: " notin ", gt: ">", lt: "<" };
  const values = requirement.values.length === 1 ? (requirement.values[0] as string) : [...requirement.values].sort(compareStrings).join(",");
  const set = operator === "in" || operator === "notin";
  return `${key}${infix[operator] ?? operator}${set ? `(${values})` : values}`;
}

/** String order as Go's sort.Strings (byte order; identical for the ASCII that valid labels use). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
