import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSelector, type CompiledSelector } from "./selector-string.js";

function compiled(input: string): CompiledSelector {
  const result = compileSelector(input);
  if (!result.ok) assert.fail(`${JSON.stringify(input)}: ${result.error}`);
  return result;
}

function plain(input: string): [string, string, string[]][] {
  return compiled(input).requirements.map((r) => [r.key, r.operator, [...r.values]]);
}

test("TestSelectorParse: good strings restring without spaces, bad strings fail", () => {
  // Source: k8s.io/apimachinery pkg/labels/selector_test.go TestSelectorParse.
  for (const input of ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"]) {
    assert.equal(compiled(input).text, input.replaceAll(" ", ""), input);
  }
  for (const input of ["x=a||y=b", "x==a==b", "!x=a", "x<a"]) {
    assert.equal(compileSelector(input).ok, false, input);
  }
});

test("TestDeterministicParse: requirements are sorted by key", () => {
  // Source: selector_test.go TestDeterministicParse.
  assert.equal(compiled("x=a,a=x").text, compiled("a=x,x=a").text);
  assert.equal(compiled("x=a,a=x").text, "a=x,x=a");
});

test("TestSelectorMatches", () => {
  // Source: selector_test.go TestSelectorMatches (expectMatch / expectNoMatch).
  const yes: [string, Record<string, string>][] = [
    ["", { x: "y" }],
    ["x=y", { x: "y" }],
    ["x=y,z=w", { x: "y", z: "w" }],
    ["x!=y,z!=w", { x: "z", z: "a" }],
    ["notin=in", { notin: "in" }], // in and notin in exactMatch
    ["x", { x: "z" }],
    ["!x", { y: "z" }],
    ["x>1", { x: "2" }],
    ["x<1", { x: "0" }],
    ["foo=bar", { foo: "bar", baz: "blah" }],
    ["baz=blah", { foo: "bar", baz: "blah" }],
    ["foo=bar,baz=blah", { foo: "bar", baz: "blah" }],
  ];
  const no: [string, Record<string, string>][] = [
    ["x=z", {}],
    ["x=y", { x: "z" }],
    ["x=y,z=w", { x: "w", z: "w" }],
    ["x!=y,z!=w", { x: "z", z: "w" }],
    ["x", { y: "z" }],
    ["!x", { x: "z" }],
    ["x>1", { x: "0" }],
    ["x<1", { x: "2" }],
    ["foo=blah", { foo: "bar", baz: "blah" }],
    ["baz=bar", { foo: "bar", baz: "blah" }],
    ["foo=bar,foobar=bar,baz=blah", { foo: "bar", baz: "blah" }],
  ];
  for (const [selector, labels] of yes) assert.equal(compiled(selector).matches(labels), true, `${selector} ${JSON.stringify(labels)}`);
  for (const [selector, labels] of no) assert.equal(compiled(selector).matches(labels), false, `${selector} ${JSON.stringify(labels)}`);
});

test("a!=b and a notin (b) match when a is absent; a=b and a in (b) do not", () => {
  // labels.Requirement.Matches: NotIn/NotEquals → "if !ls.Has(r.key) { return true }".
  assert.equal(compiled("a!=b").matches({}), true);
  assert.equal(compiled("a notin (b)").matches({ c: "d" }), true);
  assert.equal(compiled("a=b").matches({}), false);
  assert.equal(compiled("a in (b)").matches(undefined), false);
  assert.equal(compiled("a==b").matches({ a: "b" }), true);
});

test("TestSetSelectorParser", () => {
  // Source: selector_test.go TestSetSelectorParser. Expected requirements are getRequirement(...)
  // with sets.NewString(...).List(), i.e. values sorted and deduplicated.
  const valid: [string, [string, string, string[]][] | undefined][] = [
    ["", []],
    ["\rx", [["x", "exists", []]]],
    ["this-is-a-dns.domain.com/key-with-dash", [["this-is-a-dns.domain.com/key-with-dash", "exists", []]]],
    ["this-is-another-dns.domain.com/key-with-dash in (so,what)", [["this-is-another-dns.domain.com/key-with-dash", "in", ["so", "what"]]]],
    ["0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", [["0.1.2.domain/99", "notin", ["10.10.100.1", "tick.tack.clock"]]]],
    ["foo  in\t (abc)", [["foo", "in", ["abc"]]]],
    ["x notin\n (abc)", [["x", "notin", ["abc"]]]],
    ["x  notin\t\t\t(abc,def)", [["x", "notin", ["abc", "def"]]]],
    ["x in (abc,def)", [["x", "in", ["abc", "def"]]]],
    ["x in (abc,)", [["x", "in", ["", "abc"]]]],
    ["x in ()", [["x", "in", [""]]]],
    [
      "x notin (abc,,def),bar,z in (),w",
      [
        ["bar", "exists", []],
        ["w", "exists", []],
        ["x", "notin", ["", "abc", "def"]],
        ["z", "in", [""]],
      ],
    ],
    ["x,y in (a)", undefined], // upstream's expected value is in a different order and not compared (Match: false)
    ["x=a", [["x", "=", ["a"]]]],
    ["x>1", [["x", "gt", ["1"]]]],
    ["x<7", [["x", "lt", ["7"]]]],
    ["x=a,y!=b", [["x", "=", ["a"]], ["y", "!=", ["b"]]]],
    ["x=a,y!=b,z in (h,i,j)", [["x", "=", ["a"]], ["y", "!=", ["b"]], ["z", "in", ["h", "i", "j"]]]],
    ["x notin ( )", [["x", "notin", [""]]]],
    ["x notin (, a)", [["x", "notin", ["", "a"]]]],
    ["a ", [["a", "exists", []]]],
    ["a in (x,y,notin, z,in)", [["a", "in", ["in", "notin", "x", "y", "z"]]]], // operator 'in' inside list of identifiers
  ];
  for (const [input, want] of valid) {
    const result = compileSelector(input);
    assert.equal(result.ok, true, `${JSON.stringify(input)}: ${result.ok ? "" : result.error}`);
    if (want) assert.deepEqual(plain(input), want, input);
  }
  for (const input of ["x=a||y=b", "x,,y", ",x,y", "x nott in (y)", "a in (xyz),", "a in (xyz)b notin ()", "a in (xyz abc)", "a notin(", "a (", "("]) {
    assert.equal(compileSelector(input).ok, false, input);
  }
});

test("selector strings that parse but select nothing useful are still valid; key and value syntax is enforced", () => {
  assert.equal(compileSelector("app.kubernetes.io/name=web").ok, true);
  assert.equal(compileSelector("a".repeat(63) + "=x").ok, true);
  assert.equal(compileSelector("a".repeat(64) + "=x").ok, false); // name part > 63
  assert.equal(compileSelector(`${"a".repeat(253)}/b=x`).ok, true);
  assert.equal(compileSelector(`${"a".repeat(254)}/b=x`).ok, false); // prefix > 253
  assert.equal(compileSelector("Example.com/b=x").ok, false); // prefix must be a lowercase DNS subdomain
  assert.equal(compileSelector(`a=${"v".repeat(63)}`).ok, true);
  assert.equal(compileSelector(`a=${"v".repeat(64)}`).ok, false);
  assert.equal(compileSelector("a=-v").ok, false);
  assert.equal(compileSelector("a in (ok,-bad)").ok, false);
  assert.equal(compileSelector("a>1.5").ok, false);
});

test("errors name the token and its position", () => {
  const failure = compileSelector("app=web,tier db");
  assert.equal(failure.ok, false);
  if (!failure.ok) {
    assert.equal(failure.position, 13);
    assert.match(failure.error, /found 'db', expected: in, notin, =, ==, !=, gt, lt/);
    assert.match(failure.error, /column 14/);
  }
  const trailing = compileSelector("a in (xyz),");
  assert.equal(trailing.ok, false);
  if (!trailing.ok) {
    assert.equal(trailing.position, 11);
    assert.match(trailing.error, /expected: identifier after ','/);
  }
  const badKey = compileSelector("a=b,-c=d");
  assert.equal(badKey.ok, false);
  if (!badKey.ok) {
    assert.equal(badKey.position, 4);
    assert.match(badKey.error, /unable to parse requirement: invalid label key "-c"/);
  }
  const badValue = compileSelector("a=b, c=-d");
  assert.equal(badValue.ok, false);
  if (!badValue.ok) assert.equal(badValue.position, 5);
});

test("the lexer: longest special-symbol token, keywords, identifiers", () => {
  // Source: selector_test.go TestLexer / TestLexerSequence, observed through the parser.
  assert.deepEqual(plain("key in ( value )"), [["key", "in", ["value"]]]);
  assert.deepEqual(plain("key notin ( value1, value2 )"), [["key", "notin", ["value1", "value2"]]]);
  assert.deepEqual(plain("key!=x"), [["key", "!=", ["x"]]]);
  assert.deepEqual(plain("key==x"), [["key", "==", ["x"]]]);
  assert.deepEqual(plain("in=notin"), [["in", "=", ["notin"]]]);
  assert.deepEqual(plain("key>2"), [["key", "gt", ["2"]]]);
  assert.equal(compileSelector("~").ok, false); // "~" lexes as an identifier, then fails key validation
  assert.equal(compileSelector("x=a||y").ok, false); // "||" is part of an identifier, an invalid value
});

test("formatting follows labels.Selector.String", () => {
  // Source: selector_test.go TestToString (through parse → String).
  assert.equal(compiled("x in (def,abc),y notin (jkl),z").text, "x in (abc,def),y notin (jkl),z");
  assert.equal(compiled("x notin (abc,def),y!=jkl,!z").text, "x notin (abc,def),y!=jkl,!z");
  assert.equal(compiled("x notin (abc),y in (jkl,mno),z notin ()").text, "x notin (abc),y in (jkl,mno),z notin ()");
  assert.equal(compiled("x=abc,y==jkl,z!=a,z").text, "x=abc,y==jkl,z!=a,z");
  assert.equal(compiled("x>2,y<8,z").text, "x>2,y<8,z");
});
