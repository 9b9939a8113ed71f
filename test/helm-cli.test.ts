// `kubesleuth helm history` and `helm diff` on a snapshot file holding real-format release Secrets
// (encoded here as Helm's Secret driver does: base64(base64(gzip(JSON))) as seen through the API).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runCli } from "./cli-harness.js";

const CANARY_VALUE = "canary-cli-values-5e0c9a13";
const CANARY_OLD = "canary-cli-secret-old-77a1";
const CANARY_NEW = "canary-cli-secret-new-2f4b";

function manifest(targetPort: string, tag: string, secret: string, extra = ""): string {
  return [
    "---\n# Source: shop-web/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: shop-web-db\nstringData:\n  password: " + secret,
    "---\n# Source: shop-web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: shop-web\nspec:\n  selector:\n    app: shop-web\n  ports:\n  - name: http\n    port: 80\n    targetPort: " + targetPort,
    "---\n# Source: shop-web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop-web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/example/shop-web:" + tag,
    extra,
  ].join("\n");
}

function releaseSecret(version: number, status: string, chartVersion: string, config: Record<string, unknown>, text: string, description: string): unknown {
  const release = {
    name: "shop-web",
    namespace: "shop",
    version,
    info: { first_deployed: "2026-11-20T08:00:00Z", last_deployed: `2026-11-20T${String(7 + version).padStart(2, "0")}:30:00Z`, deleted: "", description, status },
    chart: { metadata: { name: "shop-web", version: chartVersion, appVersion: "2.8.1" }, values: { db: { password: CANARY_VALUE } } },
    config,
    manifest: text,
  };
  const helmString = gzipSync(Buffer.from(JSON.stringify(release))).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "helm.sh/release.v1",
    metadata: { name: `sh.helm.release.v1.shop-web.v${version}`, namespace: "shop", labels: { owner: "helm", name: "shop-web", status, version: String(version) } },
    data: { release: Buffer.from(helmString).toString("base64") },
  };
}

let file: string;
before(() => {
  const dir = mkdtempSync(join(tmpdir(), "ks-helm-cli-"));
  file = join(dir, "secrets.json");
  const items = [
    releaseSecret(1, "superseded", "0.3.0", {}, manifest("http", "2.8.1", CANARY_OLD), "Install complete"),
    releaseSecret(2, "superseded", "0.3.0", { db: { password: CANARY_VALUE } }, manifest("http", "2.8.1", CANARY_OLD), "Upgrade complete"),
    releaseSecret(3, "deployed", "0.4.0", { db: { password: CANARY_VALUE }, image: { tag: "2.9.0" }, service: { targetPort: "web" } },
      manifest("web", "2.9.0", CANARY_NEW, "---\n# Source: shop-web/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-web-cfg\ndata:\n  mode: fast\n"), "Upgrade complete"),
  ];
  writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items }));
});

function noCanary(text: string): void {
  for (const c of [CANARY_VALUE, CANARY_OLD, CANARY_NEW]) assert.ok(!text.includes(c), `output contains ${c}`);
}

describe("kubesleuth helm", () => {
  it("history: helm history's columns, oldest first", async () => {
    const r = await runCli(["helm", "history", "shop-web", "--snapshot", file]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => l.split("\t").map((c) => c.trim()));
    assert.deepEqual(lines[0], ["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]);
    assert.deepEqual(lines.slice(1), [
      ["1", "2026-11-20T08:30:00Z", "superseded", "shop-web-0.3.0", "2.8.1", "Install complete"],
      ["2", "2026-11-20T09:30:00Z", "superseded", "shop-web-0.3.0", "2.8.1", "Upgrade complete"],
      ["3", "2026-11-20T10:30:00Z", "deployed", "shop-web-0.4.0", "2.8.1", "Upgrade complete"],
    ]);
  });

  it("history -o json: helm's field names", async () => {
    const r = await runCli(["helm", "history", "shop-web", "-n", "shop", "--snapshot", file, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { revision: number; status: string; app_version: string }[];
    assert.deepEqual(rows.map((x) => [x.revision, x.status, x.app_version]), [[1, "superseded", "2.8.1"], [2, "superseded", "2.8.1"], [3, "deployed", "2.8.1"]]);
  });

  it("diff (default 2 -> 3): changed fields as paths old -> new, added resource, values, chart; secrets only as fingerprints", async () => {
    const r = await runCli(["helm", "diff", "shop-web", "--snapshot", file]);
    assert.equal(r.code, 0, r.stderr);
    noCanary(r.stdout);
    assert.match(r.stdout, /revision 2 → 3/);
    assert.match(r.stdout, /Chart: shop-web-0\.3\.0 → shop-web-0\.4\.0/);
    assert.match(r.stdout, /~ Service shop\/shop-web/);
    assert.match(r.stdout, /~ spec\.ports\[name=http\]\.targetPort: http → web/);
    assert.match(r.stdout, /~ spec\.template\.spec\.containers\[name=web\]\.image: ghcr\.io\/example\/shop-web:2\.8\.1 → ghcr\.io\/example\/shop-web:2\.9\.0/);
    assert.match(r.stdout, /\+ ConfigMap shop\/shop-web-cfg/);
    // The rendered Secret's value changed: two different fingerprints, no value.
    assert.match(r.stdout, /~ stringData\.password: <redacted by kubesleuth> #[0-9a-f]{8} → <redacted by kubesleuth> #[0-9a-f]{8}/);
    assert.match(r.stdout, /\+ service\.targetPort: web/);
    assert.match(r.stdout, /\+ image\.tag: 2\.9\.0/);
    // db.password is the same value in 2 and 3: no values line for it.
    assert.ok(!/db/.test(r.stdout.split("User-supplied values")[1] ?? ""), r.stdout);
  });

  it("diff 1 2 -o json: only values changed (the password, as a marker)", async () => {
    const r = await runCli(["helm", "diff", "shop-web", "1", "2", "--snapshot", file, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    noCanary(r.stdout);
    const d = JSON.parse(r.stdout) as { from: number; to: number; resources: unknown[]; values: { path: string; change: string; new: string }[]; chart?: unknown };
    assert.deepEqual([d.from, d.to, d.resources, d.chart], [1, 2, [], undefined]);
    assert.deepEqual(d.values.map((v) => [v.path, v.change]), [["db.password", "added"]]);
    assert.match(JSON.stringify(d.values[0]!.new), /redacted by kubesleuth/);
  });

  it("unknown release or revision: one line, exit 2", async () => {
    const r = await runCli(["helm", "history", "nope", "--snapshot", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Helm release "nope" not found/);
    assert.match(r.stderr, /releases found: shop\/shop-web/);
    const d = await runCli(["helm", "diff", "shop-web", "7", "--snapshot", file]);
    assert.equal(d.code, 2);
    assert.match(d.stderr, /has no revision "7"/);
  });
});
