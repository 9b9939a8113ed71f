// Object references on the command line: `[namespace/]kind/name`, kind in any kubectl spelling.
import { findKind } from "../model/kinds.js";
import type { ObjectRef } from "../model/ref.js";

export type ParsedRef = { ok: true; ref: ObjectRef } | { ok: false; error: string };

/**
 * Parses `shop/deploy/frontend`, `svc/payments` (namespace from `-n`, else "default"),
 * `node/worker-1` (cluster-scoped: a namespace is an error), `deployment.apps/web`.
 */
export function parseObjectRef(text: string, defaultNamespace: string | undefined): ParsedRef {
  const parts = text.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
    return { ok: false, error: `invalid object reference "${text}": expected [namespace/]kind/name, e.g. shop/deploy/frontend or svc/payments` };
  }
  const [kindText, name] = parts.slice(-2) as [string, string];
  const info = findKind(kindText);
  if (!info) return { ok: false, error: `unknown kind "${kindText}" in "${text}" (try kubectl's names: pod, svc, deploy, sts, ds, pvc, pv, ing, node, ...)` };
  const explicitNamespace = parts.length === 3 ? parts[0] : undefined;
  if (!info.namespaced) {
    if (explicitNamespace) return { ok: false, error: `${info.kind} is cluster-scoped: "${text}" must not name a namespace` };
    return { ok: true, ref: { kind: info.kind, name } };
  }
  if (explicitNamespace && defaultNamespace && explicitNamespace !== defaultNamespace) {
    return { ok: false, error: `"${text}" names namespace ${explicitNamespace} but -n says ${defaultNamespace}` };
  }
  return { ok: true, ref: { kind: info.kind, namespace: explicitNamespace ?? defaultNamespace ?? "default", name } };
}
