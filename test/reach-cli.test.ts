// `kubesleuth reach` end to end on test/fixtures/reach/cluster.yaml. Every expectation is reasoned
// from networking.k8s.io/v1 NetworkPolicy semantics over the fixture (written down at each case),
// not copied from kubesleuth's output.
//
// The fixture, in short:
//   namespaces shop {team: shop}, ops {team: ops}
//   shop: deploy/web (pods web-6d-a, web-6d-b; app=web), deploy/api (api-7f-a: "http"=8080,
//         api-7f-b: "http"=9090; app=api), sts/db (db-0: "pg"=5432; app=db), bare pod debug (run=debug)
//   ops:  deploy/monitor (monitor-5c-a; app=monitor)
//   svc shop/api: port 80 "web" -> targetPort "http" (a name: 8080 on api-7f-a, 9090 on api-7f-b)
//   svc shop/db:  port 5432 -> 5432
//   policies (all in shop):
//     default-deny       podSelector {}, Ingress, no rules: every shop pod is ingress-isolated
//     allow-web-to-api   app=api ingress from app=web (same namespace) on TCP 8080
//     allow-api-to-db    app=db ingress from app=api on named port "pg"
//     allow-monitoring   {} ingress from namespaces team=ops on TCP 9100
//     web-egress         app=web Egress: to app=api (any port); to 198.51.100.0/24 except .128/25 on TCP 443
//   Nothing selects pods in ops, and only web is egress-isolated.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./cli-harness.js";

const SNAP = ["--snapshot", "test/fixtures/reach/cluster.yaml"];
const reach = (...args: string[]) => runCli(["reach", ...args, ...SNAP]);
const json = async (...args: string[]) => {
  const r = await reach(...args, "-o", "json");
  assert.equal(r.stderr, "", r.stderr);
  return { code: r.code, out: JSON.parse(r.stdout) };
};
const np = (name: string) => ({ kind: "NetworkPolicy", namespace: "shop", name });

describe("kubesleuth reach", () => {
  it("pod -> pod allowed: web's egress rule to app=api (any port) and api's ingress from app=web on 8080", async () => {
    const { code, out } = await json("shop/pod/web-6d-a", "shop/pod/api-7f-a", "--port", "8080");
    assert.equal(out.verdict, "allowed");
    assert.equal(code, 0);
    assert.equal(out.port, 8080);
    assert.equal(out.protocol, "TCP");
    assert.deepEqual(out.from, { kind: "Pod", namespace: "shop", name: "web-6d-a" });
    assert.deepEqual(out.decidedBy, [np("allow-web-to-api"), np("web-egress")]);
    assert.equal(out.pairs.length, 1);
    const pair = out.pairs[0];
    assert.equal(pair.allowed, true);
    assert.deepEqual(pair.egress.allowedBy, [{ policy: { namespace: "shop", name: "web-egress" }, ruleIndex: 0, peerIndex: 0 }]);
    assert.deepEqual(pair.ingress.allowedBy, [{ policy: { namespace: "shop", name: "allow-web-to-api" }, ruleIndex: 0, peerIndex: 0, portIndex: 0 }]);
  });

  it("pod -> pod denied: debug (run=debug) matches no ingress rule of db-0; text names each policy and why", async () => {
    // debug is not egress-isolated; db-0 is isolated by default-deny (no rules), allow-api-to-db
    // (from app=api only) and allow-monitoring (from team=ops namespaces, port 9100).
    const { code, out } = await json("pod/debug", "pod/db-0", "-n", "shop", "--port", "5432");
    assert.equal(out.verdict, "denied");
    assert.equal(code, 1);
    assert.deepEqual(out.decidedBy, [np("allow-api-to-db"), np("allow-monitoring"), np("default-deny")]);
    assert.equal(out.pairs[0].egress.isolated, false);
    const r = await reach("pod/debug", "pod/db-0", "-n", "shop", "--port", "5432");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^DENIED/);
    assert.match(r.stdout, /shop\/default-deny: no ingress rules/);
    assert.match(r.stdout, /shop\/allow-api-to-db spec\.ingress\[0\]: from\[0\]: podSelector \{app=api\} does not match/);
    assert.match(r.stdout, /shop\/allow-monitoring spec\.ingress\[0\]: from\[0\]: namespaceSelector \{team=ops\}.*ports\[0\]: port 9100, the connection is to 5432/);
  });

  it("allowed text names the rule of the policy that allowed each side", async () => {
    const r = await reach("shop/pod/web-6d-a", "shop/pod/api-7f-a", "--port", "8080");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^ALLOWED/);
    assert.match(r.stdout, /egress: allowed by NetworkPolicy shop\/web-egress spec\.egress\[0\]/);
    assert.match(r.stdout, /ingress: allowed by NetworkPolicy shop\/allow-web-to-api spec\.ingress\[0\]/);
  });

  it("deploy -> svc is checked on the named targetPort of every endpoint pod: 8080 allowed, 9090 denied = partial", async () => {
    // Service port 80 -> targetPort "http": api-7f-a serves it on 8080 (allow-web-to-api admits),
    // api-7f-b on 9090 (no rule admits 9090). 2 web pods x 2 api pods = 4 pairs, 2 allowed.
    const { code, out } = await json("shop/deploy/web", "shop/svc/api");
    assert.equal(out.verdict, "partial");
    assert.equal(code, 1);
    assert.deepEqual(out.to, { kind: "Service", namespace: "shop", name: "api" });
    assert.equal(out.port, 80);
    assert.deepEqual(out.service, { port: 80, name: "web", targetPort: "http", protocol: "TCP" });
    assert.deepEqual(out.counts, { pairs: 4, allowed: 2, denied: 2, unknown: 0 });
    for (const p of out.pairs) {
      const expectedPort = p.to.name === "api-7f-a" ? 8080 : 9090;
      assert.equal(p.port, expectedPort, `${p.from.name} -> ${p.to.name}`);
      assert.equal(p.allowed, p.to.name === "api-7f-a", `${p.from.name} -> ${p.to.name}`);
    }
    // The Service port by name is the same question.
    assert.equal((await json("shop/deploy/web", "shop/svc/api", "--port", "web")).out.verdict, "partial");
  });

  it("deploy -> svc allowed on a numeric targetPort; a named policy port resolves on the destination", async () => {
    // db's Service 5432 -> 5432; allow-api-to-db admits app=api on "pg" = 5432 on db-0. api is not egress-isolated.
    const { code, out } = await json("shop/deploy/api", "shop/svc/db");
    assert.equal(out.verdict, "allowed");
    assert.equal(code, 0);
    assert.equal(out.pairs.length, 2);
    assert.ok(out.pairs.every((p: { port: number }) => p.port === 5432));
    assert.deepEqual(out.decidedBy, [np("allow-api-to-db")]);
  });

  it("a namespace source: every pod of ops reaches db-0 on 9100 (allow-monitoring)", async () => {
    const { code, out } = await json("ns/ops", "shop/pod/db-0", "--port", "9100");
    assert.equal(out.verdict, "allowed");
    assert.equal(code, 0);
    assert.deepEqual(out.from, { kind: "Namespace", name: "ops" });
    assert.deepEqual(out.pairs.map((p: { from: { name: string } }) => p.from.name), ["monitor-5c-a"]);
  });

  it("IP destination: web's egress ipBlock 198.51.100.0/24 except .128/25 on 443", async () => {
    // Inside the block and outside except, on 443: allowed (the address side has no ingress policy).
    assert.equal((await json("shop/pod/web-6d-a", "198.51.100.10", "--port", "443")).out.verdict, "allowed");
    // In except: denied. Right address, wrong port: denied.
    const inExcept = await json("shop/pod/web-6d-a", "198.51.100.200", "--port", "443");
    assert.equal(inExcept.out.verdict, "denied");
    assert.equal(inExcept.code, 1);
    assert.equal((await json("shop/pod/web-6d-a", "198.51.100.10", "--port", "80")).out.verdict, "denied");
    // The whole /24: the lower half allowed, the upper (except) half denied -> partial, one pair per piece.
    const cidr = await json("shop/deploy/web", "198.51.100.0/24", "--port", "443");
    assert.equal(cidr.out.verdict, "partial");
    assert.deepEqual(
      cidr.out.pairs.filter((p: { from: { name: string } }) => p.from.name === "web-6d-a").map((p: { to: { address: string }; allowed: boolean }) => [p.to.address, p.allowed]),
      [["198.51.100.0-198.51.100.127", true], ["198.51.100.128-198.51.100.255", false]],
    );
    // An address that is a pod's IP is that pod: 10.0.2.1 is api-7f-a.
    const podIp = await json("shop/pod/web-6d-a", "10.0.2.1", "--port", "8080");
    assert.equal(podIp.out.verdict, "allowed");
    assert.deepEqual(podIp.out.pairs[0].to, { kind: "Pod", namespace: "shop", name: "api-7f-a" });
  });

  it("--matrix json: n*(n-1) entries over the workloads (a bare pod is its own), specific cells on 8080", async () => {
    const { code, out } = await json("--matrix", "-A", "--port", "8080");
    assert.equal(code, 0);
    // Workloads: ops/deploy/monitor, shop/deploy/api, shop/deploy/web, shop/sts/db, shop/pod/debug.
    assert.equal(out.workloads.length, 5);
    assert.equal(out.entries.length, 5 * 4);
    assert.equal(out.port, 8080);
    assert.equal(out.protocol, "TCP");
    const cell = (from: string, to: string): boolean => {
      const key = (r: { kind: string; namespace: string; name: string }) => `${r.namespace}/${r.kind}/${r.name}`;
      const found = out.entries.filter((e: { from: never; to: never }) => key(e.from) === from && key(e.to) === to);
      assert.equal(found.length, 1, `${from} -> ${to}`);
      return found[0].allowed;
    };
    // web -> api: web-egress admits app=api on any port; allow-web-to-api admits 8080 (both api pods).
    assert.equal(cell("shop/Deployment/web", "shop/Deployment/api"), true);
    // api -> web: web is isolated by default-deny; only allow-monitoring (ops, 9100) admits anything.
    assert.equal(cell("shop/Deployment/api", "shop/Deployment/web"), false);
    // debug -> api: allow-web-to-api admits app=web only.
    assert.equal(cell("shop/Pod/debug", "shop/Deployment/api"), false);
    // api -> db on 8080: allow-api-to-db admits "pg" = 5432 only.
    assert.equal(cell("shop/Deployment/api", "shop/StatefulSet/db"), false);
    // Anything -> monitor: nothing isolates ops pods; web's egress only reaches app=api in shop and the ipBlock.
    assert.equal(cell("shop/Deployment/api", "ops/Deployment/monitor"), true);
    assert.equal(cell("shop/Pod/debug", "ops/Deployment/monitor"), true);
    assert.equal(cell("shop/Deployment/web", "ops/Deployment/monitor"), false);
    // monitor -> db on 8080: allow-monitoring admits 9100 only.
    assert.equal(cell("ops/Deployment/monitor", "shop/StatefulSet/db"), false);
    // On 9100 monitor reaches every shop workload.
    const on9100 = (await json("--matrix", "--port", "9100")).out;
    const fromMonitor = on9100.entries.filter((e: { from: { name: string } }) => e.from.name === "monitor");
    assert.equal(fromMonitor.length, 4);
    assert.ok(fromMonitor.every((e: { allowed: boolean }) => e.allowed));
  });

  it("--matrix without --port: some TCP port; -n scopes the workloads", async () => {
    const { out } = await json("--matrix", "-n", "shop");
    assert.equal(out.port, null);
    assert.equal(out.workloads.length, 4);
    assert.equal(out.entries.length, 4 * 3);
    // api -> db: allowed on 5432 ("pg"), so some TCP port is allowed.
    const apiDb = out.entries.find((e: { from: { name: string }; to: { name: string } }) => e.from.name === "api" && e.to.name === "db");
    assert.equal(apiDb.allowed, true);
  });

  it("--matrix -o csv: header and one line per ordered pair", async () => {
    const r = await reach("--matrix", "-n", "shop", "--port", "8080", "-o", "csv");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "from,to,allowed");
    assert.equal(lines.length, 1 + 12);
    assert.ok(lines.includes("shop/deployment/web,shop/deployment/api,true"));
    assert.ok(lines.includes("shop/deployment/api,shop/deployment/web,false"));
    const text = await reach("--matrix", "-n", "shop", "--port", "8080");
    assert.equal(text.code, 0);
    assert.match(text.stdout, /4 workload\(s\)/);
  });

  it("bad refs and bad usage exit 2 with one message", async () => {
    const cases: string[][] = [
      ["gizmo/x", "shop/pod/db-0", "--port", "1"], // unknown kind
      ["shop/deploy/nope", "shop/pod/db-0", "--port", "1"], // not found
      ["shop/cm/settings", "shop/pod/db-0", "--port", "1"], // a kind reach cannot take
      ["10.0.0.1", "192.0.2.0/24", "--port", "1"], // two addresses
      ["shop/pod/debug", "shop/pod/db-0"], // no --port for a pod destination
      ["shop/deploy/web", "shop/svc/api", "--port", "81"], // not a port of the Service
      ["shop/pod/debug"], // missing <to>
      ["--matrix", "shop/pod/debug"], // --matrix takes no from/to
      ["shop/pod/debug", "shop/pod/db-0", "--port", "5432", "-o", "csv"], // csv is for --matrix
      ["shop/pod/debug", "shop/pod/db-0", "--port", "5432", "--protocol", "ICMP"],
      ["shop/pod/debug", "shop/pod/db-0", "--port", "70000"],
    ];
    for (const args of cases) {
      const r = await reach(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}`);
      assert.equal(r.stdout, "", args.join(" "));
      assert.match(r.stderr, /^kubesleuth: /, args.join(" "));
    }
  });

  it("--help documents the forms and the exit codes", async () => {
    const r = await runCli(["reach", "--help"]);
    assert.equal(r.code, 0);
    for (const word of ["--matrix", "--port", "--protocol", "targetPort", "Exit codes: 0 allowed", "partial"]) assert.ok(r.stdout.includes(word), word);
  });
});
