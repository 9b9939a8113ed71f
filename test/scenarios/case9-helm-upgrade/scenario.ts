// A Helm release upgraded into a broken state: `helm install` of test/fixtures/charts/shop-web, then
// `helm upgrade` with values that point the Service's targetPort at a port name the pods do not have.
// The release Secrets are Helm's own (sh.helm.release.v1.<release>.v<revision>, type helm.sh/release.v1).
//
// `expect`: helm-release-unhealthy must name the release, the field revision 2 changed (the Service's
// spec.ports[name=http].targetPort, now "web": the chart's pods name their port "http", see values.yaml)
// and the rollback to revision 1 (the only earlier revision, deployed then superseded), live and offline;
// the Service's own finding stays expected too. checkState keeps asserting the real release Secrets,
// decoded here independently of kubesleuth, so a wrong finding cannot come from a wrong cluster state.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import type { Scenario } from "../../e2e/scenario.js";
import { getJson, kubectl, run, sleuth, type ClusterEnv } from "../../e2e/harness.js";

const NS = "e2e-case9";
const RELEASE = "shop-web";
const chart = fileURLToPath(new URL("../../fixtures/charts/shop-web", import.meta.url));
const upgradeValues = fileURLToPath(new URL("upgrade-values.yaml", import.meta.url));

interface Secret {
  metadata: { name: string; labels?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}
interface Deployment {
  metadata: { generation?: number };
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
}
interface Release {
  name: string;
  version: number;
  info: { status: string };
  chart: { metadata: { name: string; version: string } };
  config?: { service?: { targetPort?: string }; image?: { tag?: string } };
  manifest: string;
}

function helm(env: ClusterEnv, args: string[]): string {
  // Helm's caches and config in a throw-away directory, never the user's.
  const home = mkdtempSync(join(tmpdir(), "kubesleuth-helm-"));
  return run(env.helm, [...args, "--kubeconfig", env.adminKubeconfig], {
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
  });
}

/** A release Secret's payload: Secret data (base64) of Helm's encoding, base64 of gzipped JSON. */
function decodeRelease(secret: Secret): Release {
  const helmEncoded = Buffer.from(secret.data?.release ?? "", "base64").toString("utf8");
  return JSON.parse(gunzipSync(Buffer.from(helmEncoded, "base64")).toString("utf8")) as Release;
}

export const scenario: Scenario = {
  name: "case9-helm-upgrade",
  description: "helm upgrade renames the Service's targetPort to a port the pods do not define: release v1 superseded, v2 deployed",
  namespaces: [NS],
  expect: [
    { code: "service-target-port-mismatch/namedPortNotFound", subject: `Service/${NS}/${RELEASE}`, area: "network" },
    {
      code: "helm-release-unhealthy/upgradeBrokeResources",
      subject: `HelmRelease/${NS}/${RELEASE}`,
      area: "release",
      evidenceFields: [
        { path: "spec.ports[name=http].targetPort", value: "web" },
        { path: "revisions[revision=1].status", value: "superseded" },
      ],
      remediationCommand: `helm rollback ${RELEASE} 1 -n ${NS}`,
    },
  ],
  async setup(env) {
    kubectl(env, ["delete", "namespace", NS, "--ignore-not-found", "--wait=true", "--timeout=120s"]);
    helm(env, ["install", RELEASE, chart, "-n", NS, "--create-namespace", "--wait", "--timeout", "2m"]);
    helm(env, ["upgrade", RELEASE, chart, "-n", NS, "-f", upgradeValues, "--wait", "--timeout", "2m"]);
  },
  async ready(env) {
    const d = getJson<Deployment>(env, ["deployment", RELEASE, "-n", NS]);
    const s = d.status ?? {};
    const pods = getJson<{ items: unknown[] }>(env, ["pods", "-n", NS, "-l", "app=shop-web"]);
    return (
      d.spec?.template?.spec?.containers?.[0]?.image === "ghcr.io/example/shop-web:2.9.0" &&
      s.observedGeneration === d.metadata.generation &&
      s.updatedReplicas === 2 &&
      s.availableReplicas === 2 &&
      s.replicas === 2 &&
      pods.items.length === 2
    );
  },
  async checkState(env) {
    const secrets = getJson<{ items: Secret[] }>(env, ["secrets", "-n", NS, "-l", `owner=helm,name=${RELEASE}`]).items.sort((a, b) =>
      a.metadata.name.localeCompare(b.metadata.name),
    );
    const problems: string[] = [];
    const names = secrets.map((s) => s.metadata.name);
    const want = [`sh.helm.release.v1.${RELEASE}.v1`, `sh.helm.release.v1.${RELEASE}.v2`];
    if (JSON.stringify(names) !== JSON.stringify(want)) problems.push(`release Secrets ${names.join(", ")}, want ${want.join(", ")}`);
    const expected = [
      { version: 1, status: "superseded", targetPort: undefined, tag: undefined },
      { version: 2, status: "deployed", targetPort: "web", tag: "2.9.0" },
    ];
    secrets.forEach((secret, i) => {
      const e = expected[i];
      if (!e) return;
      const l = secret.metadata.labels ?? {};
      const where = secret.metadata.name;
      if (secret.type !== "helm.sh/release.v1") problems.push(`${where}: type ${secret.type}`);
      if (l.owner !== "helm" || l.name !== RELEASE || l.status !== e.status || l.version !== String(e.version)) {
        problems.push(`${where}: labels ${JSON.stringify(l)}, want owner=helm name=${RELEASE} status=${e.status} version=${e.version}`);
      }
      const release = decodeRelease(secret);
      if (release.name !== RELEASE || release.version !== e.version || release.info.status !== e.status) {
        problems.push(`${where}: payload says ${release.name} v${release.version} ${release.info.status}`);
      }
      if (release.chart.metadata.name !== "shop-web" || release.chart.metadata.version !== "0.3.0") problems.push(`${where}: chart ${JSON.stringify(release.chart.metadata)}`);
      if (release.config?.service?.targetPort !== e.targetPort || release.config?.image?.tag !== e.tag) {
        problems.push(`${where}: user values ${JSON.stringify(release.config)}`);
      }
      if (!release.manifest.includes(`targetPort: ${e.targetPort ?? "http"}`)) problems.push(`${where}: manifest lacks targetPort: ${e.targetPort ?? "http"}`);
    });
    if (problems.length) throw new Error(`case9 Helm release state: ${problems.join("; ")}`);

    // kubesleuth's helm commands, live as the read-only identity, against helm's own answer and the upgrade's known change.
    const row = (r: { revision: number; status: string; chart: string; app_version: string; description: string }) => [r.revision, r.status, r.chart, r.app_version, r.description];
    const helmHistory = (JSON.parse(helm(env, ["history", RELEASE, "-n", NS, "-o", "json"])) as Parameters<typeof row>[0][]).map(row);
    const history = await sleuth(env, ["helm", "history", RELEASE, "-n", NS, "-o", "json"]);
    if (history.code !== 0) throw new Error(`kubesleuth helm history: exit ${history.code}: ${history.stderr}`);
    const ours = (JSON.parse(history.stdout) as Parameters<typeof row>[0][]).map(row);
    if (JSON.stringify(ours) !== JSON.stringify(helmHistory)) throw new Error(`kubesleuth helm history ${JSON.stringify(ours)} != helm history ${JSON.stringify(helmHistory)}`);
    const diffRun = await sleuth(env, ["helm", "diff", RELEASE, "-n", NS, "-o", "json"]);
    if (diffRun.code !== 0) throw new Error(`kubesleuth helm diff: exit ${diffRun.code}: ${diffRun.stderr}`);
    const diff = JSON.parse(diffRun.stdout) as { from: number; to: number; resources: { resource: { kind: string; name: string }; fields: { path: string; old?: unknown; new?: unknown }[] }[]; values: { path: string; new?: unknown }[] };
    const service = diff.resources.find((r) => r.resource.kind === "Service" && r.resource.name === RELEASE);
    const port = service?.fields.find((f) => f.path === "spec.ports[name=http].targetPort");
    const value = diff.values.find((v) => v.path === "service.targetPort");
    if (diff.from !== 1 || diff.to !== 2 || port?.old !== "http" || port?.new !== "web" || value?.new !== "web") {
      throw new Error(`kubesleuth helm diff lacks revision 1 -> 2 targetPort http -> web: ${diffRun.stdout.slice(0, 2000)}`);
    }
  },
};
