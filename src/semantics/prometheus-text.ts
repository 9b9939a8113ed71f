// The Prometheus text exposition format (version 0.0.4), read by hand, and histogram_quantile as PromQL computes it.

/** One sample line: `name{label="value",...} value [timestamp]`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text exposition, with the `# TYPE` of each family. */
export interface MetricsText {
  samples: Sample[];
  types: Map<string, string>;
}

/**
 * Parses Prometheus text format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/):
 * `# HELP`/`# TYPE` comments, other comments ignored, label values with `\\`, `\"` and `\n` escapes,
 * values as Go floats including `+Inf`, `-Inf`, `NaN`, an optional timestamp. A line that does not parse
 * is skipped (the exposition is read best-effort; one odd line must not hide the rest).
 * With `keep`, only samples of the families it accepts are kept.
 */
export function parseMetricsText(text: string, keep?: (name: string) => boolean): MetricsText {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types.set(m[1]!, m[2]!);
      continue;
    }
    const sample = parseSampleLine(line);
    if (sample && (!keep || keep(sample.name))) samples.push(sample);
  }
  return { samples, types };
}

function parseSampleLine(line: string): Sample | undefined {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) return undefined;
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i++;
    for (;;) {
      while (line[i] === " " || line[i] === ",") i++;
      if (line[i] === "}") {
        i++;
        break;
      }
      const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!key) return undefined;
      i += key[0].length;
      while (line[i] === " ") i++;
      if (line[i] !== "=") return undefined;
      i++;
      while (line[i] === " ") i++;
      if (line[i] !== '"') return undefined;
      i++;
      let value = "";
      for (;;) {
        const c = line[i];
        if (c === undefined) return undefined;
        if (c === "\\") {
          const next = line[i + 1];
          value += next === "n" ? "\n" : (next ?? "");
          i += 2;
          continue;
        }
        if (c === '"') {
          i++;
          break;
        }
        value += c;
        i++;
      }
      labels[key[0]] = value;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  const value = parseGoFloat(rest[0] ?? "");
  if (value === undefined) return undefined;
  return { name, labels, value };
}

function parseGoFloat(text: string): number | undefined {
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|0[xX][0-9a-fA-F]+)$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

/** One cumulative bucket of a histogram: observations <= upperBound. */
export interface Bucket {
  upperBound: number;
  count: number;
}

/**
 * The q-quantile of a histogram's cumulative buckets, as PromQL's histogram_quantile computes it
 * (prometheus/promql/quantile.go, bucketQuantile): buckets sorted by upper bound, the last must be +Inf
 * (else NaN), counts made monotonic, rank = q * total, the first bucket whose count reaches the rank is
 * found among all but the +Inf one; inside it the value is interpolated linearly from the bucket's lower
 * bound (0 for the first bucket) to its upper bound. A rank in the +Inf bucket gives the highest finite
 * bound. NaN with fewer than two buckets or no observation.
 */
export function histogramQuantile(q: number, input: readonly Bucket[]): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const buckets = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (buckets.length === 0 || buckets[buckets.length - 1]!.upperBound !== Infinity) return NaN;
  // Coalesce buckets with the same bound, then make counts monotonic (ensureMonotonic).
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else merged.push({ ...b });
  }
  let max = -Infinity;
  for (const b of merged) {
    if (b.count > max) max = b.count;
    else b.count = max;
  }
  if (merged.length < 2) return NaN;
  const observations = merged[merged.length - 1]!.count;
  if (!(observations > 0)) return NaN;
  let rank = q * observations;
  let b = merged.length - 1;
  for (let i = 0; i < merged.length - 1; i++) {
    if (merged[i]!.count >= rank) {
      b = i;
      break;
    }
  }
  if (b === merged.length - 1) return merged[merged.length - 2]!.upperBound;
  if (b === 0 && merged[0]!.upperBound <= 0) return merged[0]!.upperBound;
  let bucketStart = 0;
  const bucketEnd = merged[b]!.upperBound;
  let count = merged[b]!.count;
  if (b > 0) {
    bucketStart = merged[b - 1]!.upperBound;
    count -= merged[b - 1]!.count;
    rank -= merged[b - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** A histogram series: the labels that identify it (without `le`), its buckets and observation count. */
export interface HistogramSeries {
  labels: Record<string, string>;
  buckets: Bucket[];
  count: number;
}

/** Groups the `<name>_bucket` samples by their labels except `le` into histogram series. */
export function histogramsOf(samples: readonly Sample[], name: string): HistogramSeries[] {
  const byKey = new Map<string, HistogramSeries>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
    const { le, ...rest } = s.labels;
    const upperBound = parseGoFloat(le);
    if (upperBound === undefined) continue;
    const key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
    let series = byKey.get(key);
    if (!series) byKey.set(key, (series = { labels: rest, buckets: [], count: 0 }));
    series.buckets.push({ upperBound, count: s.value });
    if (upperBound === Infinity) series.count = s.value;
  }
  return [...byKey.values()];
}
