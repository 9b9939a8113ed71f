// Secret values never leave the source layer: data/stringData values become a marker, keys and type stay.
import type { KubeObject } from "../model/kube.js";

export const REDACTED = "<redacted by kubesleuth>";

const SENSITIVE_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

/** A copy of a Secret with every data and stringData value replaced by REDACTED. Other kinds are returned as they are. */
export function redactObject<T extends KubeObject>(object: T): T {
  if (object.kind !== "Secret") return object;
  const copy: KubeObject = { ...object, metadata: { ...object.metadata } };
  for (const field of ["data", "stringData"] as const) {
    const values = object[field];
    if (values && typeof values === "object") {
      copy[field] = Object.fromEntries(Object.keys(values as Record<string, unknown>).map((k) => [k, REDACTED]));
    }
  }
  // kubectl apply keeps the whole Secret, values included, in this annotation.
  const annotations = copy.metadata.annotations;
  if (annotations) {
    const cleaned = { ...annotations };
    for (const a of SENSITIVE_ANNOTATIONS) if (a in cleaned) cleaned[a] = REDACTED;
    copy.metadata.annotations = cleaned;
  }
  return copy as T;
}
