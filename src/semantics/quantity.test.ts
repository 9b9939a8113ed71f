import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  quantityFromScaled,
  quantityScaledValue,
  quantityToBytes,
  quantityToMillis,
  subtractQuantities,
  type Quantity,
  type QuantityFormat,
} from "./quantity.js";

const MOST_POSITIVE = 2n ** 63n - 1n;
const MOST_NEGATIVE = -(2n ** 63n);

// decQuantity(i, exponent, format) from quantity_test.go: i × 10^exponent.
function dec(mantissa: bigint | number, exponent: number, format: QuantityFormat): Quantity {
  return quantityFromScaled(BigInt(mantissa), exponent, format);
}

function parsed(input: string): Quantity {
  const result = parseQuantity(input);
  if (!result.ok) assert.fail(`${JSON.stringify(input)}: ${result.error}`);
  return result.quantity;
}

test("TestQuantityParse: values and formats, also with '-' and '+' prefixes", () => {
  // Source: k8s.io/apimachinery pkg/api/resource/quantity_test.go TestQuantityParse.
  const maxAllowed: Quantity = { nanos: MOST_POSITIVE * 1_000_000_000n, format: "BinarySI" };
  const table: [string, Quantity][] = [
    ["0", dec(0, 0, "DecimalSI")],
    ["0n", dec(0, 0, "DecimalSI")],
    ["0u", dec(0, 0, "DecimalSI")],
    ["0m", dec(0, 0, "DecimalSI")],
    ["0Ki", dec(0, 0, "BinarySI")],
    ["0k", dec(0, 0, "DecimalSI")],
    ["0Mi", dec(0, 0, "BinarySI")],
    ["0M", dec(0, 0, "DecimalSI")],
    ["0Gi", dec(0, 0, "BinarySI")],
    ["0G", dec(0, 0, "DecimalSI")],
    ["0Ti", dec(0, 0, "BinarySI")],
    ["0T", dec(0, 0, "DecimalSI")],
    // Quantity less numbers are allowed
    ["1", dec(1, 0, "DecimalSI")],
    // Binary suffixes
    ["1Ki", dec(1024, 0, "BinarySI")],
    ["8Ki", dec(8 * 1024, 0, "BinarySI")],
    ["7Mi", dec(7 * 1024 * 1024, 0, "BinarySI")],
    ["6Gi", dec(6n * 1024n ** 3n, 0, "BinarySI")],
    ["5Ti", dec(5n * 1024n ** 4n, 0, "BinarySI")],
    ["4Pi", dec(4n * 1024n ** 5n, 0, "BinarySI")],
    ["3Ei", dec(3n * 1024n ** 6n, 0, "BinarySI")],
    ["10Ti", dec(10n * 1024n ** 4n, 0, "BinarySI")],
    ["100Ti", dec(100n * 1024n ** 4n, 0, "BinarySI")],
    // Decimal suffixes
    ["5n", dec(5, -9, "DecimalSI")],
    ["4u", dec(4, -6, "DecimalSI")],
    ["3m", dec(3, -3, "DecimalSI")],
    ["9", dec(9, 0, "DecimalSI")],
    ["8k", dec(8, 3, "DecimalSI")],
    ["50k", dec(5, 4, "DecimalSI")],
    ["7M", dec(7, 6, "DecimalSI")],
    ["6G", dec(6, 9, "DecimalSI")],
    ["5T", dec(5, 12, "DecimalSI")],
    ["40T", dec(4, 13, "DecimalSI")],
    ["300T", dec(3, 14, "DecimalSI")],
    ["2P", dec(2, 15, "DecimalSI")],
    ["1E", dec(1, 18, "DecimalSI")],
    // Decimal exponents
    ["1E-3", dec(1, -3, "DecimalExponent")],
    ["1e3", dec(1, 3, "DecimalExponent")],
    ["1E6", dec(1, 6, "DecimalExponent")],
    ["1e9", dec(1, 9, "DecimalExponent")],
    ["1E12", dec(1, 12, "DecimalExponent")],
    ["1e15", dec(1, 15, "DecimalExponent")],
    ["1E18", dec(1, 18, "DecimalExponent")],
    // Nonstandard but still parsable
    ["1e14", dec(1, 14, "DecimalExponent")],
    ["1e13", dec(1, 13, "DecimalExponent")],
    ["1e3", dec(1, 3, "DecimalExponent")],
    ["100.035k", dec(100035, 0, "DecimalSI")],
    // Things that look like floating point
    ["0.001", dec(1, -3, "DecimalSI")],
    ["0.0005k", dec(5, -1, "DecimalSI")],
    ["0.005", dec(5, -3, "DecimalSI")],
    ["0.05", dec(5, -2, "DecimalSI")],
    ["0.5", dec(5, -1, "DecimalSI")],
    ["0.00050k", dec(5, -1, "DecimalSI")],
    ["0.00500", dec(5, -3, "DecimalSI")],
    ["0.05000", dec(5, -2, "DecimalSI")],
    ["0.50000", dec(5, -1, "DecimalSI")],
    ["0.5e0", dec(5, -1, "DecimalExponent")],
    ["0.5e-1", dec(5, -2, "DecimalExponent")],
    ["0.5e-2", dec(5, -3, "DecimalExponent")],
    ["0.5e0", dec(5, -1, "DecimalExponent")],
    ["10.035M", dec(10035, 3, "DecimalSI")],
    ["1.2e3", dec(12, 2, "DecimalExponent")],
    ["1.3E+6", dec(13, 5, "DecimalExponent")],
    ["1.40e9", dec(14, 8, "DecimalExponent")],
    ["1.53E12", dec(153, 10, "DecimalExponent")],
    ["1.6e15", dec(16, 14, "DecimalExponent")],
    ["1.7E18", dec(17, 17, "DecimalExponent")],
    ["9.01", dec(901, -2, "DecimalSI")],
    ["8.1k", dec(81, 2, "DecimalSI")],
    ["7.123456M", dec(7123456, 0, "DecimalSI")],
    ["6.987654321G", dec(6987654321, 0, "DecimalSI")],
    ["5.444T", dec(5444, 9, "DecimalSI")],
    ["40.1T", dec(401, 11, "DecimalSI")],
    ["300.2T", dec(3002, 11, "DecimalSI")],
    ["2.5P", dec(25, 14, "DecimalSI")],
    ["1.01E", dec(101, 16, "DecimalSI")],
    // Things that saturate/round
    ["3.001n", dec(4, -9, "DecimalSI")],
    ["1.1E-9", dec(2, -9, "DecimalExponent")],
    ["0.0000000001", dec(1, -9, "DecimalSI")],
    ["0.0000000005", dec(1, -9, "DecimalSI")],
    ["0.00000000050", dec(1, -9, "DecimalSI")],
    ["0.5e-9", dec(1, -9, "DecimalExponent")],
    ["0.9n", dec(1, -9, "DecimalSI")],
    ["0.00000012345", dec(124, -9, "DecimalSI")],
    ["0.00000012354", dec(124, -9, "DecimalSI")],
    ["9Ei", maxAllowed],
    ["9223372036854775807Ki", maxAllowed],
    ["12E", dec(12, 18, "DecimalSI")],
    // We'll accept fractional binary stuff, too.
    ["100.035Ki", dec(10243584, -2, "BinarySI")],
    ["0.5Mi", dec(0.5 * 1024 * 1024, 0, "BinarySI")],
    ["0.05Gi", dec(536870912, -1, "BinarySI")],
    ["0.025Ti", dec(274877906944, -1, "BinarySI")],
    // Things written by trolls
    ["0.000000000001Ki", dec(2, -9, "DecimalSI")], // rounds up, changes format
    [".001", dec(1, -3, "DecimalSI")],
    [".0001k", dec(100, -3, "DecimalSI")],
    ["1.", dec(1, 0, "DecimalSI")],
    ["1.G", dec(1, 9, "DecimalSI")],
  ];
  for (const [input, want] of table) {
    for (const [prefix, sign] of [
      ["", 1n],
      ["-", -1n],
      ["+", 1n],
    ] as const) {
      const got = parsed(prefix + input);
      assert.equal(got.nanos, want.nanos * sign, `${prefix}${input}`);
      assert.equal(got.format, want.format, `${prefix}${input} format`);
    }
  }
});

test("TestQuantityParse: invalid strings", () => {
  // Source: quantity_test.go TestQuantityParse `invalid`, plus ParseQuantity("") and TestQuantityParseNonNumericPanic.
  for (const input of ["", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", " 1", "1 ", "Non-Numeric"]) {
    assert.equal(parseQuantity(input).ok, false, JSON.stringify(input));
  }
  // Further rejections that follow from parseQuantityString / suffixer.interpret.
  for (const input of ["1.5.5", "1 Gi", "1Gb", "--1", "1K", "1Mi3", "1e", "1e3i", "1Ki ", "0x10"]) {
    assert.equal(parseQuantity(input).ok, false, JSON.stringify(input));
  }
  const wrong = parseQuantity("1 Gi");
  assert.ok(!wrong.ok && wrong.reason === "FormatWrong" && wrong.error.startsWith("quantities must match the regular expression"));
  const badSuffix = parseQuantity("0.1mi");
  assert.ok(!badSuffix.ok && badSuffix.reason === "Suffix" && badSuffix.error === "unable to parse quantity's suffix");
});

test("a number part without digits parses as zero, as ParseQuantity does; strict mode refuses it", () => {
  // parseQuantityString: "if we stripped all numerator positions, always return 0" — TestParseQuantityString
  // accepts "." and "-."; nothing later requires a digit, so "Mi" is 0 (BinarySI).
  assert.deepEqual(parsed("Mi"), { nanos: 0n, format: "BinarySI" });
  assert.deepEqual(parsed("."), { nanos: 0n, format: "DecimalSI" });
  assert.deepEqual(parsed("-."), { nanos: 0n, format: "DecimalSI" });
  assert.deepEqual(parsed("-"), { nanos: 0n, format: "DecimalSI" });
  // The documented grammar (<number> ::= <digits> | ...) needs a digit.
  for (const input of ["Mi", ".", "-.", "-", "+", "k", ".Gi"]) {
    const strict = parseQuantity(input, { strict: true });
    assert.ok(!strict.ok && strict.reason === "NoDigits", input);
  }
  for (const input of ["0", "0Mi", "1.", ".5", "-0", "00"]) assert.equal(parseQuantity(input, { strict: true }).ok, true, input);
});

test("TestQuantityCmp and TestQuantityCmpInt64AndDec", () => {
  // Source: quantity_test.go TestQuantityCmp.
  const table: [string, string, number][] = [
    ["0", "0", 0],
    ["100m", "50m", 1],
    ["50m", "100m", -1],
    ["10000T", "100Gi", 1],
  ];
  for (const [x, y, want] of table) assert.equal(compareQuantities(parsed(x), parsed(y)), want, `${x} vs ${y}`);
  // Source: quantity_test.go TestQuantityCmpInt64AndDec (intQuantity(value, scale) = value × 10^scale), both directions.
  const cases: [bigint, number, bigint, number, number][] = [
    [901n, -2, 901n, -2, 0],
    [90n, -1, 901n, -2, -1],
    [901n, -2, 900n, -2, 1],
    [0n, 0, 0n, 0, 0],
    [0n, 1, 0n, -1, 0],
    [0n, -1, 0n, 1, 0],
    [800n, -3, 1n, 0, -1],
    [800n, -3, 79n, -2, 1],
    [MOST_POSITIVE, 0, 1n, -1, 1],
    [MOST_POSITIVE, 1, 1n, 0, 1],
    [MOST_POSITIVE, 1, 1n, 1, 1],
    [MOST_POSITIVE, 1, 0n, 1, 1],
    [MOST_POSITIVE, -16, 1n, 3, -1],
    [MOST_NEGATIVE, 0, 0n, 0, -1],
    [MOST_NEGATIVE, -18, -1n, 0, -1],
    [MOST_NEGATIVE, -19, -1n, 0, 1],
    [10n ** 18n, -17, 1n, 1, 0],
    [10n ** 18n, -17, -10n, 0, 1],
    [-(10n ** 18n), -17, -10n, 0, 0],
    [10n ** 18n, -17, 1n, 0, 1],
    [10n ** 18n + 1n, -17, 1n, 1, 1],
    [10n ** 18n - 1n, -17, 1n, 1, -1],
  ];
  // Rows with a scale below -9 exercise int64Amount values finer than nano, which ParseQuantity never
  // produces (it rounds to nano) and this representation cannot hold; they are left out.
  const representable = cases.filter(([, as, , bs]) => as >= -9 && bs >= -9);
  assert.equal(representable.length, 13);
  for (const [av, as, bv, bs, want] of representable) {
    const a = quantityFromScaled(av, as);
    const b = quantityFromScaled(bv, bs);
    assert.equal(compareQuantities(a, b), want, `${av}e${as} vs ${bv}e${bs}`);
    assert.equal(compareQuantities(b, a), want === 0 ? 0 : -want, `${bv}e${bs} vs ${av}e${as}`);
  }
});

test("TestQuantityString: canonical output, alternates, negatives", () => {
  // Source: quantity_test.go TestQuantityString. The alternate must re-emit as the canonical form.
  const table: [Quantity, string, string][] = [
    [dec(1024 * 1024 * 1024, 0, "BinarySI"), "1Gi", "1024Mi"],
    [dec(300 * 1024 * 1024, 0, "BinarySI"), "300Mi", "307200Ki"],
    [dec(6 * 1024, 0, "BinarySI"), "6Ki", ""],
    [dec(1001n * 1024n ** 3n, 0, "BinarySI"), "1001Gi", "1025024Mi"],
    [dec(1024n ** 4n, 0, "BinarySI"), "1Ti", "1024Gi"],
    [dec(5, 0, "BinarySI"), "5", "5000m"],
    [dec(500, -3, "BinarySI"), "500m", "0.5"],
    [dec(1, 9, "DecimalSI"), "1G", "1000M"],
    [dec(1000, 6, "DecimalSI"), "1G", "0.001T"],
    [dec(1000000, 3, "DecimalSI"), "1G", ""],
    [dec(1000000000, 0, "DecimalSI"), "1G", ""],
    [dec(1, -3, "DecimalSI"), "1m", "1000u"],
    [dec(80, -3, "DecimalSI"), "80m", ""],
    [dec(1080, -3, "DecimalSI"), "1080m", "1.08"],
    [dec(108, -2, "DecimalSI"), "1080m", "1080000000n"],
    [dec(10800, -4, "DecimalSI"), "1080m", ""],
    [dec(300, 6, "DecimalSI"), "300M", ""],
    [dec(1, 12, "DecimalSI"), "1T", ""],
    // DecimalSI has no suffix beyond "E" (10^18): larger exponents fall back to exponent notation.
    [dec(1, 18, "DecimalSI"), "1E", ""],
    [dec(1, 21, "DecimalSI"), "1e21", "1000E"],
    [dec(5, 21, "DecimalSI"), "5e21", "5000E"],
    [dec(1, 24, "DecimalSI"), "1e24", "1000000E"],
    [dec(1234567, 6, "DecimalSI"), "1234567M", ""],
    [dec(1234567, -3, "BinarySI"), "1234567m", ""],
    [dec(3, 3, "DecimalSI"), "3k", ""],
    [dec(1025, 0, "BinarySI"), "1025", ""],
    [dec(0, 0, "DecimalSI"), "0", ""],
    [dec(0, 0, "BinarySI"), "0", ""],
    [dec(1, 9, "DecimalExponent"), "1e9", ".001e12"],
    [dec(1, -3, "DecimalExponent"), "1e-3", "0.001e0"],
    [dec(1, -9, "DecimalExponent"), "1e-9", "1000e-12"],
    [dec(80, -3, "DecimalExponent"), "80e-3", ""],
    [dec(300, 6, "DecimalExponent"), "300e6", ""],
    [dec(1, 12, "DecimalExponent"), "1e12", ""],
    [dec(1, 3, "DecimalExponent"), "1e3", ""],
    [dec(3, 3, "DecimalExponent"), "3e3", ""],
    [dec(3, 3, "DecimalSI"), "3k", ""],
    [dec(0, 0, "DecimalExponent"), "0", "00"],
    [dec(1, -9, "DecimalSI"), "1n", ""],
    [dec(80, -9, "DecimalSI"), "80n", ""],
    [dec(1080, -9, "DecimalSI"), "1080n", ""],
    [dec(108, -8, "DecimalSI"), "1080n", ""],
    [dec(10800, -10, "DecimalSI"), "1080n", ""],
    [dec(1, -6, "DecimalSI"), "1u", ""],
    [dec(80, -6, "DecimalSI"), "80u", ""],
    [dec(1080, -6, "DecimalSI"), "1080u", ""],
  ];
  for (const [quantity, expect, alternate] of table) {
    assert.equal(formatQuantity(quantity), expect, expect);
    assert.equal(formatQuantity(parsed(expect)), expect, `parse(${expect})`);
    if (alternate) assert.equal(formatQuantity(parsed(alternate)), expect, `alternate ${alternate}`);
    if (quantity.nanos !== 0n) assert.equal(formatQuantity({ ...quantity, nanos: -quantity.nanos }), `-${expect}`, `-${expect}`);
  }
});

test("TestQuantityParseEmit", () => {
  // Source: quantity_test.go TestQuantityParseEmit, and the same with a leading "-".
  const table: [string, string][] = [
    ["1Ki", "1Ki"],
    ["1Mi", "1Mi"],
    ["1Gi", "1Gi"],
    ["1024Mi", "1Gi"],
    ["1000M", "1G"],
    [".001Ki", "1024m"],
    [".000001Ki", "1024u"],
    [".000000001Ki", "1024n"],
    [".000000000001Ki", "2n"],
  ];
  for (const [input, expect] of table) {
    assert.equal(formatQuantity(parsed(input)), expect, input);
    assert.equal(formatQuantity(parsed(`-${input}`)), `-${expect}`, `-${input}`);
  }
  // The Quantity doc comment's examples.
  assert.equal(formatQuantity(parsed("1.5")), "1500m");
  assert.equal(formatQuantity(parsed("1.5Gi")), "1536Mi");
  assert.equal(formatQuantity(parsed("1.2345")), "1234500u");
  assert.equal(formatQuantity(parsed("18446744073709551616")), "18446744073709551616");
});

test("TestQuantityRoundUp via quantityScaledValue", () => {
  // Source: quantity_test.go TestQuantityRoundUp: RoundUp(scale) rounds away from zero to 10^scale; ok = exact.
  const table: [string, number, Quantity, boolean][] = [
    ["9.01", -3, dec(901, -2, "DecimalSI"), true],
    ["9.01", -2, dec(901, -2, "DecimalSI"), true],
    ["9.01", -1, dec(91, -1, "DecimalSI"), false],
    ["9.01", 0, dec(10, 0, "DecimalSI"), false],
    ["9.01", 1, dec(10, 0, "DecimalSI"), false],
    ["9.01", 2, dec(100, 0, "DecimalSI"), false],
    ["-9.01", -3, dec(-901, -2, "DecimalSI"), true],
    ["-9.01", -2, dec(-901, -2, "DecimalSI"), true],
    ["-9.01", -1, dec(-91, -1, "DecimalSI"), false],
    ["-9.01", 0, dec(-10, 0, "DecimalSI"), false],
    ["-9.01", 1, dec(-10, 0, "DecimalSI"), false],
    ["-9.01", 2, dec(-100, 0, "DecimalSI"), false],
  ];
  for (const [input, scale, expect, exact] of table) {
    const quantity = parsed(input);
    const rounded = quantityFromScaled(quantityScaledValue(quantity, scale), scale);
    assert.equal(compareQuantities(rounded, expect), 0, `${input} @${scale}`);
    assert.equal(compareQuantities(rounded, quantity) === 0, exact, `${input} @${scale} exact`);
  }
});

test("TestScaledValue, TestNewScaledSet, TestNewSet, TestMilliNewSet", () => {
  // Source: quantity_test.go TestScaledValue: NewScaledQuantity(1, from).ScaledValue(to).
  const scaled: [number, number, bigint][] = [
    [-9, -9, 1n],
    [-9, -6, 1n],
    [-9, -3, 1n],
    [-9, 0, 1n],
    [-6, -9, 1000n],
    [-6, -6, 1n],
    [-6, -3, 1n],
    [-6, 0, 1n],
    [-3, -9, 1000n * 1000n],
    [-3, -6, 1000n],
    [-3, -3, 1n],
    [-3, 0, 1n],
    [0, -9, 1000n * 1000n * 1000n],
    [0, -6, 1000n * 1000n],
    [0, -3, 1000n],
    [0, 0, 1n],
    [2, -2, 100n * 100n],
  ];
  for (const [from, to, want] of scaled) assert.equal(quantityScaledValue(quantityFromScaled(1n, from), to), want, `${from}→${to}`);

  // Source: TestNewScaledSet.
  const newScaled: [bigint, number, string][] = [
    [1n, -9, "1n"],
    [1000n, -9, "1u"],
    [1n, -6, "1u"],
    [1000n, -6, "1m"],
    [1n, -3, "1m"],
    [1000n, -3, "1"],
    [1n, 0, "1"],
    [0n, -9, "0"],
    [0n, -6, "0"],
    [0n, -3, "0"],
    [0n, 0, "0"],
  ];
  for (const [value, scale, expect] of newScaled) {
    assert.equal(formatQuantity(quantityFromScaled(value, scale)), expect);
    assert.equal(quantityScaledValue(parsed(expect), scale), value, `${expect} round trip`);
  }

  // Source: TestNewSet (NewQuantity(value, format) and Value() round trip).
  const newSet: [bigint, QuantityFormat, string][] = [
    [1n, "DecimalSI", "1"],
    [1000n, "DecimalSI", "1k"],
    [1234000n, "DecimalSI", "1234k"],
    [1024n, "BinarySI", "1Ki"],
    [1000000n, "DecimalExponent", "1e6"],
    [1024n * 1024n, "BinarySI", "1Mi"],
  ];
  for (const [value, format, expect] of newSet) {
    assert.equal(formatQuantity(quantityFromScaled(value, 0, format)), expect);
    assert.equal(quantityToBytes(parsed(expect)), value);
  }

  // Source: TestMilliNewSet (NewMilliQuantity(value, format); exact rows round-trip through MilliValue).
  const milli: [bigint, QuantityFormat, string, boolean][] = [
    [1n, "DecimalSI", "1m", true],
    [1000n, "DecimalSI", "1", true],
    [1234000n, "DecimalSI", "1234", true],
    [1024n, "BinarySI", "1024m", false], // Format changes
    [1000000n, "DecimalExponent", "1e3", true],
    [1024n * 1024n, "BinarySI", "1048576m", false], // Format changes
  ];
  for (const [value, format, expect, exact] of milli) {
    assert.equal(formatQuantity(quantityFromScaled(value, -3, format)), expect);
    if (exact) assert.equal(quantityToMillis(parsed(expect)), value);
  }
});

test("TestAdd, TestSub and zero-preserves-suffix", () => {
  // Source: quantity_test.go TestAdd.
  const add: [Quantity, Quantity, Quantity][] = [
    [dec(10, 0, "DecimalSI"), dec(1, 1, "DecimalSI"), dec(20, 0, "DecimalSI")],
    [dec(10, 0, "DecimalSI"), dec(1, 0, "BinarySI"), dec(11, 0, "DecimalSI")],
    [dec(10, 0, "BinarySI"), dec(1, 0, "DecimalSI"), dec(11, 0, "BinarySI")],
    [dec(0, 0, "DecimalSI"), dec(50, 0, "DecimalSI"), dec(50, 0, "DecimalSI")],
    [dec(50, 0, "DecimalSI"), dec(0, 0, "DecimalSI"), dec(50, 0, "DecimalSI")],
    [dec(0, 0, "DecimalSI"), dec(0, 0, "DecimalSI"), dec(0, 0, "DecimalSI")],
  ];
  for (const [a, b, want] of add) assert.equal(compareQuantities(addQuantities(a, b), want), 0);
  // Source: quantity_test.go TestSub.
  const sub: [Quantity, Quantity, Quantity][] = [
    [dec(10, 0, "DecimalSI"), dec(1, 1, "DecimalSI"), dec(0, 0, "DecimalSI")],
    [dec(10, 0, "DecimalSI"), dec(1, 0, "BinarySI"), dec(9, 0, "DecimalSI")],
    [dec(10, 0, "BinarySI"), dec(1, 0, "DecimalSI"), dec(9, 0, "BinarySI")],
    [dec(0, 0, "DecimalSI"), dec(50, 0, "DecimalSI"), dec(-50, 0, "DecimalSI")],
    [dec(50, 0, "DecimalSI"), dec(0, 0, "DecimalSI"), dec(50, 0, "DecimalSI")],
    [dec(0, 0, "DecimalSI"), dec(0, 0, "DecimalSI"), dec(0, 0, "DecimalSI")],
  ];
  for (const [a, b, want] of sub) assert.equal(compareQuantities(subtractQuantities(a, b), want), 0);
  // Source: TestQuantityAddZeroPreservesSuffix / TestQuantitySubZeroPreservesSuffix.
  const zero = parsed("0");
  for (const value of ["100m", "1Gi"]) {
    assert.equal(formatQuantity(addQuantities(parsed(value), zero)), value);
    assert.equal(formatQuantity(addQuantities(zero, parsed(value))), value);
    assert.equal(formatQuantity(subtractQuantities(parsed(value), zero)), value);
    assert.equal(formatQuantity(subtractQuantities(zero, parsed(value))), `-${value}`);
  }
  // Source: TestZeroSubMostNegativeInheritsFormat / TestNegAndSubAtMostNegative: 0 - mostNegative is 2^63, "8Ei" in BinarySI.
  const mostNegativeBinary = quantityFromScaled(MOST_NEGATIVE, 0, "BinarySI");
  const difference = subtractQuantities(zero, mostNegativeBinary);
  assert.equal(difference.format, "BinarySI");
  assert.equal(formatQuantity(difference), "8Ei");
  assert.equal(formatQuantity(subtractQuantities(quantityFromScaled(1n, 0), quantityFromScaled(MOST_NEGATIVE, 0))), "9223372036854775809");
  assert.equal(formatQuantity(subtractQuantities(quantityFromScaled(1n, -3), quantityFromScaled(MOST_NEGATIVE, -3))), "9223372036854775809m");
  assert.equal(formatQuantity(subtractQuantities(quantityFromScaled(1n, 1), quantityFromScaled(MOST_NEGATIVE, 0))), "9223372036854775818");
});

test("Value and MilliValue round away from zero, exactly", () => {
  // Quantity.ScaledValue doc: "ceil(q / 10^scale)"; int64Amount.AsScaledInt64 rounds away from zero for negatives.
  assert.equal(quantityToMillis(parsed("250m")), 250n);
  assert.equal(quantityToMillis(parsed("1.5")), 1500n);
  assert.equal(quantityToMillis(parsed("0.1m")), 1n);
  assert.equal(quantityToMillis(parsed("-0.1m")), -1n);
  assert.equal(quantityToBytes(parsed("1Gi")), 1073741824n);
  assert.equal(quantityToBytes(parsed("1.5Gi")), 1610612736n);
  assert.equal(quantityToBytes(parsed("100m")), 1n);
  assert.equal(quantityToBytes(parsed("128974848")), 128974848n);
  assert.equal(quantityToBytes(parsed("129e6")), 129000000n);
  assert.equal(quantityToBytes(parsed("123Mi")), 128974848n);
  // No int64 overflow: 100E is 10^20.
  assert.equal(quantityToBytes(parsed("100E")), 10n ** 20n);
});
