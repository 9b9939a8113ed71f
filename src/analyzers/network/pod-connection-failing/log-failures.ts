// Connection failures in container log lines, and the host (and port) each one was trying to reach.

/** Phrases of a failed connection or name lookup, as Go, Node.js, Java, Python and curl print them. */
const FAILURE = /i\/o timeout|connection refused|no such host|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|context deadline exceeded|connection timed out|Connection refused|Name or service not known|dial tcp/i;

export interface FailedConnection {
  line: string;
  host: string;
  port?: number;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443 };
const HOST = "[A-Za-z0-9](?:[-A-Za-z0-9.]*[A-Za-z0-9])?";

/**
 * The destination of a failed connection in one log line, or undefined when the line reports no
 * connection failure or names no host. Preference: a URL's host (the name the client used) with
 * the dialled port, then `lookup <host>` (the DNS server after "on" is not the destination), then
 * the address after `dial tcp` / `ECONNREFUSED` / `connect to`, then `ENOTFOUND <host>`.
 */
export function failedConnectionOf(line: string): FailedConnection | undefined {
  if (!FAILURE.test(line)) return undefined;
  const text = line.trim();
  const dial = new RegExp(`(?:dial (?:tcp|udp)[46]?|ECONNREFUSED|ETIMEDOUT|connect to|connecting to)\\s+\\[?(${HOST}|[0-9a-fA-F:]+)\\]?:(\\d+)`).exec(text);
  const url = new RegExp(`\\b([a-z][a-z0-9+.-]*)://(?:[^@/\\s"']+@)?(${HOST})(?::(\\d+))?`).exec(text);
  if (url) {
    const port = url[3] ? Number(url[3]) : dial ? Number(dial[2]) : DEFAULT_PORTS[url[1]!.toLowerCase()];
    return { line: text, host: url[2]!, ...(port !== undefined ? { port } : {}) };
  }
  const lookup = new RegExp(`lookup (${HOST})`).exec(text);
  if (lookup) return { line: text, host: lookup[1]!.replace(/\.$/, "") };
  if (dial) return { line: text, host: dial[1]!, port: Number(dial[2]) };
  const notFound = new RegExp(`(?:ENOTFOUND|EAI_AGAIN|resolve host:?)\\s+(${HOST})`).exec(text);
  if (notFound) return { line: text, host: notFound[1]! };
  return undefined;
}
