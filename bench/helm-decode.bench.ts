// Benchmarks decoding Helm release storage in the snapshot builder: N release Secrets (Helm's encoding:
// base64 of base64 of gzip of JSON) of a chart rendering M Deployments each, fed through builder.add,
// then build(). Reports revisions/s and rendered-manifest MB/s.
//
//   node --import tsx bench/helm-decode.bench.ts                       (500 releases x 10 revisions, 40 Deployments)
//   node --import tsx bench/helm-decode.bench.ts --releases 1000 --revisions 10 --deployments 60
import { gzipSync } from "node:zlib";
import { parseArgs } from "node:util";
import { createSnapshotBuilder } from "../src/sources/snapshot-builder.js";

const { values } = parseArgs({ options: { releases: { type: "string", default: "500" }, revisions: { type: "string", default: "10" }, deployments: { type: "string", default: "40" } } });
const releases = Number(values.releases);
const revisions = Number(values.revisions);
const deployments = Number(values.deployments);

function deployment(release: string, i: number, revision: number): string {
  const env = Array.from({ length: 15 }, (_, j) => `        - name: E${j}\n          value: "v${j}-${revision}"\n`).join("");
  return `---\n# Source: app/templates/d${i}.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${release}-d${i}\n  labels:\n    helm.sh/chart: app-1.${revision}.0\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: ${release}-d${i}\n  template:\n    metadata:\n      labels:\n        app: ${release}-d${i}\n    spec:\n      containers:\n      - name: web\n        image: "ghcr.io/x/${release}:1.${revision}"\n        env:\n${env}        ports:\n        - name: http\n          containerPort: 8080\n        resources:\n          requests: { cpu: 100m, memory: 128Mi }\n`;
}

const secrets: unknown[] = [];
let manifestBytes = 0;
for (let r = 0; r < releases; r++) {
  const name = `rel-${r}`;
  for (let v = 1; v <= revisions; v++) {
    const manifest = Array.from({ length: deployments }, (_, i) => deployment(name, i, v)).join("");
    manifestBytes += manifest.length;
    const payload = { name, namespace: `ns-${r % 50}`, version: v, info: { status: v === revisions ? "deployed" : "superseded", description: "Upgrade complete" }, chart: { metadata: { name: "app", version: `1.${v}.0` } }, config: { image: { tag: `1.${v}` }, db: { password: "p" } }, manifest };
    const helmString = gzipSync(Buffer.from(JSON.stringify(payload))).toString("base64");
    secrets.push({ apiVersion: "v1", kind: "Secret", type: "helm.sh/release.v1", metadata: { name: `sh.helm.release.v1.${name}.v${v}`, namespace: `ns-${r % 50}` }, data: { release: Buffer.from(helmString).toString("base64") } });
  }
}

const started = performance.now();
const builder = createSnapshotBuilder({ kind: "snapshot", locations: ["bench"] });
for (const s of secrets) builder.add(s);
const snapshot = builder.build();
const ms = performance.now() - started;
const count = secrets.length;
console.log(
  `${count} release Secrets (${releases} releases x ${revisions} revisions, ${deployments} Deployments each, ${(manifestBytes / 1e6).toFixed(0)} MB of manifests): ` +
    `${(ms / 1000).toFixed(1)} s, ${Math.round(count / (ms / 1000))} revisions/s, ${(manifestBytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s; ` +
    `${snapshot.objects.get("HelmRelease")?.length ?? 0} HelmRelease objects; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
);
