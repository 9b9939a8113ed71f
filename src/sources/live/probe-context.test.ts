// probeContext against tiny HTTP servers answering as the API server does for /version and SelfSubjectReview
// (authentication.k8s.io/v1 since 1.28, v1beta1 in 1.27, absent before: 404).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeContext } from "./probe-context.js";

const TOKEN = "probe-test-token-abcdef123456";
const dir = mkdtempSync(join(tmpdir(), "ks-probe-"));
const servers: http.Server[] = [];
after(() => servers.forEach((s) => s.close()));

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
  body: string;
}

/** A server answering /version, and SelfSubjectReview POSTs with `ssr(apiVersion)` => [status, body]. */
async function serve(ssr: (apiVersion: string) => [number, unknown], seen: Seen[]): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 401, reason: "Unauthorized" }));
        return;
      }
      if (req.url === "/version") {
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ gitVersion: "v1.27.3" }));
        return;
      }
      const m = /^\/apis\/authentication\.k8s\.io\/(v1|v1beta1)\/selfsubjectreviews$/.exec(req.url ?? "");
      const [status, answer] = m && req.method === "POST" ? ssr(m[1]!) : [404, { kind: "Status", code: 404 }];
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function kubeconfigFor(server: string, token = TOKEN): string {
  const path = join(dir, `kc-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server } }],
      users: [{ name: "u", user: { token } }],
      contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
      "current-context": "ctx",
    }),
  );
  return path;
}

const review = (apiVersion: string) => ({ apiVersion: `authentication.k8s.io/${apiVersion}`, kind: "SelfSubjectReview", status: { userInfo: { username: "jane", groups: ["devs", "system:authenticated"] } } });

describe("probeContext", () => {
  it("v1 SelfSubjectReview: authenticated as the server says; the token is sent as a bearer token and never returned", async () => {
    const seen: Seen[] = [];
    const server = await serve((v) => (v === "v1" ? [201, review(v)] : [404, {}]), seen);
    const probe = await probeContext(kubeconfigFor(server), "ctx", {}, 5000);
    assert.deepEqual(probe.version, { answers: true, status: 200, gitVersion: "v1.27.3" });
    assert.deepEqual(probe.auth, { status: "authenticated", username: "jane", groups: ["devs", "system:authenticated"], apiVersion: "authentication.k8s.io/v1" });
    const post = seen.find((s) => s.method === "POST")!;
    assert.equal(post.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(JSON.parse(post.body), { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
    assert.equal(JSON.stringify(probe).includes(TOKEN), false);
  });

  it("1.27: v1 absent (404), v1beta1 answers", async () => {
    const server = await serve((v) => (v === "v1beta1" ? [201, review(v)] : [404, {}]), []);
    const probe = await probeContext(kubeconfigFor(server), "ctx", {}, 5000);
    assert.equal(probe.auth.status, "authenticated");
    assert.equal((probe.auth as { apiVersion: string }).apiVersion, "authentication.k8s.io/v1beta1");
  });

  it("API absent (404 for both): unsupported, /version only; a rejected token: 401 on everything, unauthenticated", async () => {
    const server = await serve(() => [404, {}], []);
    const absent = await probeContext(kubeconfigFor(server), "ctx", {}, 5000);
    assert.equal(absent.auth.status, "unsupported");
    assert.equal(absent.version.answers, true);
    const refused = await probeContext(kubeconfigFor(server, "wrong-token-0000"), "ctx", {}, 5000);
    assert.deepEqual(refused.version, { answers: true, status: 401 });
    assert.equal(refused.auth.status, "unauthenticated");
  });

  it("403 on the review: authenticated but not allowed to ask", async () => {
    const server = await serve(() => [403, { kind: "Status", code: 403 }], []);
    const probe = await probeContext(kubeconfigFor(server), "ctx", {}, 5000);
    assert.equal(probe.auth.status, "forbidden");
  });
});
