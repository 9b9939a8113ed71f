import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { histogramQuantile, histogramsOf, parseMetricsText } from "./prometheus-text.js";

describe("parseMetricsText", () => {
  it("reads types, labels with escapes, special floats and timestamps", () => {
    const text = [
      "# HELP apiserver_current_inflight_requests [STABLE] Maximal number...",
      "# TYPE apiserver_current_inflight_requests gauge",
      'apiserver_current_inflight_requests{request_kind="mutating"} 3',
      'odd{path="a\\"b\\\\c\\nd",x="1"} +Inf 1700000000000',
      "plain_counter 1.5e3",
      "nan_gauge NaN",
      "broken{unterminated=\"x} 1",
      "",
    ].join("\n");
    const parsed = parseMetricsText(text);
    assert.equal(parsed.types.get("apiserver_current_inflight_requests"), "gauge");
    assert.deepEqual(parsed.samples[0], { name: "apiserver_current_inflight_requests", labels: { request_kind: "mutating" }, value: 3 });
    assert.deepEqual(parsed.samples[1]!.labels, { path: 'a"b\\c\nd', x: "1" });
    assert.equal(parsed.samples[1]!.value, Infinity);
    assert.equal(parsed.samples[2]!.value, 1500);
    assert.ok(Number.isNaN(parsed.samples[3]!.value));
    assert.equal(parsed.samples.length, 4, "the unterminated label line is skipped");
  });

  it("keeps only the families asked for", () => {
    const parsed = parseMetricsText("a 1\nb 2\na_bucket{le=\"1\"} 3\n", (name) => name.startsWith("a"));
    assert.deepEqual(parsed.samples.map((s) => s.name), ["a", "a_bucket"]);
  });
});

describe("histogramQuantile (PromQL histogram_quantile semantics)", () => {
  // Buckets le=0.1:10, le=0.5:50, le=1:90, le=+Inf:100 (cumulative): 100 observations.
  const buckets = [
    { upperBound: 0.1, count: 10 },
    { upperBound: 0.5, count: 50 },
    { upperBound: 1, count: 90 },
    { upperBound: Infinity, count: 100 },
  ];
  it("interpolates linearly inside the bucket that reaches the rank", () => {
    // q=0.5: rank 50 reached by le=0.5 (count 50); start 0.1, 40 in the bucket, rank-10=40 -> 0.1 + 0.4*40/40 = 0.5.
    assert.equal(histogramQuantile(0.5, buckets), 0.5);
    // q=0.3: rank 30 -> bucket le=0.5; 0.1 + 0.4 * (30-10)/40 = 0.3.
    assert.ok(Math.abs(histogramQuantile(0.3, buckets) - 0.3) < 1e-12);
    // q=0.05: rank 5 in the first bucket, lower bound 0: 0 + 0.1 * 5/10 = 0.05.
    assert.ok(Math.abs(histogramQuantile(0.05, buckets) - 0.05) < 1e-12);
  });
  it("a rank in the +Inf bucket gives the highest finite bound", () => {
    // q=0.99: rank 99 > 90 (le=1): only +Inf reaches it -> 1.
    assert.equal(histogramQuantile(0.99, buckets), 1);
  });
  it("NaN without a +Inf bucket or without observations; +-Inf outside [0,1]", () => {
    assert.ok(Number.isNaN(histogramQuantile(0.5, buckets.slice(0, 3))));
    assert.ok(Number.isNaN(histogramQuantile(0.5, [{ upperBound: 1, count: 0 }, { upperBound: Infinity, count: 0 }])));
    assert.equal(histogramQuantile(-1, buckets), -Infinity);
    assert.equal(histogramQuantile(2, buckets), Infinity);
  });
  it("sorts buckets and makes counts monotonic", () => {
    const unordered = [buckets[3]!, buckets[1]!, { upperBound: 1, count: 40 }, buckets[0]!];
    // le=1 count 40 < 50 is raised to 50: q=0.5 -> rank 50 reached at le=0.5 -> 0.5.
    assert.equal(histogramQuantile(0.5, unordered), 0.5);
  });
});

describe("histogramsOf", () => {
  it("groups bucket samples by labels without le", () => {
    const parsed = parseMetricsText(
      [
        'd_bucket{verb="GET",le="0.1"} 1',
        'd_bucket{verb="GET",le="+Inf"} 2',
        'd_bucket{verb="LIST",le="0.1"} 0',
        'd_bucket{verb="LIST",le="+Inf"} 5',
        'd_count{verb="GET"} 2',
      ].join("\n"),
    );
    const series = histogramsOf(parsed.samples, "d");
    assert.equal(series.length, 2);
    assert.deepEqual(series[0], { labels: { verb: "GET" }, buckets: [{ upperBound: 0.1, count: 1 }, { upperBound: Infinity, count: 2 }], count: 2 });
    assert.equal(series[1]!.count, 5);
  });
});
