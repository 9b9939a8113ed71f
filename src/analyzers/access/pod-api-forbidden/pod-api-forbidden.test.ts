import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { snapshotFromYaml } from "../../../testing/load-fixture.js";
import { podApiForbidden } from "./pod-api-forbidden.js";

testAnalyzer(
  podApiForbidden,
  {
    quiet: [{ name: "a refusal RBAC now allows, the Node authorizer's refusal of the kubelet, a finished pod", fixture: "quiet-stale-and-node.yaml" }],
    fires: [
      {
        // The error texts are responsewriters/errors.go forbiddenMessage wrapped by apierrors.NewForbidden.
        name: "events on the pod: list endpoints in the namespace, list nodes at the cluster scope",
        fixture: "fires-forbidden-events.yaml",
        expect: [
          {
            messageId: "forbidden",
            subject: "Deployment/shop/api",
            severity: "error",
            evidenceValues: ['endpoints is forbidden: User "system:serviceaccount:shop:api" cannot list resource "endpoints" in API group "" in the namespace "shop"', { apiGroups: [""], resources: ["endpoints"], verbs: ["list"] }],
            affects: ["Pod/shop/api-7f9c-x2k4p"],
          },
          {
            messageId: "forbidden",
            subject: "Pod/shop/zone-labeler",
            evidenceValues: [{ apiGroups: [""], resources: ["nodes"], verbs: ["list"] }],
          },
        ],
      },
      {
        name: "RBAC objects not collected: the refusal is reported, which binding was meant cannot be determined",
        yaml: `
apiVersion: v1
kind: Pod
metadata: { name: worker-0, namespace: batch, uid: uid-worker-0 }
spec:
  serviceAccountName: worker
  containers: [{ name: w, image: "registry.example.com/batch/worker:1" }]
status: { phase: Running }
---
apiVersion: v1
kind: Event
metadata: { name: worker-0.1, namespace: batch }
involvedObject: { kind: Pod, namespace: batch, name: worker-0, uid: uid-worker-0 }
reason: Failed
type: Warning
message: 'User "system:serviceaccount:batch:worker" cannot get path "/metrics"'
`,
        expect: [{ messageId: "forbiddenUnverified", subject: "Pod/batch/worker-0", evidenceValues: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }] }],
      },
    ],
  },
  import.meta.url,
);

// The access-sa-denied scenario: ServiceAccount report-generator is bound to Role config-reader
// (configmaps get/list/watch) and its app reads Secret reports-db.
const SA_DENIED = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: config-reader, namespace: reports }
rules:
- { apiGroups: [""], resources: [configmaps], verbs: [get, list, watch] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: report-generator-config-reader, namespace: reports }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: config-reader }
subjects:
- { kind: ServiceAccount, name: report-generator, namespace: reports }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: view }
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: nobody-view }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects: []
---
apiVersion: v1
kind: Pod
metadata: { name: report-generator-0, namespace: reports, uid: uid-rg-0 }
spec:
  serviceAccountName: report-generator
  containers: [{ name: app, image: "ghcr.io/example/report-generator:1.4.0" }]
status:
  phase: Running
  containerStatuses:
  - { name: app, ready: false, restartCount: 4, state: { running: { startedAt: "2024-05-14T09:59:00Z" } } }
`;
const LINE = 'E0514 09:59:01.123 main.go:42] loading credentials: secrets "reports-db" is forbidden: User "system:serviceaccount:reports:report-generator" cannot get resource "secrets" in API group "" in the namespace "reports"';

it("pod-api-forbidden: a log line is parsed, explained by the nearest rule, and fixed by a verified one-rule Role", () => {
  const base = snapshotFromYaml(SA_DENIED);
  const snapshot = { ...base, logs: [{ namespace: "reports", pod: "report-generator-0", container: "app", previous: true, text: `starting\n${LINE}\n` }] };
  const [finding, ...rest] = runAnalyzer(podApiForbidden, snapshot);
  assert.equal(rest.length, 0);
  assert.equal(finding!.code, "pod-api-forbidden/forbidden");
  assert.deepEqual(finding!.subject, { kind: "Pod", namespace: "reports", name: "report-generator-0" });
  assert.ok(finding!.evidence.some((e) => e.path === "log" && e.value === LINE && e.note === "app (previous)"));
  // The authorizer's denial: the SA's groups are exact (serviceaccount.MakeGroupNames + system:authenticated).
  assert.match(String(finding!.evidence.find((e) => e.path === "rbac")!.value), /no rules authorize user "system:serviceaccount:reports:report-generator" with groups \["system:serviceaccounts" "system:serviceaccounts:reports" "system:authenticated"\] to "get" resource "secrets" named "reports-db" in namespace "reports"/);
  // Nearest: the config-reader rule grants get, on configmaps instead of secrets.
  assert.ok(finding!.evidence.some((e) => e.ref?.name === "report-generator-config-reader" && /differs in resource/.test(String(e.value))));
  // Smallest grant: get on that one Secret, in its namespace, to the ServiceAccount.
  const fix = finding!.remediation[0]!;
  assert.match(fix.command!, /^kubectl create role (\S+) -n reports --verb=get --resource=secrets --resource-name=reports-db && kubectl create rolebinding \1 -n reports --role=\1 --serviceaccount=reports:report-generator$/);
  assert.equal(fix.verify, "kubectl auth can-i get secrets/reports-db -n reports --as=system:serviceaccount:reports:report-generator");
  assert.ok(finding!.evidence.some((e) => e.note === "minimal grant, verified"));
});

it("pod-api-forbidden: JSON-encoded log lines (escaped quotes) and subresources parse", () => {
  const base = snapshotFromYaml(SA_DENIED);
  const json = JSON.stringify({ level: "error", msg: "tail failed", err: 'pods "web-0" is forbidden: User "system:serviceaccount:reports:report-generator" cannot get resource "pods/log" in API group "" in the namespace "reports"' });
  const snapshot = { ...base, logs: [{ namespace: "reports", pod: "report-generator-0", container: "app", previous: false, text: json }] };
  const [finding] = runAnalyzer(podApiForbidden, snapshot);
  assert.match(finding!.summary, /may not "get" resource "pods\/log" named "web-0" in namespace reports/);
  assert.match(finding!.remediation[0]!.command!, /--verb=get --resource=pods\/log --resource-name=web-0 /);
});
