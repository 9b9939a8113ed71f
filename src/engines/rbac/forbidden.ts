// Reads the API server's "forbidden" error text back into the request it refused. The wording is
// k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage:
//   User %q cannot %s path %q                                                   (non-resource)
//   User %q cannot %s resource %q in API group %q in the namespace %q           (namespaced)
//   User %q cannot %s resource %q in API group %q at the cluster scope          (cluster-scoped)
// where the resource is `resource[/subresource]`, wrapped by apierrors.NewForbidden as
// `<resource>[.<group>] ["<name>"] is forbidden: <message>`.

/** One refused request as its error text states it. The user's groups are not in the text. */
export interface ForbiddenRequest {
  username: string;
  verb: string;
  /** Set for resource requests. */
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  /** "" for cluster-scoped requests. */
  namespace?: string;
  /** The object name, when the NewForbidden prefix names one. */
  name?: string;
  /** Set for non-resource requests. */
  path?: string;
  /** The matched text, from the NewForbidden prefix (when present) to the end of the message. */
  text: string;
}

// A Go %q string; in JSON-encoded log lines its quotes arrive escaped as \".
const Q = String.raw`\\?"((?:[^"\\]|\\[^"]|\\\\")*?)\\?"`;
const PREFIX = String.raw`(?:([a-z0-9.-]+)(?:\s+${Q})?\s+is forbidden:\s+)?`;
const RESOURCE = new RegExp(
  String.raw`${PREFIX}User ${Q} cannot (\S+) resource ${Q} in API group ${Q} (?:in the namespace ${Q}|at the cluster scope)`,
  "g",
);
const NON_RESOURCE = new RegExp(String.raw`${PREFIX}User ${Q} cannot (\S+) path ${Q}`, "g");

/** Undoes Go's %q quoting (and the JSON escaping of a structured log line) for the common escapes. */
function unquote(value: string): string {
  return value.replace(/\\\\"/g, '"').replace(/\\(["\\])/g, "$1");
}

/** Every forbidden error in a text (a log line, an event message), in order. */
export function parseForbiddenMessages(text: string): ForbiddenRequest[] {
  const found: { at: number; request: ForbiddenRequest }[] = [];
  for (const m of text.matchAll(RESOURCE)) {
    const [whole, prefixResource, prefixName, user, verb, combined, group, namespace] = m;
    const slash = combined!.indexOf("/");
    const resource = unquote(slash < 0 ? combined! : combined!.slice(0, slash));
    const request: ForbiddenRequest = {
      username: unquote(user!),
      verb: verb!,
      resource,
      apiGroup: unquote(group!),
      namespace: namespace === undefined ? "" : unquote(namespace),
      text: whole,
    };
    if (slash >= 0) request.subresource = unquote(combined!.slice(slash + 1));
    // The NewForbidden prefix names the object of the check only when it is the same resource: the
    // impersonation filter prefixes the request's own resource instead.
    const sameObject = prefixResource === (request.apiGroup ? `${resource}.${request.apiGroup}` : resource);
    if (prefixName !== undefined && prefixName.length > 0 && sameObject) request.name = unquote(prefixName);
    found.push({ at: m.index, request });
  }
  for (const m of text.matchAll(NON_RESOURCE)) {
    const [whole, , , user, verb, path] = m;
    found.push({ at: m.index, request: { username: unquote(user!), verb: verb!, path: unquote(path!), text: whole } });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.request);
}
