// Lists one kind page by page (limit/continue) and turns the items into `kubectl get -o json` objects.
import type { KubeObject } from "../../model/kube.js";
import type { CoverageStatus } from "../../model/snapshot.js";
import { ApiRequestError, type ApiClient } from "./api-client.js";
import type { ServedKind } from "./discovery.js";

export interface ListRequest {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize: number;
}

export interface ListResult {
  items: KubeObject[];
  status: CoverageStatus;
  note?: string;
  /** Set when the list ended because the server stopped answering (timeout) or went away mid-list. */
  serverGone?: ApiRequestError;
}

/** Pages one list can take before kubesleuth stops (a server looping on continue tokens). */
const MAX_PAGES = 10_000;

/**
 * Lists a kind. HTTP refusals become coverage: 403 "forbidden", 404 "absent", others (and a timeout)
 * "partial" with the pages read so far. A 410 on a continue token (expired) restarts the list once;
 * a second 410 keeps what was read and is "partial". An unreachable server throws ApiRequestError
 * (kind "unreachable") so the caller can stop the capture.
 */
export async function listKind(client: ApiClient, served: ServedKind, request: ListRequest): Promise<ListResult> {
  const path = listPath(served, request.namespace);
  const apiVersion = served.group ? `${served.group}/${served.version}` : served.version;
  let restarted = false;
  for (;;) {
    const items: KubeObject[] = [];
    let token: string | undefined;
    let pages = 0;
    try {
      do {
        const page = (await client.getJson(path, {
          limit: String(request.pageSize),
          continue: token,
          labelSelector: request.labelSelector,
          fieldSelector: request.fieldSelector,
        })) as { items?: unknown; metadata?: { continue?: unknown } };
        if (!page || !Array.isArray(page.items)) throw new ApiRequestError("protocol", path, "the answer is not a list");
        for (const item of page.items) {
          const object = toKubectlShape(item, served.kind, apiVersion);
          if (object) items.push(object);
        }
        const next = page.metadata?.continue;
        token = typeof next === "string" && next !== "" ? next : undefined;
        if (++pages >= MAX_PAGES && token) return { items, status: "partial", note: `stopped after ${MAX_PAGES} pages` };
      } while (token);
      return { items, status: "ok" };
    } catch (error) {
      if (!(error instanceof ApiRequestError)) throw error;
      // Gone mid-list: keep the pages already read; the caller stops the capture.
      if (error.kind === "unreachable" && items.length > 0) {
        return { items, status: "partial", note: `${error.message}; ${items.length} objects read`, serverGone: error };
      }
      if (error.kind === "unreachable" || error.kind === "tls") throw error;
      if (error.kind === "timeout") {
        return { items, status: "partial", note: `${error.message}; ${items.length} objects read`, serverGone: error };
      }
      if (error.kind === "http" && error.status === 410 && token !== undefined) {
        if (!restarted) {
          restarted = true;
          continue;
        }
        return { items, status: "partial", note: `continue token expired twice (410 Gone); ${items.length} objects read` };
      }
      if (error.kind === "http" && error.status === 403 && items.length === 0) return { items, status: "forbidden", note: error.message };
      if (error.kind === "http" && error.status === 404 && items.length === 0) return { items, status: "absent", note: error.message };
      const attempts = error.attempts > 1 ? ` after ${error.attempts} attempts` : "";
      return { items, status: "partial", note: `${error.message}${attempts}; ${items.length} objects read` };
    }
  }
}

/** The REST path of a list: /api/v1[/namespaces/<ns>]/<resource> or /apis/<group>/<version>[/namespaces/<ns>]/<resource>. */
export function listPath(served: ServedKind, namespace?: string): string {
  const root = served.group ? `/apis/${served.group}/${served.version}` : `/api/${served.version}`;
  const scope = served.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${root}${scope}/${served.resource}`;
}

/**
 * An item of a list as `kubectl get -o json` prints it: apiVersion and kind first (list items lack
 * them), and no metadata.managedFields (kubectl hides them unless --show-managed-fields).
 */
export function toKubectlShape(item: unknown, kind: string, apiVersion: string): KubeObject | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined;
  const { apiVersion: own, kind: _kind, ...rest } = item as Record<string, unknown>;
  const object = { apiVersion: typeof own === "string" ? own : apiVersion, kind, ...rest } as KubeObject;
  if (typeof object.metadata !== "object" || object.metadata === null) return undefined;
  if ("managedFields" in object.metadata) {
    const { managedFields: _dropped, ...metadata } = object.metadata;
    object.metadata = metadata as KubeObject["metadata"];
  }
  return object;
}
