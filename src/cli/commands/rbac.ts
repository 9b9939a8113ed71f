// `kubesleuth can-i`, `kubesleuth who-can`, `kubesleuth rbac list`: the RBAC engine on a snapshot or
// the live cluster's RBAC objects, with arguments spelled as `kubectl auth can-i` spells them.
import { Command } from "commander";
import { dump } from "js-yaml";
import { findKind } from "../../model/kinds.js";
import type { KubeObject } from "../../model/kube.js";
import type { ObjectRef } from "../../model/ref.js";
import type { Snapshot } from "../../model/snapshot.js";
import {
  breakdownRule,
  RBAC_KINDS,
  buildRbacIndexByKind,
  explainDenial,
  minimalGrant,
  resolveRoleRef,
  ruleAllows,
  rulesReview,
  userForKubectlAs,
  userFromServiceAccount,
  type PolicyRule,
  type RbacIndex,
  type RequestAttributes,
  type RoleBindingObject,
  type Subject,
  type UserInfo,
} from "../../engines/rbac/index.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../errors.js";
import { loadSource } from "../load-source.js";
import { outputOption, type CommandContext } from "../options.js";
import type { CliIo } from "../io.js";

const MASTERS = "system:masters";

/** kubectl auth can-i's known verbs (staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go); others only warn. */
const RESOURCE_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "use", "bind", "impersonate", "*", "approve", "sign", "escalate", "attest"];
const NON_RESOURCE_VERBS = ["get", "put", "post", "head", "options", "delete", "patch", "*"];

/** Built-in resources not in model/kinds.ts that people ask RBAC about: [resource, group, namespaced, ...short names]. */
const EXTRA_RESOURCES: readonly [string, string, boolean, ...string[]][] = [
  ["users", "", false],
  ["groups", "", false],
  ["uids", "authentication.k8s.io", false],
  ["userextras", "authentication.k8s.io", false],
  ["serviceaccounts/token", "", true],
  ["bindings", "", true],
  ["podtemplates", "", true],
  ["componentstatuses", "", false, "cs"],
  ["tokenreviews", "authentication.k8s.io", false],
  ["selfsubjectreviews", "authentication.k8s.io", false],
  ["subjectaccessreviews", "authorization.k8s.io", false],
  ["selfsubjectaccessreviews", "authorization.k8s.io", false],
  ["selfsubjectrulesreviews", "authorization.k8s.io", false],
  ["localsubjectaccessreviews", "authorization.k8s.io", true],
  ["certificatesigningrequests", "certificates.k8s.io", false, "csr"],
  ["signers", "certificates.k8s.io", false],
  ["horizontalpodautoscalers", "autoscaling", true, "hpa"],
  ["validatingwebhookconfigurations", "admissionregistration.k8s.io", false],
  ["mutatingwebhookconfigurations", "admissionregistration.k8s.io", false],
  ["validatingadmissionpolicies", "admissionregistration.k8s.io", false],
  ["apiservices", "apiregistration.k8s.io", false],
  ["csinodes", "storage.k8s.io", false],
  ["volumeattachments", "storage.k8s.io", false],
  ["csistoragecapacities", "storage.k8s.io", true],
  ["runtimeclasses", "node.k8s.io", false],
  ["flowschemas", "flowcontrol.apiserver.k8s.io", false],
  ["prioritylevelconfigurations", "flowcontrol.apiserver.k8s.io", false],
];

/** Subresources people write as `pods/log` (which kubectl reads as the pod named "log"). */
const COMMON_SUBRESOURCES = new Set(["log", "exec", "attach", "portforward", "proxy", "status", "scale", "eviction", "binding", "ephemeralcontainers", "token", "approval"]);

interface RbacFlags {
  snapshot?: string[];
  kubeconfig?: string;
  context?: string;
  requestTimeout?: string;
  progress?: boolean;
  debug?: boolean;
  output: string;
  namespace?: string;
  allNamespaces?: boolean;
  subresource?: string;
  as?: string;
  asSa?: string;
  asGroup?: string[];
  explain?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function addRbacSourceOptions(cmd: Command): Command {
  return cmd
    .option("--snapshot <path>", "read RBAC objects from a snapshot (file, directory or archive) instead of the live cluster; repeatable", collect)
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .option("--request-timeout <duration>", "live: give up on a single API request after this long, e.g. 5s, 1m (default 30s)")
    .option("--progress", "print progress to stderr even when it is not a terminal")
    .option("--debug", "print stack traces on errors")
    .addOption(outputOption(["text", "json"], "text"));
}

function addIdentityOptions(cmd: Command): Command {
  return cmd
    .option("--as <user>", "the user to evaluate, as kubectl --as (gets system:authenticated; a system:serviceaccount:<ns>:<name> name gets the service account groups unless --as-group is given)")
    .option("--as-sa <namespace/name>", "the service account to evaluate, as its token authenticates (system:serviceaccounts, system:serviceaccounts:<ns>, system:authenticated)")
    .option("--as-group <group>", "a group of the user, as kubectl --as-group; repeatable", collect);
}

// ---------------------------------------------------------------- loading

async function loadIndex(io: CliIo, flags: RbacFlags): Promise<{ index: RbacIndex; snapshot: Snapshot; warnings: string[] }> {
  // The whole cluster, never -n: ClusterRoleBindings and other namespaces' bindings matter (explain, who-can -A).
  const source = await loadSource(
    io,
    [],
    { snapshot: flags.snapshot, kubeconfig: flags.kubeconfig, context: flags.context, requestTimeout: flags.requestTimeout, progress: flags.progress },
    { kinds: RBAC_KINDS, logs: false },
  );
  const snapshot = source.snapshot;
  const warnings: string[] = [];
  for (const kind of RBAC_KINDS) {
    const c = snapshot.coverage[kind];
    if (c && c.status !== "ok") warnings.push(`${kind} objects are ${c.status}${c.note ? ` (${c.note})` : ""}: answers may be incomplete`);
    else if (!c && !source.live) warnings.push(`the snapshot has no ${kind} objects: answers assume there are none`);
  }
  const index = rbacIndexOfSnapshot(snapshot);
  if (!index.aggregationConverged) warnings.push("ClusterRole aggregation did not converge (a cycle?): aggregated roles may be incomplete");
  return { index, snapshot, warnings };
}

/** The RBAC engine's index over a snapshot's RBAC objects; a usage error when it holds none at all. */
export function rbacIndexOfSnapshot(snapshot: Snapshot): RbacIndex {
  const get = (kind: string): KubeObject[] => [...(snapshot.objects.get(kind) ?? [])];
  if (RBAC_KINDS.every((k) => get(k).length === 0)) {
    throw new UsageError(
      `no RBAC objects (Role, ClusterRole, RoleBinding, ClusterRoleBinding) in ${snapshot.source.locations.join(", ") || "the source"}`,
      "capture them with: kubectl get roles,rolebindings,clusterroles,clusterrolebindings -A -o yaml > rbac.yaml",
    );
  }
  return buildRbacIndexByKind(get);
}

// ---------------------------------------------------------------- arguments

function checkVerb(verb: string, nonResource: boolean, warnings: string[]): void {
  if (!/^(\*|[a-z]+)$/.test(verb)) {
    throw new UsageError(`invalid verb "${verb}": verbs are one lowercase word`, `e.g. ${(nonResource ? NON_RESOURCE_VERBS : RESOURCE_VERBS).filter((v) => v !== "*").slice(0, 8).join(", ")} or *`);
  }
  const known = nonResource ? NON_RESOURCE_VERBS : RESOURCE_VERBS;
  if (!known.includes(verb)) warnings.push(`verb '${verb}' is not a known verb`);
}

interface ResolvedType {
  apiGroup: string;
  resource: string;
  /** undefined: not known (explicit group or wildcard); treated as namespaced, as kubectl does. */
  namespaced?: boolean;
}

const VERSION = /^v\d+((alpha|beta)\d+)?$/;

/** Every (group, resource) named in a rule of the cluster: resources the cluster's RBAC knows about. */
function resourcesInRules(index: RbacIndex): Map<string, Set<string>> {
  const byResource = new Map<string, Set<string>>();
  const add = (rules: readonly PolicyRule[] | null | undefined) => {
    for (const rule of rules ?? []) {
      for (const resource of rule.resources ?? []) {
        const base = resource.split("/")[0]!;
        if (base === "*") continue;
        const groups = byResource.get(base) ?? new Set<string>();
        for (const g of rule.apiGroups ?? []) if (g !== "*") groups.add(g);
        byResource.set(base, groups);
      }
    }
  };
  for (const role of index.roles.values()) add(role.rules);
  for (const rules of index.clusterRoleRules.values()) add(rules);
  return byResource;
}

/**
 * TYPE as kubectl auth can-i resolves it: a resource, singular, short name or kind, optionally
 * `.group` or `.version.group`, `*`. Offline there is no discovery: built-in types, CRDs in the
 * snapshot and resources named in the cluster's RBAC rules are known; anything else must spell
 * its group (`widgets.example.com`), else it is a usage error (kubectl warns and asks anyway).
 */
function resolveType(text: string, index: RbacIndex, snapshot: Snapshot): ResolvedType {
  if (text === "*") return { apiGroup: "", resource: "*" };
  const lower = text.toLowerCase();
  const dot = lower.indexOf(".");
  const base = dot < 0 ? lower : lower.slice(0, dot);
  let group: string | undefined = dot < 0 ? undefined : lower.slice(dot + 1);
  if (group !== undefined) {
    const parts = group.split(".");
    if (parts.length > 1 && VERSION.test(parts[0]!)) group = parts.slice(1).join(".");
  }
  if (!base || group === "") throw new UsageError(`invalid resource type "${text}"`, "e.g. pods, deploy, deployments.apps, widgets.example.com");

  const candidates: ResolvedType[] = [];
  const info = findKind(base);
  if (info) candidates.push({ apiGroup: info.group, resource: info.resource, namespaced: info.namespaced });
  for (const [resource, g, namespaced, ...shorts] of EXTRA_RESOURCES) {
    if (resource === base || resource.replace(/s$/, "") === base || shorts.includes(base)) candidates.push({ apiGroup: g, resource, namespaced });
  }
  for (const crd of snapshot.objects.get("CustomResourceDefinition") ?? []) {
    const spec = (crd as { spec?: { group?: string; scope?: string; names?: { plural?: string; singular?: string; kind?: string; shortNames?: string[] } } }).spec;
    const names = spec?.names;
    if (!spec?.group || !names?.plural) continue;
    const spellings = [names.plural, names.singular, names.kind?.toLowerCase(), ...(names.shortNames ?? [])].filter(Boolean);
    if (spellings.includes(base)) candidates.push({ apiGroup: spec.group, resource: names.plural, namespaced: spec.scope !== "Cluster" });
  }
  if (group !== undefined) {
    const match = candidates.find((c) => c.apiGroup === group);
    if (match) return match;
    if (base === "*") return { apiGroup: group, resource: "*" };
    // An explicit group is taken as given: the user names an API kubesleuth may not know.
    return { apiGroup: group, resource: base };
  }
  if (candidates.length > 0) return candidates[0]!;
  const groups = resourcesInRules(index).get(base);
  if (groups && groups.size === 1) return { apiGroup: [...groups][0]!, resource: base };
  if (groups && groups.size > 1) {
    throw new UsageError(`resource type "${text}" is ambiguous: RBAC rules name it in groups ${[...groups].map((g) => JSON.stringify(g)).join(", ")}`, `spell the group: ${[...groups].map((g) => (g ? `${base}.${g}` : base)).join(" or ")}`);
  }
  throw new UsageError(
    `unknown resource type "${text}"`,
    "kubesleuth knows built-in types, CRDs in the snapshot and resources named in RBAC rules; for anything else spell the group: <resource>.<group>, e.g. widgets.example.com",
  );
}

type Target = Omit<RequestAttributes, "user" | "namespace"> & { namespaced?: boolean; nonResource: boolean };

function resolveTarget(verb: string, arg: string, subresource: string | undefined, index: RbacIndex, snapshot: Snapshot, warnings: string[]): Target {
  if (arg.startsWith("/")) {
    if (subresource) throw new UsageError("--subresource can not be used with NonResourceURL");
    checkVerb(verb, true, warnings);
    return { verb, path: arg, nonResource: true };
  }
  checkVerb(verb, false, warnings);
  const slash = arg.indexOf("/");
  const typeText = slash < 0 ? arg : arg.slice(0, slash);
  const name = slash < 0 ? undefined : arg.slice(slash + 1);
  if (name === "") throw new UsageError(`invalid resource "${arg}": expected TYPE or TYPE/NAME`);
  if (subresource !== undefined && !/^[a-z][a-z0-9]*$/.test(subresource)) throw new UsageError(`invalid --subresource "${subresource}"`, "e.g. --subresource log, status, scale, exec");
  const type = resolveType(typeText, index, snapshot);
  if (name && !subresource && COMMON_SUBRESOURCES.has(name)) {
    warnings.push(`"${arg}" asks about the ${type.resource} object named "${name}" (kubectl's TYPE/NAME); for the subresource use --subresource ${name}`);
  }
  return {
    verb,
    apiGroup: type.apiGroup,
    resource: type.resource,
    ...(subresource ? { subresource } : {}),
    ...(name ? { name } : {}),
    ...(type.namespaced !== undefined ? { namespaced: type.namespaced } : {}),
    nonResource: false,
  };
}

/** The request namespace: none for URLs and cluster-scoped types (as the real request carries), "" for -A, else -n or "default". */
function requestNamespace(target: Target, flags: RbacFlags, warnings: string[]): string | undefined {
  if (flags.allNamespaces && flags.namespace) throw new UsageError("-n and -A cannot be used together");
  if (target.nonResource) return undefined;
  if (target.namespaced === false) {
    if (flags.namespace) warnings.push(`resource '${target.resource}' is not namespace scoped: -n ${flags.namespace} is ignored`);
    return "";
  }
  if (flags.allNamespaces) return "";
  return flags.namespace ?? "default";
}

function identityOf(flags: RbacFlags): UserInfo {
  const groups = flags.asGroup ?? [];
  if (flags.as !== undefined && flags.asSa !== undefined) throw new UsageError("--as and --as-sa cannot be used together");
  if (flags.asSa !== undefined) {
    const parts = flags.asSa.split("/");
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`--as-sa "${flags.asSa}": expected namespace/name`, "e.g. --as-sa kube-system/coredns");
    const user = userFromServiceAccount(parts[0], parts[1]);
    return { name: user.name, groups: [...new Set([...user.groups, ...groups])] };
  }
  if (flags.as !== undefined) {
    if (flags.as === "") throw new UsageError("--as needs a user name");
    return userForKubectlAs(flags.as, groups);
  }
  if (groups.length > 0) throw new UsageError("--as-group needs --as or --as-sa", "kubectl too refuses groups without a user to impersonate");
  throw new UsageError(
    "say whose access to check: --as <user> or --as-sa <namespace/name>",
    "kubesleuth evaluates the cluster's RBAC objects, not your credentials (kubectl auth can-i without --as asks the API server about yourself)",
  );
}

/** Notes on what RBAC alone cannot decide for this user. */
function identityNotes(user: UserInfo): string[] {
  const notes: string[] = [];
  if (user.name.startsWith("system:node:") || user.groups.includes("system:nodes")) {
    notes.push("the Node authorizer (not modelled here) decides most kubelet requests of system:node:<name> users in system:nodes before RBAC; RBAC's answer alone may say no where the cluster says yes");
  }
  return notes;
}

// ---------------------------------------------------------------- shared rendering helpers

function refText(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

function ruleText(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`apiGroups: ${JSON.stringify(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`resources: ${JSON.stringify(rule.resources)}`);
  if (rule.resourceNames?.length) parts.push(`resourceNames: ${JSON.stringify(rule.resourceNames)}`);
  if (rule.nonResourceURLs?.length) parts.push(`nonResourceURLs: ${JSON.stringify(rule.nonResourceURLs)}`);
  parts.push(`verbs: ${JSON.stringify(rule.verbs ?? [])}`);
  return `{${parts.join(", ")}}`;
}

function ruleOf(index: RbacIndex, role: ObjectRef, ruleIndex: number): PolicyRule | undefined {
  const rules = role.kind === "Role" ? index.roles.get(`${role.namespace ?? ""}/${role.name}`)?.rules : index.clusterRoleRules.get(role.name);
  return rules?.[ruleIndex] ?? undefined;
}

function bindingOf(index: RbacIndex, ref: ObjectRef): RoleBindingObject | undefined {
  if (ref.kind === "ClusterRoleBinding") return index.clusterRoleBindings.find((b) => b.metadata.name === ref.name);
  return index.roleBindingsByNamespace.get(ref.namespace ?? "")?.find((b) => b.metadata.name === ref.name);
}

function describeRequestText(attributes: RequestAttributes): string {
  if (attributes.path !== undefined && attributes.resource === undefined) return `${attributes.verb} ${attributes.path}`;
  let what = attributes.resource ?? "";
  if (attributes.apiGroup) what += `.${attributes.apiGroup}`;
  if (attributes.subresource) what += `/${attributes.subresource}`;
  if (attributes.name) what += ` named ${attributes.name}`;
  const scope = attributes.namespace ? ` in namespace ${attributes.namespace}` : attributes.namespace === "" ? " cluster-wide" : "";
  return `${attributes.verb} ${what}${scope}`;
}

function requestJson(attributes: RequestAttributes): Record<string, unknown> {
  const { user: _user, ...rest } = attributes;
  void _user;
  return rest;
}

// ---------------------------------------------------------------- can-i

async function runCanI(ctx: CommandContext, verb: string, resourceArg: string | undefined, flags: RbacFlags): Promise<number> {
  const { io } = ctx;
  if (resourceArg === undefined) throw new UsageError("you must specify two arguments: verb resource or verb resource/resourceName", "e.g. kubesleuth can-i get pods --as alice -n shop");
  const user = identityOf(flags);
  const { index, snapshot, warnings } = await loadIndex(io, flags);
  const target = resolveTarget(verb, resourceArg, flags.subresource, index, snapshot, warnings);
  const namespace = requestNamespace(target, flags, warnings);
  const { namespaced: _n, nonResource: _r, ...rest } = target;
  void _n;
  void _r;
  const attributes: RequestAttributes = { user, ...rest, ...(namespace !== undefined ? { namespace } : {}) };
  const notes = identityNotes(user);
  const bypass = user.groups.includes(MASTERS);
  const explanation = flags.explain ? explainDenial(index, attributes) : undefined;
  const decision = explanation?.decision ?? explainDenial(index, attributes, { limit: 0 }).decision;
  const allowed = bypass || decision.allowed;
  const grantedBy = (decision.grantedBy ?? []).map((g) => {
    const binding = bindingOf(index, g.binding);
    return { binding: g.binding, role: g.role, ruleIndex: g.ruleIndex, rule: ruleOf(index, g.role, g.ruleIndex), subject: binding?.subjects?.[g.subjectIndex] };
  });
  const grant = !allowed && flags.explain ? minimalGrant(attributes, { index }) : undefined;

  if (flags.output === "json") {
    const out: Record<string, unknown> = {
      allowed,
      ...(bypass ? { bypass: MASTERS } : {}),
      rbacAllowed: decision.allowed,
      user,
      request: requestJson(attributes),
      grantedBy,
      reason: bypass ? `allowed by ${MASTERS} (authorizer bypass): the API server allows this group before any authorizer runs` : decision.reason,
      errors: decision.errors ?? [],
      warnings: [...warnings, ...notes],
    };
    if (flags.explain && !allowed) {
      out.explanation = {
        nearest: explanation?.nearest ?? [],
        ...(grant ? { minimalGrant: { verified: grant.verified, role: grant.role, binding: grant.binding } } : {}),
      };
    }
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const w of warnings) io.stderr(`Warning: ${w}\n`);
    const lines: string[] = [allowed ? "yes" : "no"];
    if (bypass) lines.push(`allowed by ${MASTERS} (authorizer bypass): the API server allows members of ${MASTERS} before RBAC or any other authorizer runs`);
    for (const n of notes) lines.push(`note: ${n}`);
    if (flags.explain) {
      lines.push(`request: ${user.name} (groups ${user.groups.join(", ") || "none"}) ${describeRequestText(attributes)}`);
      if (decision.allowed) {
        grantedBy.forEach((g, i) => {
          const subject = g.subject ? ` to ${g.subject.kind} ${g.subject.namespace ? `${g.subject.namespace}/` : ""}${g.subject.name}` : "";
          lines.push(`${i === 0 ? "granted by" : "also granted by"}: ${refText(g.binding)} of ${refText(g.role)}${subject}, rule ${g.ruleIndex} ${g.rule ? ruleText(g.rule) : ""}`.trimEnd());
        });
      } else {
        lines.push(decision.reason);
        const nearest = explanation?.nearest ?? [];
        if (nearest.length > 0) {
          lines.push("nearest misses:");
          for (const m of nearest) lines.push(`  - ${m.kind}: ${refText(m.binding)}${m.role ? ` of ${refText(m.role)}` : ""}: ${m.detail}`);
        } else {
          lines.push("nearest misses: none (no binding comes close for this user)");
        }
        if (grant) {
          lines.push(`minimal grant${grant.verified ? " (verified: with it, RBAC allows the request)" : " (NOT verified)"}:`);
          lines.push(`---\n${dump(grant.role, { lineWidth: -1 }).trimEnd()}\n---\n${dump(grant.binding, { lineWidth: -1 }).trimEnd()}`);
        }
        if (!decision.allowed) lines.push("note: RBAC only: another authorizer (Node, webhook) may still allow it");
      }
    }
    io.stdout(`${lines.join("\n")}\n`);
  }
  return allowed ? EXIT_OK : EXIT_FINDINGS;
}

// ---------------------------------------------------------------- who-can

interface WhoCanEntry {
  kind: string;
  name: string;
  namespace?: string;
  via: { binding: ObjectRef; role: ObjectRef; ruleIndex: number }[];
  bypass?: boolean;
}

function whoCan(index: RbacIndex, attributes: Omit<RequestAttributes, "user">, namespaces: readonly string[]): { subjects: WhoCanEntry[]; errors: string[]; warnings: string[] } {
  const entries = new Map<string, WhoCanEntry>();
  const errors: string[] = [];
  const warnings: string[] = [];
  entries.set(`Group//${MASTERS}`, { kind: "Group", name: MASTERS, via: [], bypass: true });
  const consider = (binding: RoleBindingObject, bindingNamespace: string) => {
    const resolved = resolveRoleRef(index, binding.roleRef, bindingNamespace);
    const bindingRef: ObjectRef = bindingNamespace ? { kind: "RoleBinding", namespace: bindingNamespace, name: binding.metadata.name } : { kind: "ClusterRoleBinding", name: binding.metadata.name };
    if ("error" in resolved) {
      errors.push(`${refText(bindingRef)}: ${resolved.error}`);
      return;
    }
    const ruleIndex = resolved.rules.findIndex((rule) => ruleAllows({ ...attributes, namespace: bindingNamespace }, rule));
    if (ruleIndex < 0) return;
    for (const subject of binding.subjects ?? []) {
      const entry = normalizeSubject(subject, bindingNamespace);
      if (typeof entry === "string") {
        warnings.push(`${refText(bindingRef)}: ${entry}`);
        continue;
      }
      const key = `${entry.kind}/${entry.namespace ?? ""}/${entry.name}`;
      const existing = entries.get(key) ?? { ...entry, via: [] };
      existing.via.push({ binding: bindingRef, role: resolved.role, ruleIndex });
      entries.set(key, existing);
    }
  };
  for (const binding of index.clusterRoleBindings) consider(binding, "");
  for (const ns of namespaces) if (ns) for (const binding of index.roleBindingsByNamespace.get(ns) ?? []) consider(binding, ns);
  return { subjects: [...entries.values()], errors, warnings };
}

/** A binding subject as who it names (ServiceAccount namespace defaulted), or why it matches nobody. */
function normalizeSubject(subject: Subject, bindingNamespace: string): { kind: string; name: string; namespace?: string } | string {
  switch (subject.kind) {
    case "User":
    case "Group":
      return { kind: subject.kind, name: subject.name };
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      if (!ns) return `ServiceAccount subject "${subject.name}" has no namespace: in a ClusterRoleBinding it matches nobody`;
      return { kind: "ServiceAccount", name: subject.name, namespace: ns };
    }
    default:
      return `subject kind "${subject.kind}" (${subject.name}) matches nobody: kinds are User, Group, ServiceAccount (case-sensitive)`;
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join("").trimEnd()).join("\n");
}

async function runWhoCan(ctx: CommandContext, verb: string, resourceArg: string | undefined, flags: RbacFlags): Promise<number> {
  const { io } = ctx;
  if (resourceArg === undefined) throw new UsageError("you must specify two arguments: verb resource or verb resource/resourceName", "e.g. kubesleuth who-can get secrets -n shop");
  const { index, snapshot, warnings } = await loadIndex(io, flags);
  const target = resolveTarget(verb, resourceArg, flags.subresource, index, snapshot, warnings);
  const { namespaced: _n, nonResource: _r, ...rest } = target;
  void _n;
  void _r;
  let namespaces: string[];
  let namespace: string | undefined;
  if (flags.allNamespaces && !target.nonResource && target.namespaced !== false) {
    if (flags.namespace) throw new UsageError("-n and -A cannot be used together");
    namespace = "";
    namespaces = [...index.roleBindingsByNamespace.keys()].sort();
  } else {
    namespace = requestNamespace(target, { ...flags, allNamespaces: false }, warnings);
    namespaces = namespace ? [namespace] : [];
  }
  const attributes: Omit<RequestAttributes, "user"> = { ...rest, ...(namespace !== undefined ? { namespace } : {}) };
  const result = whoCan(index, attributes, namespaces);
  const allWarnings = [...warnings, ...result.warnings];
  if (flags.output === "json") {
    io.stdout(`${JSON.stringify({ request: attributes, allNamespaces: flags.allNamespaces === true && namespace === "", subjects: result.subjects, errors: result.errors, warnings: allWarnings }, null, 2)}\n`);
    return EXIT_OK;
  }
  for (const w of allWarnings) io.stderr(`Warning: ${w}\n`);
  for (const e of result.errors) io.stderr(`Warning: ${e} (the binding grants nothing)\n`);
  const anyNamespace = flags.allNamespaces === true && namespace === "";
  const rows = [["KIND", "NAME", "NAMESPACE", "VIA"]];
  for (const s of result.subjects) {
    const via = s.bypass ? "(authorizer bypass: allowed before RBAC)" : s.via.map((v) => `${refText(v.binding)} (${refText(v.role)})`).join(", ");
    rows.push([s.kind, s.name, s.namespace ?? "", via]);
  }
  const what = describeRequestText({ ...attributes, user: { name: "", groups: [] }, ...(anyNamespace ? { namespace: undefined } : {}) });
  io.stdout(`Who can ${what}${anyNamespace ? " in any namespace" : ""}:\n${table(rows)}\n`);
  return EXIT_OK;
}

// ---------------------------------------------------------------- rbac list

function parseSubject(text: string, groups: readonly string[]): { subject: Subject; user: UserInfo } {
  const slash = text.indexOf("/");
  const prefix = slash < 0 ? "" : text.slice(0, slash).toLowerCase();
  const rest = slash < 0 ? text : text.slice(slash + 1);
  if (["sa", "serviceaccount", "serviceaccounts"].includes(prefix)) {
    const parts = rest.split("/");
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`subject "${text}": expected sa/<namespace>/<name>`);
    const user = userFromServiceAccount(parts[0], parts[1]);
    return { subject: { kind: "ServiceAccount", namespace: parts[0], name: parts[1] }, user: { name: user.name, groups: [...new Set([...user.groups, ...groups])] } };
  }
  if (prefix === "group" || prefix === "groups") {
    if (!rest) throw new UsageError(`subject "${text}": expected group/<name>`);
    // What the group itself is granted: a member with no name of its own and no other group.
    return { subject: { kind: "Group", name: rest }, user: { name: "", groups: [...new Set([rest, ...groups])] } };
  }
  if (prefix === "user" || prefix === "users") {
    if (!rest) throw new UsageError(`subject "${text}": expected user/<name>`);
    return { subject: { kind: "User", name: rest }, user: userForKubectlAs(rest, groups) };
  }
  if (slash >= 0) throw new UsageError(`subject "${text}": unknown subject kind "${text.slice(0, slash)}"`, "use user/<name>, group/<name> or sa/<namespace>/<name>");
  return { subject: { kind: "User", name: text }, user: userForKubectlAs(text, groups) };
}

/** CompactRules (kubectl's --list): rules differing only in verbs merge; kept in first-seen order, then sorted. */
function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const merged = new Map<string, PolicyRule & { verbs: string[] }>();
  for (const rule of rules) {
    const key = JSON.stringify([rule.apiGroups ?? [], rule.resources ?? [], rule.resourceNames ?? [], rule.nonResourceURLs ?? []]);
    const existing = merged.get(key);
    if (existing) {
      for (const v of rule.verbs ?? []) if (!existing.verbs.includes(v)) existing.verbs.push(v);
    } else {
      merged.set(key, { ...rule, verbs: [...(rule.verbs ?? [])] });
    }
  }
  return [...merged.values()];
}

function resourcesColumn(rule: PolicyRule): string {
  const out: string[] = [];
  for (const r of rule.resources ?? []) for (const g of rule.apiGroups ?? []) out.push(g ? `${r}.${g}` : r);
  return out.join(" ");
}

async function runRbacList(ctx: CommandContext, subjectText: string, flags: RbacFlags): Promise<number> {
  const { io } = ctx;
  if (flags.allNamespaces) throw new UsageError("rbac list is per namespace, as kubectl auth can-i --list: use -n <namespace>");
  const { subject, user } = parseSubject(subjectText, flags.asGroup ?? []);
  const { index, warnings } = await loadIndex(io, flags);
  const namespace = flags.namespace ?? "default";
  const review = rulesReview(index, user, namespace);
  const broken = review.resourceRules.concat(review.nonResourceRules).flatMap((r) => breakdownRule(r));
  const rules = compactRules(broken).sort((a, b) => {
    const ka = `${(a.nonResourceURLs ?? []).length ? "1" : "0"}${resourcesColumn(a)}${(a.nonResourceURLs ?? []).join(" ")}${(a.resourceNames ?? []).join(" ")}`;
    const kb = `${(b.nonResourceURLs ?? []).length ? "1" : "0"}${resourcesColumn(b)}${(b.nonResourceURLs ?? []).join(" ")}${(b.resourceNames ?? []).join(" ")}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const bypass = user.groups.includes(MASTERS);
  const notes = [...identityNotes(user), ...(bypass ? [`member of ${MASTERS}: the API server allows every request before RBAC runs (authorizer bypass)`] : [])];
  if (flags.output === "json") {
    io.stdout(
      `${JSON.stringify(
        { subject, user, namespace, ...(bypass ? { bypass: MASTERS } : {}), resourceRules: review.resourceRules, nonResourceRules: review.nonResourceRules, rules, errors: review.errors, warnings: [...warnings, ...notes] },
        null,
        2,
      )}\n`,
    );
    return EXIT_OK;
  }
  for (const w of warnings) io.stderr(`Warning: ${w}\n`);
  if (review.errors.length > 0) io.stderr(`Warning: the list may be incomplete: ${review.errors.join(", ")}\n`);
  const rows = [["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]];
  for (const r of rules) rows.push([resourcesColumn(r), `[${(r.nonResourceURLs ?? []).join(" ")}]`, `[${(r.resourceNames ?? []).join(" ")}]`, `[${(r.verbs ?? []).join(" ")}]`]);
  const header = `${subject.kind} ${subject.namespace ? `${subject.namespace}/` : ""}${subject.name} in namespace ${namespace} (as ${user.name || "(no user name)"}, groups ${user.groups.join(", ") || "none"}):`;
  io.stdout(`${header}\n${table(rows)}\n${notes.map((n) => `note: ${n}\n`).join("")}`);
  return EXIT_OK;
}

// ---------------------------------------------------------------- registration

const CAN_I_HELP = `
TYPE is spelled as kubectl spells it: pods, po, pod, Deployment, deploy.apps, deployments.v1.apps,
widgets.example.com (an explicit group is taken as given), or *. TYPE/NAME names one object
(pods/log is the pod named "log"; the log subresource is --subresource log). A NONRESOURCEURL
starts with /. Cluster-scoped types are checked without a namespace, as the real request carries none.

Examples:
  kubesleuth can-i get pods -n shop --as alice --snapshot rbac.yaml
  kubesleuth can-i get pods --subresource log -n shop --as-sa shop/api --explain
  kubesleuth can-i list nodes --as system:serviceaccount:monitoring:prometheus
  kubesleuth can-i get /metrics --as-sa monitoring/prometheus -o json

Exit codes: 0 allowed, 1 denied (as kubectl auth can-i), 2 usage or source error.
RBAC only: members of system:masters are allowed before any authorizer; the Node authorizer and webhooks are not modelled.
`;

export function registerRbacCommands(program: Command, context: CommandContext): void {
  const wrap = (run: (...args: never[]) => Promise<number>) =>
    async (...args: unknown[]) => {
      const flags = args.find((a) => a !== null && typeof a === "object" && !Array.isArray(a) && !(a instanceof Command)) as RbacFlags;
      context.setDebug(flags?.debug === true);
      context.setExitCode(await (run as (...a: unknown[]) => Promise<number>)(...args));
    };

  addIdentityOptions(
    addRbacSourceOptions(
      program
        .command("can-i")
        .description("Whether a user or service account may do something, by the cluster's RBAC (kubectl auth can-i, offline), and with --explain why (not).")
        .argument("<verb>", "get, list, watch, create, update, patch, delete, deletecollection, ... or *")
        .argument("[resource]", "TYPE, TYPE/NAME or NONRESOURCEURL, e.g. pods, deploy.apps/web, /metrics"),
    ),
  )
    .option("--subresource <name>", "the subresource, e.g. log, status, scale, exec")
    .option("-n, --namespace <ns>", "the request namespace (default: default)")
    .option("-A, --all-namespaces", "in all namespaces: only cluster-wide grants count (namespace \"\")")
    .option("--explain", "why: the granting binding, role and rule; or the nearest misses and the minimal grant as YAML")
    .addHelpText("after", CAN_I_HELP)
    .action(wrap((verb: never, resource: never, flags: never) => runCanI(context, verb, resource, flags)));

  addRbacSourceOptions(
    program
      .command("who-can")
      .description("Every subject the cluster's RBAC lets do something, with the bindings that grant it (offline, like kubectl-who-can).")
      .argument("<verb>", "get, list, create, ... or *")
      .argument("[resource]", "TYPE, TYPE/NAME or NONRESOURCEURL"),
  )
    .option("--subresource <name>", "the subresource, e.g. log, exec")
    .option("-n, --namespace <ns>", "the request namespace (default: default)")
    .option("-A, --all-namespaces", "grants in any namespace (RoleBindings of every namespace, plus ClusterRoleBindings)")
    .addHelpText("after", "\nExamples:\n  kubesleuth who-can get secrets -n shop --snapshot rbac.yaml\n  kubesleuth who-can create pods --subresource exec -A\n  kubesleuth who-can get /metrics -o json\n")
    .action(wrap((verb: never, resource: never, flags: never) => runWhoCan(context, verb, resource, flags)));

  const rbac = program.command("rbac").description("RBAC views of the cluster.");
  addRbacSourceOptions(
    rbac
      .command("list")
      .description("Everything a subject may do in a namespace, by the cluster's RBAC (kubectl auth can-i --list, offline).")
      .argument("<subject>", "user/<name> (or a bare name), group/<name>, sa/<namespace>/<name>"),
  )
    .option("--as-group <group>", "an extra group of the subject; repeatable", collect)
    .option("-n, --namespace <ns>", "the namespace (default: default)")
    .option("-A, --all-namespaces", "refused: the list is per namespace")
    .addHelpText("after", "\nExamples:\n  kubesleuth rbac list user/alice -n shop --snapshot rbac.yaml\n  kubesleuth rbac list sa/kube-system/coredns -n kube-system -o json\n")
    .action(wrap((subject: never, flags: never) => runRbacList(context, subject, flags)));
}
