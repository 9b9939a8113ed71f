// Container image references as github.com/distribution/reference parses them (Parse, ParseNormalizedNamed, familiar names).
//
// Grammar (reference.go):
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [domain '/'] remote-name
//   domain    := host [':' port-number]
//   host      := domain-name | IPv4address | \[ IPv6address \]
//   path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*, separator := [_.] | __ | -+
//   tag       := [\w][\w.-]{0,127}
//   digest    := algorithm ":" hex{32,}

/** A parsed reference. `domain` is "" when the reference has none (only Parse leaves it empty). */
export interface ImageReference {
  /** Registry host with optional port: "docker.io", "registry.example.com:5000", "[::1]:5000". */
  domain: string;
  /** Repository path below the domain: "library/nginx". Empty only for a digest-only reference. */
  path: string;
  tag?: string;
  digest?: string;
}

/** The upstream error each failure corresponds to (distribution/reference and go-digest error variables). */
export type ImageReferenceErrorCode =
  | "ErrReferenceInvalidFormat"
  | "ErrTagInvalidFormat"
  | "ErrDigestInvalidFormat"
  | "ErrNameContainsUppercase"
  | "ErrNameEmpty"
  | "ErrNameTooLong"
  | "ErrNameNotCanonical"
  | "ErrNameIsIdentifier"
  | "ErrDigestInvalidLength"
  | "ErrDigestUnsupported";

export interface ImageReferenceError {
  code: ImageReferenceErrorCode;
  message: string;
}

export type ImageReferenceResult = { ok: true; reference: ImageReference } | { ok: false; error: ImageReferenceError };

/** Options for parsers that validate digests. */
export interface DigestOptions {
  /**
   * Digest algorithms treated as available (go-digest Algorithm.Available). Defaults to sha256,
   * sha384 and sha512 — the hashes a kubelet or containerd binary links in.
   */
  digestAlgorithms?: readonly string[];
}

const MESSAGES: Record<ImageReferenceErrorCode, string> = {
  ErrReferenceInvalidFormat: "invalid reference format",
  ErrTagInvalidFormat: "invalid tag format",
  ErrDigestInvalidFormat: "invalid checksum digest format",
  ErrNameContainsUppercase: "repository name must be lowercase",
  ErrNameEmpty: "repository name must have at least one component",
  ErrNameTooLong: "repository name must not be more than 255 characters",
  ErrNameNotCanonical: "repository name must be canonical",
  ErrNameIsIdentifier: "cannot specify 64-byte hexadecimal strings",
  ErrDigestInvalidLength: "invalid checksum digest length",
  ErrDigestUnsupported: "unsupported digest algorithm",
};

function fail(code: ImageReferenceErrorCode, message = MESSAGES[code]): { ok: false; error: ImageReferenceError } {
  return { ok: false, error: { code, message } };
}

// ---------------------------------------------------------------- regexp.go

const ALPHANUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const LOCALHOST = "localhost";
const DOMAIN_NAME_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const OPTIONAL_PORT = "(?::[0-9]+)?";
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}";
const IDENTIFIER = "([a-f0-9]{64})";
// IPv6 in brackets, compressed or not; zone identifiers and IPv4-mapped forms are excluded.
const IPV6_ADDRESS = "\\[(?:[a-fA-F0-9:]+)\\]";
const DOMAIN_NAME = `${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*`;
const HOST = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})`;
const DOMAIN_AND_PORT = HOST + OPTIONAL_PORT;
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;

const ANCHORED_DOMAIN = new RegExp(`^${DOMAIN_AND_PORT}$`);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_TAG = new RegExp(`^${TAG}$`);
const ANCHORED_DIGEST = new RegExp(`^${DIGEST}$`);
const ANCHORED_IDENTIFIER = new RegExp(`^${IDENTIFIER}$`);
// go-digest DigestRegexpAnchored (v1.0.0): the syntax of any digest, available or not.
const GO_DIGEST_ANCHORED = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
// go-digest: hash sizes in bytes; encodings are lowercase hex only.
const DIGEST_SIZES: Readonly<Record<string, number>> = { sha256: 32, sha384: 48, sha512: 64 };
const DEFAULT_ALGORITHMS = ["sha256", "sha384", "sha512"];

const NAME_TOTAL_LENGTH_MAX = 255;
const DEFAULT_DOMAIN = "docker.io";
const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
const OFFICIAL_REPO_PREFIX = "library/";
const DEFAULT_TAG = "latest";

/** DomainRegexp, anchored: whether the string is a valid domain (host and optional port). */
export function isDomain(value: string): boolean {
  return ANCHORED_DOMAIN.test(value);
}

/** anchoredNameRegexp: split a name into domain ("" if none) and remote name; undefined if it is not a name. */
export function splitRepositoryName(name: string): { domain: string; path: string } | undefined {
  const match = ANCHORED_NAME.exec(name);
  return match ? { domain: match[1] ?? "", path: match[2] as string } : undefined;
}

/** ReferenceRegexp: the name, tag and digest parts of a syntactically valid reference ("" when absent). */
export function matchReferenceGrammar(value: string): { name: string; tag: string; digest: string } | undefined {
  const match = REFERENCE.exec(value);
  return match ? { name: match[1] as string, tag: match[2] ?? "", digest: match[3] ?? "" } : undefined;
}

/** IdentifierRegexp, anchored: a 64-character lowercase hex image ID. */
export function isIdentifier(value: string): boolean {
  return ANCHORED_IDENTIFIER.test(value);
}

// go-digest (v1.0.0) Digest.Validate.
function validateDigest(digest: string, options: DigestOptions): ImageReferenceError | undefined {
  const separator = digest.indexOf(":");
  if (separator <= 0 || separator + 1 === digest.length) return { code: "ErrDigestInvalidFormat", message: MESSAGES.ErrDigestInvalidFormat };
  const algorithm = digest.slice(0, separator);
  const encoded = digest.slice(separator + 1);
  const size = DIGEST_SIZES[algorithm];
  const available = size !== undefined && (options.digestAlgorithms ?? DEFAULT_ALGORITHMS).includes(algorithm);
  if (!available) {
    const code = GO_DIGEST_ANCHORED.test(digest) ? "ErrDigestUnsupported" : "ErrDigestInvalidFormat";
    return { code, message: MESSAGES[code] };
  }
  if (encoded.length !== (size as number) * 2) return { code: "ErrDigestInvalidLength", message: MESSAGES.ErrDigestInvalidLength };
  if (!/^[a-f0-9]+$/.test(encoded)) return { code: "ErrDigestInvalidFormat", message: MESSAGES.ErrDigestInvalidFormat };
  return undefined;
}

function isValidDigest(value: string, options: DigestOptions): boolean {
  return validateDigest(value, options) === undefined;
}

// ---------------------------------------------------------------- reference.go

/** The full name, `domain/path` (or just `path` without a domain). */
export function referenceName(reference: ImageReference): string {
  return reference.domain ? `${reference.domain}/${reference.path}` : reference.path;
}

/** Reference.String: `name[:tag][@digest]`, or the digest alone for a digest-only reference. */
export function formatReference(reference: ImageReference): string {
  if (!reference.domain && !reference.path) return reference.digest ?? "";
  let text = referenceName(reference);
  if (reference.tag) text += `:${reference.tag}`;
  if (reference.digest) text += `@${reference.digest}`;
  return text;
}

function build(domain: string, path: string, tag: string | undefined, digest: string | undefined): ImageReference {
  const reference: ImageReference = { domain, path };
  if (tag) reference.tag = tag;
  if (digest) reference.digest = digest;
  return reference;
}

/**
 * reference.Parse: a syntactically valid reference, not normalized ("ubuntu" stays "ubuntu",
 * with no domain). Fails with ErrNameContainsUppercase when the input would parse lowercased.
 */
export function parseReference(value: string, options: DigestOptions = {}): ImageReferenceResult {
  if (value === "") return fail("ErrNameEmpty");
  const match = REFERENCE.exec(value);
  if (!match) {
    const lower = value.toLowerCase();
    if (lower !== value && REFERENCE.test(lower)) return fail("ErrNameContainsUppercase");
    return fail("ErrReferenceInvalidFormat");
  }
  const name = splitRepositoryName(match[1] as string) ?? { domain: "", path: match[1] as string };
  if (name.path.length > NAME_TOTAL_LENGTH_MAX) return fail("ErrNameTooLong");
  const digest = match[3];
  if (digest) {
    const error = validateDigest(digest, options);
    if (error) return { ok: false, error };
  }
  return { ok: true, reference: build(name.domain, name.path, match[2], digest) };
}

/** reference.WithName: a name without tag or digest. */
export function withName(name: string): ImageReferenceResult {
  const split = splitRepositoryName(name);
  if (!split) return fail("ErrReferenceInvalidFormat");
  if (split.path.length > NAME_TOTAL_LENGTH_MAX) return fail("ErrNameTooLong");
  return { ok: true, reference: build(split.domain, split.path, undefined, undefined) };
}

/** reference.WithTag: sets the tag (a digest already present is kept). */
export function withTag(reference: ImageReference, tag: string): ImageReferenceResult {
  if (!ANCHORED_TAG.test(tag)) return fail("ErrTagInvalidFormat");
  return { ok: true, reference: build(reference.domain, reference.path, tag, reference.digest) };
}

/** reference.WithDigest: sets the digest (a tag already present is kept). Checks syntax only, not the algorithm. */
export function withDigest(reference: ImageReference, digest: string): ImageReferenceResult {
  if (!ANCHORED_DIGEST.test(digest)) return fail("ErrDigestInvalidFormat");
  return { ok: true, reference: build(reference.domain, reference.path, reference.tag, digest) };
}

// ---------------------------------------------------------------- normalize.go

// splitDockerDomain: a first component is a domain when it is "localhost", contains "." or ":",
// or has uppercase letters; otherwise the name is on Docker Hub, and single names go to "library/".
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf("/");
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  const maybeDomain = name.slice(0, slash);
  const maybeRemainder = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === LOCALHOST) {
    [domain, remainder] = [maybeDomain, maybeRemainder];
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, maybeRemainder];
  } else if (/[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    [domain, remainder] = [maybeDomain, maybeRemainder];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, name];
  }
  // "docker.io/ubuntu" => "docker.io/library/ubuntu", on Docker Hub only.
  if (domain === DEFAULT_DOMAIN && !remainder.includes("/")) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * reference.ParseNormalizedNamed, the way kubelet and containerd read `image:` — the main entry
 * point: "nginx" → docker.io/library/nginx, "user/app:1" → docker.io/user/app:1,
 * "index.docker.io/x" → docker.io/library/x. Rejects 64-hex identifiers and uppercase
 * repository names.
 */
export function parseImageReference(image: string, options: DigestOptions = {}): ImageReferenceResult {
  if (isIdentifier(image)) return fail("ErrNameIsIdentifier", `invalid repository name (${image}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDockerDomain(image);
  const colon = remainder.indexOf(":");
  const remote = colon > -1 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    return fail("ErrNameContainsUppercase", `invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parseReference(`${domain}/${remainder}`, options);
}

/** reference.ParseNamed: like parseImageReference, but the input must already be in canonical (fully qualified) form. */
export function parseNamed(value: string, options: DigestOptions = {}): ImageReferenceResult {
  const parsed = parseImageReference(value, options);
  if (!parsed.ok) return parsed;
  if (formatReference(parsed.reference) !== value) return fail("ErrNameNotCanonical");
  return parsed;
}

/**
 * reference.ParseAnyReference: a 64-hex identifier (→ sha256 digest-only reference), a full
 * digest (digest-only reference, empty domain and path), or else a normalized name.
 */
export function parseAnyReference(value: string, options: DigestOptions = {}): ImageReferenceResult {
  if (isIdentifier(value)) return { ok: true, reference: { domain: "", path: "", digest: `sha256:${value}` } };
  if (isValidDigest(value, options)) return { ok: true, reference: { domain: "", path: "", digest: value } };
  return parseImageReference(value, options);
}

/**
 * reference.ParseDockerRef: normalized, with ":latest" added when there is neither tag nor
 * digest, and the tag dropped when both are present.
 */
export function parseDockerRef(value: string, options: DigestOptions = {}): ImageReferenceResult {
  const parsed = parseImageReference(value, options);
  if (!parsed.ok) return parsed;
  const { domain, path, tag, digest } = parsed.reference;
  if (tag && digest) return { ok: true, reference: build(domain, path, undefined, digest) };
  if (!tag && !digest) return { ok: true, reference: build(domain, path, DEFAULT_TAG, undefined) };
  return parsed;
}

// familiarizeName: drop "docker.io/", and "library/" for single-component official images.
function familiarize(reference: ImageReference): ImageReference {
  if (reference.domain !== DEFAULT_DOMAIN) return reference;
  let path = reference.path;
  if (path.startsWith(OFFICIAL_REPO_PREFIX) && !path.slice(OFFICIAL_REPO_PREFIX.length).includes("/")) {
    path = path.slice(OFFICIAL_REPO_PREFIX.length);
  }
  return { ...reference, domain: "", path };
}

/** reference.FamiliarName: the short name Docker shows ("docker.io/library/redis" → "redis"). */
export function familiarName(reference: ImageReference): string {
  return referenceName(familiarize(reference));
}

/** reference.FamiliarString: the short form with tag and digest ("docker.io/library/redis:7" → "redis:7"). */
export function familiarString(reference: ImageReference): string {
  if (!reference.path) return formatReference(reference);
  return formatReference(familiarize(reference));
}

/**
 * reference.FamiliarMatch: whether the familiar string, or failing that the familiar name,
 * matches a path.Match pattern (`*`, `?`, `[a-z]`). A malformed pattern matches nothing.
 */
export function familiarMatch(pattern: string, reference: ImageReference): boolean {
  if (matchPath(pattern, familiarString(reference))) return true;
  return reference.path !== "" && matchPath(pattern, familiarName(reference));
}

// ---------------------------------------------------------------- Go path.Match

// path.Match: '*' matches any run of non-'/' characters, '?' one non-'/' character, '[...]' a
// class (with '^' negation and 'a-z' ranges), '\' escapes. False for a malformed pattern.
function matchPath(patternText: string, nameText: string): boolean {
  let pattern = Array.from(patternText);
  let name = Array.from(nameText);
  patternLoop: while (pattern.length > 0) {
    const scanned = scanChunk(pattern);
    const { star, chunk } = scanned;
    pattern = scanned.rest;
    // A trailing '*' matches the rest of the name unless it contains a '/'.
    if (star && chunk.length === 0) return !name.includes("/");
    const here = matchChunk(chunk, name);
    if (here.bad) return false;
    if (here.ok && (here.rest.length === 0 || pattern.length > 0)) {
      name = here.rest;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== "/"; i++) {
        const skipped = matchChunk(chunk, name.slice(i + 1));
        if (skipped.bad) return false;
        if (skipped.ok) {
          if (pattern.length === 0 && skipped.rest.length > 0) continue;
          name = skipped.rest;
          continue patternLoop;
        }
      }
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(pattern: string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let start = 0;
  while (start < pattern.length && pattern[start] === "*") start++;
  const star = start > 0;
  let inRange = false;
  let i = start;
  for (; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") {
      if (i + 1 < pattern.length) i++;
    } else if (ch === "[") {
      inRange = true;
    } else if (ch === "]") {
      inRange = false;
    } else if (ch === "*" && !inRange) {
      break;
    }
  }
  return { star, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

function matchChunk(chunkIn: string[], nameIn: string[]): { rest: string[]; ok: boolean; bad: boolean } {
  let chunk = chunkIn;
  let s = nameIn;
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const head = chunk[0];
    if (head === "[") {
      let r = "";
      if (!failed) {
        r = s[0] as string;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk[0] === "^") {
        negated = true;
        chunk = chunk.slice(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === "]" && ranges > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEscaped(chunk);
        if (!lo) return { rest: [], ok: false, bad: true };
        chunk = lo.rest;
        let hi = lo.char;
        if (chunk[0] === "-") {
          const upper = getEscaped(chunk.slice(1));
          if (!upper) return { rest: [], ok: false, bad: true };
          hi = upper.char;
          chunk = upper.rest;
        }
        if (!failed && (lo.char.codePointAt(0) as number) <= (r.codePointAt(0) as number) && (r.codePointAt(0) as number) <= (hi.codePointAt(0) as number)) {
          matched = true;
        }
        ranges++;
      }
      if (matched === negated) failed = true;
    } else if (head === "?") {
      if (!failed) {
        if (s[0] === "/") failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (head === "\\") {
        chunk = chunk.slice(1);
        if (chunk.length === 0) return { rest: [], ok: false, bad: true };
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? { rest: [], ok: false, bad: false } : { rest: s, ok: true, bad: false };
}

// path.getEsc: one (possibly escaped) character of a class; undefined for a malformed class.
function getEscaped(chunkIn: string[]): { char: string; rest: string[] } | undefined {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") return undefined;
  if (chunk[0] === "\\") {
    chunk = chunk.slice(1);
    if (chunk.length === 0) return undefined;
  }
  const rest = chunk.slice(1);
  if (rest.length === 0) return undefined;
  return { char: chunk[0] as string, rest };
}
