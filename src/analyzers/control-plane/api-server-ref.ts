// The subject of findings about the API server itself: it is not a Kubernetes object, so it gets a fixed pseudo-reference.
import type { ObjectRef } from "../../model/ref.js";

/** `APIServer kube-apiserver`: the API server kubesleuth talked to (or whose archive it reads). */
export const API_SERVER_REF: ObjectRef = { kind: "APIServer", name: "kube-apiserver" };
