// The three forms of k8s.io/apiserver responsewriters/errors.go forbiddenMessage, wrapped by
// apierrors.NewForbidden (`<resource>[.<group>] ["<name>"] is forbidden: ...`), read back.
import { it } from "node:test";
import assert from "node:assert/strict";
import { parseForbiddenMessages } from "./forbidden.js";

it("namespaced resource request with the object name in the NewForbidden prefix", () => {
  const text = 'secrets "reports-db" is forbidden: User "system:serviceaccount:shop:api" cannot get resource "secrets" in API group "" in the namespace "shop"';
  assert.deepEqual(parseForbiddenMessages(`E1128 10:00:00 main.go:12] ${text}`), [
    { username: "system:serviceaccount:shop:api", verb: "get", resource: "secrets", apiGroup: "", namespace: "shop", name: "reports-db", text },
  ]);
});

it("cluster scope, a group, a subresource, and a trailing reason", () => {
  const [nodes] = parseForbiddenMessages('nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  assert.deepEqual({ ...nodes, text: undefined }, { username: "alice", verb: "list", resource: "nodes", apiGroup: "", namespace: "", text: undefined });
  const [scale] = parseForbiddenMessages('deployments.apps "web" is forbidden: User "bob" cannot update resource "deployments/scale" in API group "apps" in the namespace "x": RBAC: role.rbac.authorization.k8s.io "y" not found');
  assert.deepEqual(
    { verb: scale!.verb, resource: scale!.resource, subresource: scale!.subresource, apiGroup: scale!.apiGroup, name: scale!.name, namespace: scale!.namespace },
    { verb: "update", resource: "deployments", subresource: "scale", apiGroup: "apps", name: "web", namespace: "x" },
  );
});

it("non-resource paths, several errors in one line, JSON-escaped quotes", () => {
  const line = JSON.stringify({ err: 'forbidden: User "system:anonymous" cannot get path "/metrics"; pods is forbidden: User "u" cannot watch resource "pods" in API group "" in the namespace "n"' });
  const found = parseForbiddenMessages(line);
  assert.deepEqual(
    found.map((f) => [f.username, f.verb, f.path ?? f.resource, f.namespace]),
    [
      ["system:anonymous", "get", "/metrics", undefined],
      ["u", "watch", "pods", "n"],
    ],
  );
});

it("text that is not a forbidden error yields nothing", () => {
  assert.deepEqual(parseForbiddenMessages('Error from server (NotFound): secrets "x" not found; user cannot login'), []);
});
