// `kubesleuth diagnose connectivity` end to end on test/fixtures/reach/cluster.yaml (described in
// test/reach-cli.test.ts). Expectations are reasoned from the fixture, not copied from output:
//   svc shop/api: port 80 "web" -> targetPort "http", 8080 on api-7f-a and 9090 on api-7f-b;
//   web's egress admits app=api on any port; api's ingress: default-deny, allow-web-to-api (app=web on
//   8080), allow-monitoring (team=ops namespaces on 9100). So web -> api-7f-a:8080 is allowed and
//   web -> api-7f-b:9090 is denied by ingress, by all three policies that select app=api pods.
//   The fixture's pods carry no status: readiness, nodes and cluster DNS cannot be decided.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./cli-harness.js";
import { schemaErrors } from "./report-schema.js";

const SNAP = ["--snapshot", "test/fixtures/reach/cluster.yaml"];

describe("kubesleuth diagnose connectivity", () => {
  it("web -> api.shop: the NetworkPolicy hop fails for the pods behind 9090, naming the isolating policies", async () => {
    const r = await runCli(["diagnose", "connectivity", "shop/deploy/web", "api.shop", "-o", "json", ...SNAP]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(schemaErrors(out), []);
    assert.equal(out.verdict, "failed");
    assert.deepEqual(Object.fromEntries(out.hops.map((h: { id: string; status: string }) => [h.id, h.status])), {
      dns: "unknown",
      service: "passed",
      endpoints: "unknown",
      "network-policy": "failed",
      nodes: "skipped",
      cni: "unknown",
    });
    assert.match(out.hops[3].summary, /partly denied \(2 of 4 pod pairs\) by ingress of the destination/);
    assert.deepEqual(out.connectivity.blockingPolicies.map((p: { name: string }) => p.name), ["allow-monitoring", "allow-web-to-api", "default-deny"]);
    assert.equal(out.connectivity.rootCause.hop, "network-policy");
    assert.deepEqual(out.findings.map((f: { code: string; subject: { name: string } }) => [f.code, f.subject.name]), [["diagnose-connectivity/networkPolicyDenies", "allow-monitoring"]]);
    assert.equal(out.connectivity.fixes[0].verified, true);
    assert.match(out.connectivity.fixes[0].yaml, /port: 9090/);
  });

  it("text: hops in order, root cause, the fix with its YAML; the same question by ClusterIP-less svc ref", async () => {
    const r = await runCli(["diagnose", "connectivity", "deploy/web", "svc/api", "-n", "shop", "--no-color", ...SNAP]);
    assert.equal(r.code, 1);
    const lines = r.stdout.split("\n");
    const order = ["1. DNS", "2. Service", "3. Endpoints", "4. NetworkPolicy", "5. Nodes", "6. CNI"].map((t) => lines.findIndex((l) => l.includes(t)));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.ok(order.every((i) => i >= 0));
    assert.ok(lines.some((l) => l.startsWith("Root cause: ")));
    assert.ok(r.stdout.includes("kubectl apply -f - <<'EOF'"));
  });

  it("diagnose <ref> still works beside the subcommand", async () => {
    const r = await runCli(["diagnose", "shop/deploy/web", ...SNAP]);
    assert.match(r.stdout, /^Diagnosis of Deployment shop\/web/);
    assert.notEqual(r.code, 2);
  });

  it("--probe on a snapshot is unknown with the reason; --allow-ephemeral needs --probe", async () => {
    const r = await runCli(["diagnose", "connectivity", "shop/deploy/web", "api.shop", "--probe", "-o", "json", ...SNAP]);
    const probe = JSON.parse(r.stdout).hops.find((h: { id: string }) => h.id === "probe");
    assert.equal(probe.status, "unknown");
    assert.match(probe.summary, /probe not possible: the source is a snapshot/);
    const bad = await runCli(["diagnose", "connectivity", "shop/deploy/web", "api.shop", "--allow-ephemeral", ...SNAP]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--allow-ephemeral needs --probe/);
  });

  it("bad input: one line and exit 2", async () => {
    for (const args of [
      ["shop/deploy/nope", "api.shop"],
      ["shop/deploy/web", "shop/configmap/x", "--port", "80"],
      ["shop/deploy/web", "shop/pod/api-7f-a"],
      ["shop/deploy/web", "api.shop", "--port", "70000"],
    ]) {
      const r = await runCli(["diagnose", "connectivity", ...args, ...SNAP]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}`);
      assert.match(r.stderr, /^kubesleuth: [^\n]+\n(hint: [^\n]+\n)?$/, args.join(" "));
    }
  });

  it("--help teaches with examples", async () => {
    const r = await runCli(["diagnose", "connectivity", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:\n {2}kubesleuth diagnose connectivity/);
  });
});
