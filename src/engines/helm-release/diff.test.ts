import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { HelmRelease, HelmRevision } from "../../model/helm-release.js";
import { categorize, diffRevisions, diffValues, lastDeployedBefore, resourceKeyOf } from "./diff.js";

function revision(n: number, status: string, resources: HelmRevision["resources"] = [], values: Record<string, unknown> = {}, chart = "1.0.0"): HelmRevision {
  return { revision: n, status, chart: { name: "app", version: chart }, storedIn: `Secret/sh.helm.release.v1.app.v${n}`, values, resources, hooks: [] };
}

function release(revisions: HelmRevision[]): HelmRelease {
  return { apiVersion: "kubesleuth.dev/v1", kind: "HelmRelease", metadata: { name: "app", namespace: "shop" }, releaseNamespace: "shop", revisions };
}

describe("diffValues", () => {
  it("lists of named items are matched by name, whatever their order", () => {
    const a = { containers: [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }] };
    const b = { containers: [{ name: "b", image: "b:2" }, { name: "a", image: "a:1" }] };
    assert.deepEqual(diffValues(a, b), [{ path: "containers[name=b].image", change: "changed", old: "b:1", new: "b:2" }]);
  });

  it("other lists by position; added and removed items", () => {
    assert.deepEqual(diffValues({ args: ["x", "y"] }, { args: ["x", "z", "w"] }), [
      { path: "args[1]", change: "changed", old: "y", new: "z" },
      { path: "args[2]", change: "added", new: "w" },
    ]);
  });

  it("an object added or removed whole is listed leaf by leaf; empty objects and scalars as they are", () => {
    assert.deepEqual(diffValues({}, { service: { targetPort: "web", port: 80 }, extra: {} }), [
      { path: "extra", change: "added", new: {} },
      { path: "service.port", change: "added", new: 80 },
      { path: "service.targetPort", change: "added", new: "web" },
    ]);
    assert.deepEqual(diffValues({ a: { b: 1 } }, {}), [{ path: "a.b", change: "removed", old: 1 }]);
  });

  it("keys that are not identifiers are quoted; a type change is a change", () => {
    assert.deepEqual(diffValues({ labels: { "app.kubernetes.io/name": "a" } }, { labels: { "app.kubernetes.io/name": "b" } }), [
      { path: 'labels["app.kubernetes.io/name"]', change: "changed", old: "a", new: "b" },
    ]);
    assert.deepEqual(diffValues({ port: 80 }, { port: "80" }), [{ path: "port", change: "changed", old: 80, new: "80" }]);
  });
});

describe("diffRevisions", () => {
  const svc = (targetPort: string) => ({ object: { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { ports: [{ name: "http", port: 80, targetPort }] } } });
  const cm = { object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "other" } } };
  const role = { object: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" } } };

  it("resources added, removed, changed; namespaces from the object or the release; cluster-scoped kinds have none", () => {
    const r = release([revision(1, "superseded", [svc("http"), role], { a: 1 }), revision(2, "deployed", [svc("web"), cm], { a: 2 }, "1.1.0")]);
    const d = diffRevisions(r, r.revisions[0]!, r.revisions[1]!);
    assert.deepEqual(
      d.resources.map((c) => [c.change, c.resource.kind, c.resource.namespace ?? "", c.resource.name, c.fields.map((f) => f.path)]),
      [
        ["removed", "ClusterRole", "", "reader", []],
        ["added", "ConfigMap", "other", "cfg", []],
        ["changed", "Service", "shop", "web", ["spec.ports[name=http].targetPort"]],
      ],
    );
    assert.deepEqual(d.chart, { from: "app-1.0.0", to: "app-1.1.0" });
    assert.deepEqual(d.values, [{ path: "a", change: "changed", old: 1, new: 2 }]);
    assert.equal(resourceKeyOf(role.object, "shop").namespace, undefined);
  });
});

describe("lastDeployedBefore", () => {
  it("skips failed and pending revisions: the newest earlier superseded or deployed one", () => {
    const r = release([revision(3, "superseded"), revision(4, "failed"), revision(5, "pending-upgrade"), revision(6, "deployed")]);
    assert.equal(lastDeployedBefore(r, 6)?.revision, 3);
    assert.equal(lastDeployedBefore(r, 3), undefined);
  });
});

describe("categorize", () => {
  it("names the kind of change that can break a workload or a Service", () => {
    const table: [string, string][] = [
      ["spec.template.spec.containers[name=web].image", "image"],
      ["spec.ports[name=http].targetPort", "ports"],
      ["spec.template.spec.containers[name=web].ports[name=http].containerPort", "ports"],
      ["spec.selector.app", "selector"],
      ["spec.selector.matchLabels.app", "selector"],
      ["spec.template.metadata.labels.app", "labels"],
      ["spec.template.spec.containers[name=web].env[name=MODE].value", "env"],
      ["spec.template.spec.containers[name=web].resources.limits.memory", "resources"],
      ["spec.template.spec.containers[name=web].readinessProbe.httpGet.path", "probes"],
      ["spec.template.spec.containers[name=web].args[0]", "command"],
      ["spec.template.spec.volumes[name=data].persistentVolumeClaim.claimName", "volumes"],
      ["spec.replicas", "replicas"],
      ["spec.template.spec.serviceAccountName", "service-account"],
      ['metadata.labels["helm.sh/chart"]', "other"],
    ];
    for (const [path, category] of table) assert.equal(categorize(path), category, path);
  });
});
