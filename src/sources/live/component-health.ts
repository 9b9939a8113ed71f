// Reads kube-scheduler's or kube-controller-manager's own /healthz?verbose (opt-in, --component-endpoint
// NAME=URL). Both serve /healthz, /livez and /readyz to anonymous clients by default
// (--authorization-always-allow-paths) over a self-signed serving certificate, so the certificate is not
// verified and the record says so. Read-only GET; never throws for an HTTP, TLS or network failure.
import type { ComponentHealthData } from "../../model/control-plane.js";
import { parseHealthChecks } from "./control-plane.js";
import { get } from "./etcd.js";

/** The components whose /healthz can be read (their leader-election Lease names). */
export const HEALTH_COMPONENTS: readonly string[] = ["kube-scheduler", "kube-controller-manager"];

/** GETs `<url>/healthz?verbose` of one component. */
export async function readComponentHealth(name: string, rawUrl: string, timeoutMs = 10_000): Promise<ComponentHealthData> {
  const base = new URL(rawUrl);
  base.username = "";
  base.password = "";
  const url = base.toString().replace(/\/$/, "");
  const data: ComponentHealthData = { name, url, ok: false, checks: [] };
  if (base.protocol === "https:") data.certificateVerified = false;
  try {
    const answer = await get(new URL(`${url}/healthz?verbose`), { rejectUnauthorized: false }, timeoutMs);
    data.status = answer.status;
    data.ok = answer.status >= 200 && answer.status < 300;
    data.checks = parseHealthChecks(answer.text);
    if (!data.ok) data.error = `HTTP ${answer.status}${answer.status === 401 || answer.status === 403 ? " (anonymous access to /healthz not allowed)" : ""}`;
  } catch (error) {
    data.error = error instanceof Error ? error.message.replace(/[\r\n]+/g, " ") : String(error);
  }
  return data;
}
