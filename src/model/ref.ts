// Object references: the identity of an object in findings, evidence and indexes.
import type { KubeObject } from "./kube.js";

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

/** The reference of an object. */
export function refOf(object: KubeObject): ObjectRef {
  const ns = object.metadata.namespace;
  return ns ? { kind: object.kind, namespace: ns, name: object.metadata.name } : { kind: object.kind, name: object.metadata.name };
}

/** A stable string key for a reference: `Kind/namespace/name` or `Kind//name` for cluster-scoped. */
export function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

/** The human form `Kind namespace/name`, as in kubectl's messages. */
export function formatRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

export function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? "") === (b.namespace ?? "");
}

/** Orders refs by kind, namespace, name (deterministic output). */
export function compareRefs(a: ObjectRef, b: ObjectRef): number {
  return a.kind.localeCompare(b.kind) || (a.namespace ?? "").localeCompare(b.namespace ?? "") || a.name.localeCompare(b.name);
}
