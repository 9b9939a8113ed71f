// Expected results follow the kubelet's code (k8s pkg/credentialprovider keyring.go urlsMatch /
// BasicDockerKeyring.Add / Lookup, config.go decodeDockerConfigFieldAuth), reasoned case by case below.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keyringKey, matchingRegistryKeys, registryKeyMatches, repositoryToPull, summarizeRegistryConfig } from "./registry-credentials.js";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

describe("keyringKey (BasicDockerKeyring.Add)", () => {
  const cases: [string, string][] = [
    ["https://index.docker.io/v1/", "index.docker.io"], // docker login's key: /v1/ -> "/" -> host only
    ["index.docker.io", "index.docker.io"],
    ["registry.example.com:5000", "registry.example.com:5000"], // port kept
    ["http://registry.example.com:5000/v2/", "registry.example.com:5000"], // scheme and /v2/ stripped
    ["quay.io/team", "quay.io/team"], // a path narrows the entry
    ["https://quay.io/v2/team/app", "quay.io/team/app"], // "/v2/team/app"[3:] = "/team/app"
    ["*.example.com", "*.example.com"],
  ];
  for (const [input, key] of cases) it(`${input} -> ${key}`, () => assert.equal(keyringKey(input), key));
});

describe("registryKeyMatches (urlsMatch)", () => {
  const cases: [string, string, boolean, string][] = [
    ["*.docker.io", "blah.docker.io/x", true, "the keyring.go doc comment's example"],
    ["*.docker.io", "not.right.io/x", false, "the keyring.go doc comment's example"],
    ["*.example.com", "example.com/app", false, "label count differs (2 vs 3)"],
    ["*.example.com", "a.b.example.com/app", false, "label count differs (4 vs 3): * covers one label"],
    ["registry.example.com", "registry.example.com:5000/app", false, "ports must be equal ('' vs 5000)"],
    ["registry.example.com:5000", "registry.example.com:5000/app", true, "same port"],
    ["quay.io/team", "quay.io/team/app", true, "path prefix"],
    ["quay.io/team", "quay.io/other/app", false, "path is not a prefix"],
    ["quay.io/team", "quay.io/team-b/app", true, "a plain string prefix: /team-b/app starts with /team"],
    ["reg?.example.com", "reg1.example.com/x", true, "filepath.Match ?"],
    ["reg[0-9].example.com", "regx.example.com/x", false, "filepath.Match class"],
  ];
  for (const [key, target, expected, why] of cases) it(`${key} vs ${target}: ${expected} (${why})`, () => assert.equal(registryKeyMatches(key, target), expected));
});

describe("matchingRegistryKeys (Lookup on the normalized repository)", () => {
  it("Docker Hub images: docker.io matches directly, index.docker.io through the default-registry rule, registry-1.docker.io never", () => {
    assert.equal(repositoryToPull("nginx:1.27"), "docker.io/library/nginx");
    assert.deepEqual(matchingRegistryKeys(["docker.io"], "nginx:1.27"), ["docker.io"]);
    assert.deepEqual(matchingRegistryKeys(["index.docker.io"], "team/app:1"), ["index.docker.io"]);
    assert.deepEqual(matchingRegistryKeys(["registry-1.docker.io"], "team/app:1"), []);
  });
  it("a private registry: the entry for another host does not match; the most specific key comes first", () => {
    assert.deepEqual(matchingRegistryKeys(["index.docker.io"], "registry.example.com/team/app:1"), []);
    assert.deepEqual(matchingRegistryKeys(["quay.io", "quay.io/team"], "quay.io/team/app@sha256:" + "a".repeat(64)), ["quay.io/team", "quay.io"]);
  });
});

describe("summarizeRegistryConfig (MakeDockerKeyring's parse)", () => {
  it("lists each registry and which credential fields it has, nothing else", () => {
    const text = JSON.stringify({ auths: { "https://index.docker.io/v1/": { auth: b64("bot:s3cret") }, "registry.example.com:5000": { username: "u", password: "p" } } });
    const summary = summarizeRegistryConfig("kubernetes.io/dockerconfigjson", text);
    assert.deepEqual(summary, {
      key: ".dockerconfigjson",
      parses: true,
      entries: [
        { registry: "index.docker.io", hasAuth: true, hasUsername: true, hasPassword: true, hasIdentityToken: false },
        { registry: "registry.example.com:5000", hasAuth: false, hasUsername: true, hasPassword: true, hasIdentityToken: false },
      ],
    });
    assert.ok(!JSON.stringify(summary).includes("s3cret"));
  });
  it("dockercfg is the bare map of registries", () => {
    assert.deepEqual(summarizeRegistryConfig("kubernetes.io/dockercfg", JSON.stringify({ "quay.io": { auth: b64("a:b") } }))?.entries.map((e) => e.registry), ["quay.io"]);
  });
  it("fails like the kubelet: invalid JSON, an auth that is not base64 of user:password, a missing key", () => {
    assert.equal(summarizeRegistryConfig("kubernetes.io/dockerconfigjson", "{not json")?.parses, false);
    assert.equal(summarizeRegistryConfig("kubernetes.io/dockerconfigjson", JSON.stringify({ auths: { "quay.io": { auth: b64("nocolon") } } }))?.parses, false);
    assert.equal(summarizeRegistryConfig("kubernetes.io/dockerconfigjson", undefined)?.parses, false);
    // No "auths": an empty keyring, not an error (DockerConfigJSON.Auths stays nil).
    assert.deepEqual(summarizeRegistryConfig("kubernetes.io/dockerconfigjson", "{}"), { key: ".dockerconfigjson", parses: true, entries: [] });
  });
  it("other types are not pull Secrets", () => assert.equal(summarizeRegistryConfig("Opaque", "{}"), undefined));
});
