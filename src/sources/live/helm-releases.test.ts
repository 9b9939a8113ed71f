// The live source for Helm releases: when only HelmRelease is needed, only Helm's storage is listed
// (Secrets by type field selector, ConfigMaps by owner=helm label) and decoded; nothing else is kept.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import type { KubeObject } from "../../model/kube.js";
import type { HelmRelease } from "../../model/helm-release.js";
import { loadLive } from "./load-live.js";
import { startFakeApiServer, writeKubeconfig, type FakeApiOptions } from "./testing/fake-api-server.js";

const TOKEN = "fake-bearer-token-helm";
const helmEncode = (r: unknown): string => gzipSync(Buffer.from(JSON.stringify(r))).toString("base64");
const release = (version: number, status: string) => ({ name: "web", namespace: "shop", version, info: { status }, chart: { metadata: { name: "web", version: "1.0.0" } }, manifest: "" });

const objects: KubeObject[] = [
  { apiVersion: "v1", kind: "Secret", type: "helm.sh/release.v1", metadata: { name: "sh.helm.release.v1.web.v1", namespace: "shop", labels: { owner: "helm" } }, data: { release: Buffer.from(helmEncode(release(1, "superseded"))).toString("base64") } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web.v2", namespace: "shop", labels: { owner: "helm", name: "web" } }, data: { release: helmEncode(release(2, "deployed")) } },
  { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "db", namespace: "shop" }, data: { password: "aHVudGVy" } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "shop" }, data: { mode: "fast" } },
];

async function capture(options: Partial<FakeApiOptions> = {}, kinds = ["HelmRelease"]) {
  const fake = await startFakeApiServer({ objects, token: TOKEN, ...options });
  const kubeconfig = writeKubeconfig({ server: fake.url, token: TOKEN, caPem: fake.caPem });
  try {
    const snapshot = await loadLive({ kubeconfig: kubeconfig.path, kinds, retry: { baseDelayMs: 5, maxDelayMs: 20, attempts: 1 } });
    return { snapshot, requests: fake.requests };
  } finally {
    await fake.close();
    kubeconfig.cleanup();
  }
}

describe("loadLive: Helm releases", () => {
  it("lists only Helm storage, decodes it, keeps neither the storage objects nor other Secrets", async () => {
    const { snapshot, requests } = await capture();
    const lists = requests.filter((r) => r.resource === "secrets" || r.resource === "configmaps").map((r) => [r.resource, r.query.fieldSelector ?? "", r.query.labelSelector ?? ""]);
    assert.deepEqual(lists.sort(), [["configmaps", "", "owner=helm"], ["secrets", "type=helm.sh/release.v1", ""]]);
    const [web] = snapshot.objects.get("HelmRelease") as HelmRelease[];
    assert.deepEqual(web?.revisions.map((r) => [r.revision, r.status, r.storedIn]), [[1, "superseded", "Secret/sh.helm.release.v1.web.v1"], [2, "deployed", "ConfigMap/web.v2"]]);
    assert.equal(snapshot.objects.get("Secret"), undefined);
    assert.equal(snapshot.objects.get("ConfigMap"), undefined);
    assert.equal(snapshot.coverage.HelmRelease?.status, "ok");
    assert.equal(snapshot.coverage.Secret, undefined, "a filtered Secret list must not look like a complete one");
  });

  it("with Secrets and ConfigMaps wanted too: full lists, releases decoded from them, storage redacted", async () => {
    const { snapshot, requests } = await capture({}, ["HelmRelease", "Secret", "ConfigMap"]);
    assert.ok(requests.filter((r) => r.resource === "secrets").every((r) => !r.query.fieldSelector));
    assert.equal((snapshot.objects.get("HelmRelease") as HelmRelease[])[0]?.revisions.length, 2);
    assert.equal(snapshot.objects.get("Secret")?.length, 2);
    const cm = snapshot.objects.get("ConfigMap")?.find((o) => o.metadata.name === "web.v2");
    assert.deepEqual(cm?.data, { release: "<redacted by kubesleuth>" });
  });

  it("a forbidden Secret list makes HelmRelease coverage forbidden", async () => {
    const { snapshot } = await capture({ faults: [{ resource: "secrets", respond: 403 }] });
    assert.equal(snapshot.coverage.HelmRelease?.status, "forbidden");
  });
});
