// Redacts secret-looking values in Helm values (and other free-form YAML trees) before they enter a snapshot.
//
// The rule (README.md of this folder):
// 1. A key is secret-looking when one of its words (split on camelCase, `_`, `-`, `.`) is one of
//    SECRET_WORDS (password, token, secret, key, cert, credentials, ...). Its string and number values,
//    and every string and number below it, are redacted. Booleans and null stay (`auth.enabled: true`).
//    Keys whose last word is a NAME_WORD (`secretName`, `existingSecretKeyRef`, `passwordFile`) name a
//    Secret or a path rather than hold a value, and are kept.
// 2. Anywhere, a string that looks like a credential is redacted whatever its key: a PEM block, a JWT,
//    an AWS access key id, GitHub / GitLab / Slack tokens, a URL with a password (`scheme://user:pass@`).
// Rendered manifests (sanitizeManifestObject): rule 2 everywhere, and container env entries whose name
// is secret-looking by rule 1 (`DB_PASSWORD`) lose their literal value; rendered Secrets lose every
// data/stringData value (decode-release.ts).
import { createHmac, randomBytes } from "node:crypto";
import { REDACTED } from "../redact.js";

const SECRET_WORDS = new Set([
  "password", "passwords", "passwd", "pwd", "pass", "passphrase",
  "token", "tokens", "secret", "secrets", "key", "keys", "apikey", "privatekey",
  "cert", "certs", "certificate", "certificates", "crt", "pem", "jks", "keystore", "truststore",
  "credential", "credentials", "creds", "auth", "authorization", "bearer", "private",
  "salt", "signature", "dsn", "connectionstring", "kubeconfig", "htpasswd", "license",
]);

/** A last word that makes the key a reference (a Secret's name, a file path, a flag), not the value itself. */
const NAME_WORDS = new Set(["name", "names", "ref", "refs", "file", "path", "dir", "enabled", "create", "type", "mode"]);

const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*(PRIVATE KEY|CERTIFICATE|PGP)[A-Z ]*-----/,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/, // JWT
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/, // GitHub
  /\bglpat-[A-Za-z0-9_-]{20,}\b/, // GitLab
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, // Slack
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s/@]+@/i, // URL with user:password
];

/** One cheap test that every SECRET_VALUE_PATTERNS match passes (most strings fail it). */
const SECRET_VALUE_HINT = /-----BEGIN|eyJ|AKIA|ASIA|gh[pousr]_|glpat-|xox[abposr]-|:\/\//;

/** The words of a key: `dbPassword` -> db, password; `TLS_CERT` -> tls, cert; `api-key` -> api, key. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Keys repeat across revisions and objects (env names, value keys): remembered, up to a bound. */
const secretKeyCache = new Map<string, boolean>();

/** Whether a key holds a secret value by rule 1. */
export function isSecretKey(key: string): boolean {
  let known = secretKeyCache.get(key);
  if (known === undefined) {
    known = decideSecretKey(key);
    if (secretKeyCache.size < 100_000) secretKeyCache.set(key, known);
  }
  return known;
}

function decideSecretKey(key: string): boolean {
  const words = keyWords(key);
  if (words.length === 0) return false;
  if (NAME_WORDS.has(words[words.length - 1]!)) return false;
  return words.some((w) => SECRET_WORDS.has(w)) || SECRET_WORDS.has(words.join(""));
}

/** Whether a string looks like a credential by itself (rule 2). */
export function looksLikeSecretValue(value: string): boolean {
  return SECRET_VALUE_HINT.test(value) && SECRET_VALUE_PATTERNS.some((p) => p.test(value));
}

// Redacted values carry a short keyed fingerprint so that a diff can tell "changed" from "unchanged" without
// the value: HMAC-SHA256 under a random key made per process and never stored, so the fingerprint
// cannot be checked against guesses. Equal within one capture, meaningless across captures.
const FINGERPRINT_KEY = randomBytes(32);

/** The marker that replaces a secret value: `<redacted by kubesleuth> #1a2b3c4d`. A marker stays as it is (sanitizing twice changes nothing). */
export function redactedMarker(value: unknown): string {
  if (isRedactedMarker(value)) return value as string;
  const digest = createHmac("sha256", FINGERPRINT_KEY).update(JSON.stringify(value) ?? "").digest("hex").slice(0, 8);
  return `${REDACTED} #${digest}`;
}

/** Whether a value is a marker made by redactedMarker (or the plain REDACTED). */
export function isRedactedMarker(value: unknown): boolean {
  return typeof value === "string" && value.startsWith(REDACTED);
}

/** A copy of a values tree with secret-looking values replaced by markers. */
export function sanitizeValues(value: unknown, insideSecret = false): unknown {
  if (Array.isArray(value)) return value.map((v) => sanitizeValues(v, insideSecret));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = sanitizeValues(v, insideSecret || isSecretKey(k));
    return out;
  }
  if (typeof value === "string") return insideSecret || looksLikeSecretValue(value) ? redactedMarker(value) : value;
  if (typeof value === "number" || typeof value === "bigint") return insideSecret ? redactedMarker(String(value)) : value;
  return value;
}

/**
 * A copy of a rendered (non-Secret) object with credential-shaped strings anywhere, and the literal
 * values of env entries with secret-looking names, replaced by markers. Everything else is kept as is.
 */
export function sanitizeManifestObject(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) {
    if (key === "env") {
      return value.map((item) => {
        const e = item as { name?: unknown; value?: unknown };
        if (e && typeof e === "object" && typeof e.name === "string" && typeof e.value === "string" && isSecretKey(e.name)) {
          return { ...(sanitizeManifestObject(e) as object), value: redactedMarker(e.value) };
        }
        return sanitizeManifestObject(item);
      });
    }
    return value.map((v) => sanitizeManifestObject(v));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = sanitizeManifestObject(v, k);
    return out;
  }
  return typeof value === "string" && looksLikeSecretValue(value) ? redactedMarker(value) : value;
}
