// Registry credentials as the kubelet reads them from image pull Secrets (pkg/credentialprovider:
// config.go DockerConfigEntry.UnmarshalJSON, secrets/secrets.go MakeDockerKeyring, keyring.go
// BasicDockerKeyring.Add / Lookup / urlsMatch). Pure: the caller decodes the Secret's base64.
import type { RegistryAuthEntry, RegistryAuthSummary } from "../model/kube.js";
import { parseImageReference } from "./image-reference.js";

export const DOCKER_CONFIG_JSON_TYPE = "kubernetes.io/dockerconfigjson";
export const DOCKER_CFG_TYPE = "kubernetes.io/dockercfg";

/** The data key the kubelet reads for each pull Secret type (core/v1 DockerConfigJsonKey, DockerConfigKey). */
export function pullSecretKey(type: string | undefined): ".dockerconfigjson" | ".dockercfg" | undefined {
  return type === DOCKER_CONFIG_JSON_TYPE ? ".dockerconfigjson" : type === DOCKER_CFG_TYPE ? ".dockercfg" : undefined;
}

/** Go's encoding/json matches field names case-insensitively. */
function field(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * decodeDockerConfigFieldAuth: StdEncoding when the value ends in "=", else RawStdEncoding; the
 * decoded text must hold "user:password". Returns whether it does (never the decoded text).
 */
function authDecodes(value: string): boolean {
  const padded = value.trim().endsWith("=");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false;
  if (padded ? value.length % 4 !== 0 : value.includes("=") || value.length % 4 === 1) return false;
  return atob(padded ? value : value + "=".repeat((4 - (value.length % 4)) % 4)).includes(":");
}

/**
 * The keyring key of one config entry (BasicDockerKeyring.Add): "https://" is prepended unless a
 * scheme is there, the URL's host (with port, without userinfo) and path are kept, a path starting
 * with /v1/ or /v2/ loses that prefix, and a path of "" or "/" leaves the host alone.
 * Returns undefined when Go's url.Parse would reject it.
 */
export function keyringKey(location: string): string | undefined {
  const value = /^https?:\/\//.test(location) ? location : `https://${location}`;
  const match = /^https?:\/\/([^/?#]*)([^?#]*)/.exec(value);
  if (!match || /[\s\u0000-\u001f\u007f]/.test(value)) return undefined;
  const host = match[1]!.replace(/^.*@/, "");
  let path = match[2]!;
  if (path.startsWith("/v2/") || path.startsWith("/v1/")) path = path.slice(3);
  return path.length > 0 && path !== "/" ? host + path : host;
}

/**
 * Parses a pull Secret's config the way the kubelet does, keeping only what is safe to show.
 * `text` is the decoded value of the Secret's key, undefined when the key is absent.
 */
export function summarizeRegistryConfig(type: string | undefined, text: string | undefined): RegistryAuthSummary | undefined {
  const key = pullSecretKey(type);
  if (!key) return undefined;
  const fail = (problem: string): RegistryAuthSummary => ({ key, parses: false, problem, entries: [] });
  if (text === undefined) return fail(`the Secret has no ${key} key: the kubelet uses no credentials from it`);
  if (text.length === 0) return fail(`${key} is empty: the kubelet uses no credentials from it`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(`${key} is not valid JSON`);
  }
  let auths: unknown = parsed;
  if (key === ".dockerconfigjson") {
    if (!isObject(parsed)) return fail(`${key} is not a JSON object`);
    auths = field(parsed, "auths");
    if (auths === undefined || auths === null) return { key, parses: true, entries: [] };
  }
  if (!isObject(auths)) return fail(key === ".dockerconfigjson" ? `"auths" in ${key} is not an object` : `${key} is not a JSON object of registries`);
  const entries: RegistryAuthEntry[] = [];
  for (const [location, value] of Object.entries(auths)) {
    if (!isObject(value)) return fail(`the entry of one registry in ${key} is not an object`);
    const str = (name: string): string | undefined => {
      const v = field(value, name);
      return typeof v === "string" ? v : undefined;
    };
    for (const name of ["username", "password", "email", "auth"]) {
      const v = field(value, name);
      if (v !== undefined && v !== null && typeof v !== "string") return fail(`a field of one registry entry in ${key} is not a string`);
    }
    const auth = str("auth") ?? "";
    const hasAuth = auth.length > 0;
    if (hasAuth && !authDecodes(auth)) return fail(`the "auth" of one registry entry in ${key} is not base64 of "user:password"`);
    const registry = keyringKey(location);
    if (registry === undefined) return fail(`one registry name in ${key} is not a valid URL`);
    entries.push({
      registry,
      hasAuth,
      hasUsername: hasAuth || (str("username") ?? "").length > 0,
      hasPassword: hasAuth || (str("password") ?? "").length > 0,
      hasIdentityToken: (str("identitytoken") ?? "").length > 0,
    });
  }
  entries.sort((a, b) => (a.registry < b.registry ? -1 : a.registry > b.registry ? 1 : 0));
  return { key, parses: true, entries };
}

/** The repository the kubelet looks credentials up for: the normalized name without tag or digest ("docker.io/library/nginx"). */
export function repositoryToPull(image: string): string | undefined {
  const parsed = parseImageReference(image);
  return parsed.ok ? `${parsed.reference.domain}/${parsed.reference.path}` : undefined;
}

function splitHostPort(hostport: string): { parts: string[]; port: string } {
  const m = /^(\[[^\]]*\]|[^:]*):(\d*)$/.exec(hostport);
  const host = m ? m[1]!.replace(/^\[|\]$/g, "") : hostport;
  return { parts: host.split("."), port: m ? m[2]! : "" };
}

/** filepath.Match for one host label: `*`, `?`, `[...]` (a label holds no "/"). Invalid patterns match nothing. */
function globMatch(pattern: string, name: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) return false;
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith("^")) cls = `\\^${cls.slice(1)}`;
      source += `[${cls.startsWith("!") ? `^${cls.slice(1)}` : cls}]`;
      i = end;
    } else if (c === "\\" && i + 1 < pattern.length) source += `\\${pattern[++i]!}`;
    else source += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  try {
    return new RegExp(`^${source}$`).test(name);
  } catch {
    return false;
  }
}

/** urlsMatch: same port, same number of host labels, each label glob-matched, the key's path a string prefix of the target's. */
export function registryKeyMatches(key: string, target: string): boolean {
  const split = (s: string): { hostport: string; path: string } => {
    const slash = s.indexOf("/");
    return slash < 0 ? { hostport: s, path: "" } : { hostport: s.slice(0, slash), path: s.slice(slash) };
  };
  const k = split(key);
  const t = split(target);
  const kh = splitHostPort(k.hostport);
  const th = splitHostPort(t.hostport);
  if (kh.port !== th.port || kh.parts.length !== th.parts.length) return false;
  if (!t.path.startsWith(k.path)) return false;
  return kh.parts.every((p, i) => globMatch(p, th.parts[i]!));
}

/** isDefaultRegistryMatch: the image pulls from Docker Hub. */
function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf("/");
  const first = slash < 0 ? image : image.slice(0, slash);
  if (first.length === 0) return false;
  if (slash < 0 || first === "docker.io" || first === "index.docker.io") return true;
  return !/[.:]/.test(first);
}

/**
 * The entries of `keys` the kubelet would send for `image` (BasicDockerKeyring.Lookup): every key that
 * urlsMatch-es the normalized repository, most specific first; if none does and the image is on Docker
 * Hub, the `index.docker.io` entry (written `https://index.docker.io/v1/` by `docker login`).
 * Note: an entry for `registry-1.docker.io` is not used for Docker Hub images (not the same host label
 * count as docker.io, and not the default key).
 */
export function matchingRegistryKeys(keys: readonly string[], image: string): string[] {
  const target = repositoryToPull(image) ?? image;
  const index = [...new Set(keys)].sort().reverse();
  const matched = index.filter((k) => registryKeyMatches(k, target));
  if (matched.length) return matched;
  return keys.includes("index.docker.io") && isDefaultRegistryMatch(target) ? ["index.docker.io"] : [];
}
