// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource.Quantity): exact parsing, comparison, arithmetic and canonical formatting.
//
// A Quantity is held as a whole number of nano-units (bigint). That is exact: ParseQuantity itself
// keeps a value only down to nano, rounding anything finer away from zero ("0.9n" is 1n).

/** The three serialisation formats a quantity remembers from its suffix. */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

/** An exact quantity: `nanos` × 10⁻⁹ units, plus the format it prints in. */
export interface Quantity {
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

/**
 * Why a string is not a quantity. FormatWrong and Suffix are ParseQuantity's own errors;
 * NoDigits only in strict mode; ExponentTooLarge is kubesleuth's limit on exact arithmetic.
 */
export type QuantityErrorReason = "FormatWrong" | "Suffix" | "NoDigits" | "ExponentTooLarge";

export type QuantityParseResult =
  | { ok: true; quantity: Quantity }
  | { ok: false; reason: QuantityErrorReason; error: string };

const NANO = 1_000_000_000n;
// resource.maxAllowed: a BinarySI quantity is silently capped at 2^63-1.
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANO;
// Positive exponents beyond this would need astronomically large integers; upstream's inf.Dec
// would accept them. No real quantity comes near.
const MAX_EXPONENT = 10_000;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([suffix, exp]) => [exp, suffix]));
const BINARY_SUFFIX_BY_POWER = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

// resource.ErrFormatWrong / ErrSuffix, word for word.
const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX_WRONG = "unable to parse quantity's suffix";

interface ScannedQuantity {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
  hasDigit: boolean;
}

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= "0" && ch <= "9";

// resource.parseQuantityString, step by step: sign, leading zeros, numerator, "." denominator,
// suffix letters from "eEinumkKMGTP", optional sign, digits — and nothing after.
function scanQuantity(str: string): ScannedQuantity | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === "-") {
    positive = false;
    pos++;
  } else if (str[0] === "+") {
    pos++;
  }
  let hasDigit = false;
  while (pos < end && str[pos] === "0") {
    pos++;
    hasDigit = true;
  }
  // All zeros (or only a sign): the value is 0 with no suffix.
  if (pos >= end) return { positive, num: "0", denom: "", suffix: "", hasDigit };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  // "if we stripped all numerator positions, always return 0"
  const num = str.slice(pos, i) || "0";
  if (i > pos) hasDigit = true;
  pos = i;
  let denom = "";
  if (pos < end && str[pos] === ".") {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (denom) hasDigit = true;
    pos = i;
  }
  const suffixStart = pos;
  while (pos < end && "eEinumkKMGTP".includes(str[pos] as string)) pos++;
  if (pos < end && (str[pos] === "-" || str[pos] === "+")) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return undefined;
  return { positive, num, denom, suffix: str.slice(suffixStart), hasDigit };
}

// suffixHandler.interpret: the suffix tables first, then "e"/"E" followed by an int64 exponent.
function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } | undefined {
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: "DecimalSI" };
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return { base: 2, exponent: binary, format: "BinarySI" };
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E")) {
    const digits = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed < -(2n ** 63n) || parsed > 2n ** 63n - 1n) return undefined;
    // Upstream converts the int64 to int32, wrapping.
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: "DecimalExponent" };
  }
  return undefined;
}

// |value| / 10^places, rounded away from zero (inf.RoundUp), without building huge powers.
function divideRoundingUp(magnitude: bigint, places: number): bigint {
  if (magnitude === 0n) return 0n;
  if (places > magnitude.toString().length + 1) return 1n;
  const divisor = 10n ** BigInt(places);
  const quotient = magnitude / divisor;
  return magnitude % divisor === 0n ? quotient : quotient + 1n;
}

/**
 * ParseQuantity: `<signedNumber><suffix>` with binarySI (Ki Mi Gi Ti Pi Ei), decimalSI
 * (n u m "" k M G T P E) or a decimal exponent (e3, E-6). Like the API server, it accepts a
 * number part with no digits ("Mi", ".", "-") as zero; `strict: true` rejects those as the
 * documented grammar does (`<digits>` needs at least one digit).
 */
export function parseQuantity(input: string, options: { strict?: boolean } = {}): QuantityParseResult {
  if (input.length === 0) return { ok: false, reason: "FormatWrong", error: FORMAT_WRONG };
  const scanned = scanQuantity(input);
  if (!scanned) return { ok: false, reason: "FormatWrong", error: FORMAT_WRONG };
  const suffix = interpretSuffix(scanned.suffix);
  if (!suffix) return { ok: false, reason: "Suffix", error: SUFFIX_WRONG };
  if (options.strict && !scanned.hasDigit) {
    return { ok: false, reason: "NoDigits", error: `quantity ${JSON.stringify(input)} has no digits before its suffix` };
  }
  const digits = BigInt(scanned.num + scanned.denom);
  const power10 = (suffix.base === 10 ? suffix.exponent : 0) - scanned.denom.length + 9;
  let magnitude = suffix.base === 2 ? digits * 2n ** BigInt(suffix.exponent) : digits;
  if (power10 >= 0) {
    if (power10 > MAX_EXPONENT && magnitude !== 0n) {
      return { ok: false, reason: "ExponentTooLarge", error: `quantity ${JSON.stringify(input)} has an exponent too large to evaluate exactly` };
    }
    magnitude *= 10n ** BigInt(power10);
  } else {
    // Finer than nano: "rounds non-zero values up to the minimum representable value".
    magnitude = divideRoundingUp(magnitude, -power10);
  }
  let format = suffix.format;
  if (format === "BinarySI") {
    if (magnitude > MAX_BINARY_NANOS) magnitude = MAX_BINARY_NANOS;
    // A BinarySI value strictly between 0 and 1 switches to DecimalSI "to avoid rounding".
    if (magnitude > 0n && magnitude < NANO) format = "DecimalSI";
  }
  return { ok: true, quantity: { nanos: scanned.positive ? magnitude : -magnitude, format } };
}

/** Quantity.Cmp: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** Quantity.Add: exact; the result keeps a's format unless a is zero (then b's). Not capped. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** Quantity.Sub: exact; the result keeps a's format unless a is zero (then b's). */
export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/**
 * NewScaledQuantity / NewMilliQuantity / NewQuantity: `value × 10^scale` (scale -3 for milli,
 * 0 for whole units). Anything finer than nano rounds away from zero, as parsing does.
 */
export function quantityFromScaled(value: bigint, scale: number, format: QuantityFormat = "DecimalSI"): Quantity {
  const power = scale + 9;
  if (power >= 0) return { nanos: value * 10n ** BigInt(power), format };
  const magnitude = divideRoundingUp(value < 0n ? -value : value, -power);
  return { nanos: value < 0n ? -magnitude : magnitude, format };
}

/**
 * Quantity.ScaledValue: the quantity in units of 10^scale, rounded away from zero
 * (ceil(q / 10^scale) for positive values). Exact bigint — upstream's int64 can overflow.
 */
export function quantityScaledValue(quantity: Quantity, scale: number): bigint {
  const power = scale + 9;
  if (power <= 0) return quantity.nanos * 10n ** BigInt(-power);
  const negative = quantity.nanos < 0n;
  const magnitude = divideRoundingUp(negative ? -quantity.nanos : quantity.nanos, power);
  return negative ? -magnitude : magnitude;
}

/** Quantity.MilliValue: millicores for CPU ("250m" → 250n, "1.5" → 1500n), rounded away from zero. */
export function quantityToMillis(quantity: Quantity): bigint {
  return quantityScaledValue(quantity, -3);
}

/** Quantity.Value: whole units — bytes for memory and storage ("1Gi" → 1073741824n), rounded away from zero. */
export function quantityToBytes(quantity: Quantity): bigint {
  return quantityScaledValue(quantity, 0);
}

/**
 * Quantity.String in canonical form: the largest suffix that loses no precision and prints no
 * fractional digits, in the quantity's own format ("1.5Gi" → "1536Mi", "0.5" → "500m",
 * "1000M" → "1G"). A BinarySI value below 1024 or with a fraction prints as DecimalSI; a
 * DecimalSI exponent above E (10^18) prints as "1e21". Unlike upstream String(), an input that
 * was already canonical except for a leading "+" or leading zeros is not echoed back verbatim.
 */
export function formatQuantity(quantity: Quantity): string {
  const { nanos } = quantity;
  if (nanos === 0n) return "0";
  let format = quantity.format;
  if (format === "BinarySI") {
    const small = nanos > -1024n * NANO && nanos < 1024n * NANO;
    if (small || nanos % NANO !== 0n) format = "DecimalSI";
  }
  if (format === "BinarySI") {
    let value = nanos / NANO;
    let power = 0;
    // Stop at Ei: upstream has no suffix beyond it.
    while (power < BINARY_SUFFIX_BY_POWER.length - 1 && value % 1024n === 0n) {
      value /= 1024n;
      power++;
    }
    return `${value}${BINARY_SUFFIX_BY_POWER[power]}`;
  }
  // AsCanonicalBytes: move factors of 10 into the exponent, then lower it to a multiple of 3.
  let mantissa = nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  const decimal = DECIMAL_SUFFIX_BY_EXPONENT.get(exponent);
  if (format === "DecimalSI" && decimal !== undefined) return `${mantissa}${decimal}`;
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}
