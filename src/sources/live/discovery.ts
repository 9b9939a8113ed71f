// API discovery: the server version and, for each wanted kind, the REST resource that serves it or why none does.
import { kindInfo } from "../../model/kinds.js";
import { ApiRequestError, type ApiClient } from "./api-client.js";
import { runBounded } from "./bounded.js";

/** A kind the server serves, and where. */
export interface ServedKind {
  kind: string;
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}

export interface Discovery {
  /** The server's gitVersion, when /version answered. */
  serverVersion?: string;
  served: ServedKind[];
  /** Kinds with no API on this server, with the reason. */
  absent: Map<string, string>;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

interface GroupVersionResources {
  /** Undefined when the resource list could not be read (then lists are tried and a 404 decides). */
  resources?: ApiResource[];
  /** Why the group version is not served (404 / 503). */
  missing?: string;
}

/**
 * Asks /version, /apis and the resource list of each needed group version (/api/v1, /apis/<g>/<v>).
 * Known kinds are looked up at the version in the KINDS table; a kind kubesleuth does not know (a CRD's,
 * metrics.k8s.io's PodMetrics) is searched in every group's preferred version. Discovery that is
 * forbidden is not fatal: the lists are tried and a 404 marks a kind absent. Network failures throw.
 */
export async function discover(client: ApiClient, kinds: readonly string[], concurrency: number): Promise<Discovery> {
  const discovery: Discovery = { served: [], absent: new Map() };
  const version = await getOptional(client, "/version");
  if (version && typeof (version as { gitVersion?: unknown }).gitVersion === "string") {
    discovery.serverVersion = (version as { gitVersion: string }).gitVersion;
  }

  const known = kinds.filter((k) => kindInfo(k));
  const unknown = kinds.filter((k) => !kindInfo(k));
  const groupList = (await getOptional(client, "/apis")) as { groups?: { name: string; versions?: { groupVersion: string }[]; preferredVersion?: { groupVersion: string } }[] } | undefined;
  const groups = Array.isArray(groupList?.groups) ? groupList.groups : undefined;

  // Group versions whose resource list is needed.
  const wanted = new Set<string>();
  for (const kind of known) {
    const info = kindInfo(kind)!;
    const groupVersion = info.group ? `${info.group}/${info.version}` : info.version;
    if (info.group && groups) {
      const group = groups.find((g) => g.name === info.group);
      if (!group) {
        discovery.absent.set(kind, `API group ${info.group} is not served`);
        continue;
      }
      if (!group.versions?.some((v) => v.groupVersion === groupVersion)) {
        discovery.absent.set(kind, `${groupVersion} is not served (kubesleuth reads ${info.kind} at ${info.version})`);
        continue;
      }
    }
    wanted.add(groupVersion);
  }
  if (unknown.length > 0 && groups) {
    wanted.add("v1");
    for (const g of groups) if (g.preferredVersion?.groupVersion) wanted.add(g.preferredVersion.groupVersion);
  }

  const lists = new Map<string, GroupVersionResources>();
  await runBounded([...wanted].sort(), concurrency, async (groupVersion) => {
    lists.set(groupVersion, await resourceList(client, groupVersion));
  });

  for (const kind of known) {
    if (discovery.absent.has(kind)) continue;
    const info = kindInfo(kind)!;
    const groupVersion = info.group ? `${info.group}/${info.version}` : info.version;
    const list = lists.get(groupVersion);
    if (list?.missing) {
      discovery.absent.set(kind, list.missing);
    } else if (list?.resources && !list.resources.some((r) => r.name === info.resource)) {
      discovery.absent.set(kind, `${groupVersion} does not serve ${info.resource}`);
    } else {
      discovery.served.push({ kind, group: info.group, version: info.version, resource: info.resource, namespaced: info.namespaced });
    }
  }

  for (const kind of unknown) {
    const found = findUnknownKind(kind, lists);
    if (found) discovery.served.push(found);
    else discovery.absent.set(kind, groups ? `no API serves kind ${kind}` : `kind ${kind} is unknown and API discovery is not readable`);
  }
  return discovery;
}

function findUnknownKind(kind: string, lists: Map<string, GroupVersionResources>): ServedKind | undefined {
  for (const [groupVersion, list] of [...lists].sort(([a], [b]) => a.localeCompare(b))) {
    const resource = list.resources?.find((r) => r.kind === kind && !r.name.includes("/") && (r.verbs ?? ["list"]).includes("list"));
    if (!resource) continue;
    const slash = groupVersion.indexOf("/");
    return {
      kind,
      group: slash < 0 ? "" : groupVersion.slice(0, slash),
      version: slash < 0 ? groupVersion : groupVersion.slice(slash + 1),
      resource: resource.name,
      namespaced: resource.namespaced,
    };
  }
  return undefined;
}

async function resourceList(client: ApiClient, groupVersion: string): Promise<GroupVersionResources> {
  const path = groupVersion.includes("/") ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
  try {
    const body = (await client.getJson(path)) as { resources?: unknown };
    return Array.isArray(body?.resources) ? { resources: body.resources as ApiResource[] } : {};
  } catch (error) {
    if (!(error instanceof ApiRequestError)) throw error;
    if (error.kind === "http" && error.status === 404) return { missing: `${groupVersion} is not served` };
    // An aggregated API whose backend is down (metrics-server) answers 503.
    if (error.kind === "http" && error.status === 503) return { missing: `${groupVersion} is unavailable (${error.message})` };
    if (error.kind === "http" && error.status !== 401) return {};
    // A hanging aggregated API (a stuck metrics-server) must not hold up the rest; core v1 is tried by listing.
    if (error.kind === "timeout") return groupVersion.includes("/") ? { missing: `${groupVersion} did not answer discovery (${error.message})` } : {};
    throw error;
  }
}

/** GETs a discovery document; a 403/404 (or other HTTP refusal but 401) gives undefined, network failures throw. */
async function getOptional(client: ApiClient, path: string): Promise<unknown> {
  try {
    return await client.getJson(path);
  } catch (error) {
    if (error instanceof ApiRequestError && ((error.kind === "http" && error.status !== 401) || error.kind === "protocol")) return undefined;
    throw error;
  }
}
