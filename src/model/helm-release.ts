// A Helm release as kubesleuth keeps it: decoded from Helm's storage (Secrets or ConfigMaps) in the source
// layer and sanitized (no raw payload, no secret values), one synthetic object per release with every revision.
import type { KubeObject } from "./kube.js";

/** The synthetic kind under which decoded releases are filed in a snapshot (objects/HelmRelease.json in archives). */
export const HELM_RELEASE_KIND = "HelmRelease";
export const HELM_RELEASE_API_VERSION = "kubesleuth.dev/v1";

/** Helm's release statuses (helm.sh/helm/v3 pkg/release/status.go). */
export type HelmReleaseStatus =
  | "unknown"
  | "deployed"
  | "uninstalled"
  | "superseded"
  | "failed"
  | "uninstalling"
  | "pending-install"
  | "pending-upgrade"
  | "pending-rollback"
  | string;

/** One rendered resource of a revision's manifest (Secret data/stringData values redacted). */
export interface HelmManifestResource {
  /** The template it came from (`# Source: chart/templates/x.yaml`). */
  source?: string;
  object: KubeObject;
}

export interface HelmHookSummary {
  name: string;
  kind: string;
  path?: string;
  events: string[];
  /** The phase of its last run: Unknown, Running, Succeeded, Failed. */
  lastRunPhase?: string;
}

/** One revision of a release, sanitized. */
export interface HelmRevision {
  revision: number;
  status: HelmReleaseStatus;
  chart: { name: string; version: string; appVersion?: string };
  firstDeployed?: string;
  lastDeployed?: string;
  deleted?: string;
  description?: string;
  /** Where it was read from: `Secret/<name>` or `ConfigMap/<name>`. */
  storedIn: string;
  /** The user-supplied values (Helm's `config`), secret-looking values redacted. */
  values: Record<string, unknown>;
  /** The rendered resources, in manifest order. */
  resources: HelmManifestResource[];
  /** Set when the manifest could not be parsed (the text is not kept). */
  manifestError?: string;
  hooks: HelmHookSummary[];
}

/** The synthetic object: metadata.namespace is the storage namespace (where `helm -n` looks), name the release name. */
export interface HelmRelease extends KubeObject {
  kind: typeof HELM_RELEASE_KIND;
  /** The namespace recorded in the release payload (normally equal to metadata.namespace). */
  releaseNamespace: string;
  /** Revisions, oldest first. */
  revisions: HelmRevision[];
}
