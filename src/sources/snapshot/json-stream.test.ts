import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JsonStream, JsonSyntaxError, type DumpLogBlock, type TopLevelValue } from "./json-stream.js";
import { locateJsonError } from "./json-error.js";

/** Feeds text in chunks of `size` bytes (every split point is exercised with size 1). */
function run(text: string, size = 7, withLogs = true): { values: TopLevelValue[]; logs: DumpLogBlock[]; stream: JsonStream } {
  const values: TopLevelValue[] = [];
  const logs: DumpLogBlock[] = [];
  const stream = new JsonStream({ value: (v) => values.push(v), ...(withLogs ? { logBlock: (b: DumpLogBlock) => logs.push(b) } : {}) });
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i < bytes.length; i += size) stream.write(bytes.subarray(i, i + size));
  stream.end();
  return { values, logs, stream };
}

function errorOf(text: string, size = 5): JsonSyntaxError {
  try {
    run(text, size);
  } catch (e) {
    assert.ok(e instanceof JsonSyntaxError, String(e));
    return e;
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

describe("JsonStream", () => {
  const list = {
    apiVersion: "v1",
    items: [
      { kind: "Pod", metadata: { name: "a", annotations: { "x\"}]": "[{\\\"" } } },
      { kind: "Pod", metadata: { name: "b\u00e9" }, spec: { nested: [[1, 2], { items: [3] }] } },
    ],
    kind: "List",
    metadata: { resourceVersion: "" },
  };

  it("splits a List into its items and the rest, at every chunk size", () => {
    const text = JSON.stringify(list, null, 4);
    for (const size of [1, 2, 3, 5, 64, 1 << 20]) {
      const { values } = run(text, size);
      assert.equal(values.length, 1);
      assert.deepEqual(values[0]!.items, list.items, `chunk size ${size}`);
      assert.deepEqual(values[0]!.skeleton, { apiVersion: "v1", items: [], kind: "List", metadata: { resourceVersion: "" } });
    }
  });

  it("keeps a single object whole, and an object whose items come before kind", () => {
    const pod = { kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }] } };
    const { values } = run(JSON.stringify(pod), 3);
    assert.deepEqual(values[0]!.skeleton, pod);
    assert.equal(values[0]!.items, undefined);
  });

  it("reads a top-level array and concatenated values", () => {
    const { values } = run(`[{"kind":"Pod","metadata":{"name":"a"}}, "x", 1, {"kind":"Pod","metadata":{"name":"b"}}]\n{"kind":"NodeList","items":[]}{"kind":"Node","metadata":{"name":"n"}}`, 4);
    assert.equal(values.length, 3);
    assert.equal(values[0]!.skeleton, undefined);
    assert.deepEqual(values[0]!.items!.map((i) => (i as { metadata: { name: string } }).metadata.name), ["a", "b"]);
    assert.deepEqual(values[1]!.items, []);
    assert.equal((values[2]!.skeleton as { kind: string }).kind, "Node");
  });

  it("reads cluster-info dump log blocks between values, END right after text without a newline", () => {
    const text = [
      '{"kind":"PodList","items":[]}',
      "==== START logs for container init of pod ns/p ====",
      "line 1 {not json}",
      "line 2==== END logs for container init of pod ns/p ====",
      "==== START logs for container app of pod ns/p ====",
      "Request log error: the server could not find the requested resource",
      "==== END logs for container app of pod ns/p ====",
      '{"kind":"ServiceList","items":[]}',
      "",
    ].join("\n");
    for (const size of [1, 3, 11, 4096]) {
      const { values, logs } = run(text, size);
      assert.equal(values.length, 2, `chunk size ${size}`);
      assert.deepEqual(
        logs.map((l) => [l.container, l.namespace, l.pod, l.text, l.line]),
        [
          ["init", "ns", "p", "line 1 {not json}\nline 2", 2],
          ["app", "ns", "p", "Request log error: the server could not find the requested resource\n", 5],
        ],
        `chunk size ${size}`,
      );
    }
  });

  it("keeps the tail of a log longer than the limit", () => {
    const body = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    const logs: DumpLogBlock[] = [];
    const stream = new JsonStream({ value: () => undefined, logBlock: (b) => logs.push(b), maxLogBytes: 100 });
    const bytes = Buffer.from(`==== START logs for container c of pod n/p ====\n${body}\n==== END logs for container c of pod n/p ====\n`);
    for (let i = 0; i < bytes.length; i += 16) stream.write(bytes.subarray(i, i + 16));
    stream.end();
    assert.equal(logs.length, 1);
    assert.ok(logs[0]!.truncated);
    assert.ok(logs[0]!.text.endsWith("line 998\nline 999\n"));
    assert.ok(logs[0]!.text.length < 300);
  });

  it("names line and column of syntax errors", () => {
    const cases: [string, number, number, RegExp][] = [
      ['{\n  "items": [\n    {"a": }\n  ]\n}', 3, 11, /Unexpected token '}'/],
      ['{\n  "kind": "Pod",\n  "metadata": {"name": "x"}\n', 4, 1, /Unexpected end of JSON input/],
      ['{"items": [{"a": 1} {"b": 2}]}', 1, 21, /Unexpected token '\{'/],
      ['{"items": [{"a": 1},]}', 1, 21, /Unexpected token '\]'/],
      ['{"kind": "Pod"]', 1, 15, /Unexpected token '\]'/],
      ["hello", 1, 1, /Unexpected token 'h'/],
      ['{"a": "unterminated', 1, 20, /Unexpected end of JSON input/],
      ['{"items": [{"a": 1 "b": 2}]}', 1, 20, /Expected ',' or '\}'/],
    ];
    for (const [text, line, column, message] of cases) {
      const e = errorOf(text);
      assert.equal(`${e.line}:${e.column}`, `${line}:${column}`, `${JSON.stringify(text)}: ${e.message}`);
      assert.match(e.message, message);
    }
  });

  it("refuses an END-less log block and a malformed START line", () => {
    assert.match(errorOf("==== START logs for container c of pod n/p ====\nabc\n").message, /no END line/);
    assert.match(errorOf("==== START logs for something else ====\n{}").message, /Unexpected token '='/);
  });
});

describe("locateJsonError", () => {
  it("points at the first bad character", () => {
    assert.equal(locateJsonError('{"a": [1, 2,]}')?.index, 12);
    assert.equal(locateJsonError('{"a": tru}')?.index, 9);
    assert.equal(locateJsonError('{"a": "\\x"}')?.message, "Bad escaped character in JSON");
    assert.equal(locateJsonError('{"a": 1}'), undefined);
  });
});
