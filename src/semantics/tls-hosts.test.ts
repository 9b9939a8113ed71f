import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { coveringName, dnsNameMatches } from "./tls-hosts.js";

// RFC 6125 §6.4.3 and its examples: "*.example.com" matches "foo.example.com" but not "bar.foo.example.com"
// nor "example.com"; comparison is case-insensitive (§6.4.1). Go's crypto/x509 (validHostname/matchHostnames)
// also rejects a wildcard that is not the whole left-most label ("f*.example.com").
describe("dnsNameMatches (RFC 6125)", () => {
  const table: [string, string, boolean][] = [
    ["shop.example.com", "shop.example.com", true],
    ["Shop.Example.COM", "shop.example.com", true],
    ["shop.example.com.", "shop.example.com", true],
    ["*.example.com", "foo.example.com", true],
    ["*.example.com", "bar.foo.example.com", false],
    ["*.example.com", "example.com", false],
    ["*.example.com", "*.example.com", true],
    ["f*.example.com", "foo.example.com", false],
    ["*.com", "example.com", false],
    ["example.com", "www.example.com", false],
    ["*.shop.example.com", "grafana.shop.example.com", true],
  ];
  for (const [pattern, host, want] of table) {
    it(`${pattern} vs ${host}: ${want}`, () => assert.equal(dnsNameMatches(pattern, host), want));
  }
  it("coveringName picks the first name that matches", () => {
    assert.equal(coveringName(["a.example.com", "*.example.com"], "b.example.com"), "*.example.com");
    assert.equal(coveringName(["a.example.com"], "b.example.com"), undefined);
  });
});
