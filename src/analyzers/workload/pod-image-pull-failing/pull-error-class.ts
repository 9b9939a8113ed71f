// Classes of image pull failures, from the waiting reason and the container runtime's error text.

export type PullClass = "invalidReference" | "neverPull" | "rateLimited" | "tlsError" | "unauthorized" | "platformMismatch" | "notFound" | "registryUnreachable" | "unclassified";

/**
 * Pull error texts as containerd, CRI-O and dockershim word them, checked in this order (a rate-limit
 * answer also says "unexpected status", a TLS failure happens on the way to "failed to resolve").
 */
const CLASS_RULES: readonly [PullClass, RegExp][] = [
  ["rateLimited", /toomanyrequests|429 Too Many Requests|pull rate limit/i],
  ["tlsError", /x509: |tls: failed to verify|tls: |certificate signed by unknown authority|certificate has expired|server gave HTTP response to HTTPS client/i],
  [
    "unauthorized",
    /pull access denied|401 Unauthorized|403 Forbidden|\bunauthorized\b|authorization failed|authentication required|no basic auth credentials|requested access to the resource is denied/i,
  ],
  // containerd's "no match for platform in manifest: not found" must win over notFound.
  ["platformMismatch", /no match for platform in manifest|no matching manifest for \S+ in the manifest list|no image found in (?:manifest list|image index) for architecture/i],
  ["notFound", /manifest unknown|: not found\b|manifest for \S+ not found|name unknown|code = NotFound/i],
  [
    "registryUnreachable",
    /no such host|i\/o timeout|connection refused|connection timed out|network is unreachable|no route to host|server misbehaving|Temporary failure in name resolution|TLS handshake timeout|registry is unavailable|Client\.Timeout exceeded|request canceled while waiting for connection|context deadline exceeded/i,
  ],
];

/** Classifies a pull failure from the waiting reason and the runtime's message. */
export function classifyPullError(reason: string | undefined, message: string): PullClass {
  if (reason === "InvalidImageName" || /invalid reference format/i.test(message)) return "invalidReference";
  if (reason === "ErrImageNeverPull") return "neverPull";
  if (reason === "RegistryUnavailable") return "registryUnreachable";
  for (const [cls, pattern] of CLASS_RULES) if (pattern.test(message)) return cls;
  return "unclassified";
}

