// What kubesleuth read of the API server itself: health endpoints, /version, and the metric families analyzers use.

/** One named check of /livez, /readyz or /healthz (`[+]etcd ok`, `[-]etcd failed: reason withheld`). */
export interface HealthCheck {
  name: string;
  ok: boolean;
  /** The line as the API server wrote it. */
  line: string;
}

/** The answer of one health endpoint asked with ?verbose. */
export interface HealthEndpoint {
  /** "/livez", "/readyz" or "/healthz". */
  path: string;
  /** The HTTP status; undefined when there was no answer. */
  status?: number;
  /** True for a 2xx answer. */
  ok: boolean;
  checks: HealthCheck[];
  /** Why there is no answer, or the HTTP error (e.g. 403 for an identity without the path). */
  error?: string;
}

/**
 * The API server's own state. `metrics` is the Prometheus text of /metrics filtered to the families
 * analyzers read (see sources/live/control-plane.ts, METRIC_FAMILIES): the whole exposition is ~2 MB on
 * an idle 1.36 server, the kept families ~0.7 MB (~20 KB gzipped in an archive).
 */
export interface ControlPlaneData {
  health: HealthEndpoint[];
  /** /version as the server answered it (gitVersion, goVersion, platform...). */
  version?: Record<string, string>;
  metrics?: {
    text: string;
    /** Size of the whole /metrics answer read, in bytes. */
    bytes: number;
  };
  /** Why metrics are absent: "forbidden (HTTP 403)", not asked, ... */
  metricsNote?: string;
  /** Set when the API server could not be reached at all: the error. */
  unreachable?: string;
  /** etcd's own endpoints, read when asked (--etcd-endpoint): /health and /metrics of each. */
  etcd?: EtcdEndpointData[];
  /** kube-scheduler's / kube-controller-manager's own /healthz?verbose, read when asked (--component-endpoint). */
  components?: ComponentHealthData[];
  /** The API server's serving certificate as read by a TLS handshake (absent for an http:// server). */
  servingCertificate?: ServingCertificateData;
}

/** What one etcd client URL answered: /health (JSON) and /metrics filtered to the families etcd-unhealthy reads. */
export interface EtcdEndpointData {
  /** The URL as given (no credentials). */
  url: string;
  /** /health: HTTP status and body (`{"health":"true","reason":""}`). */
  health?: { status: number; text: string };
  /** Prometheus text of /metrics, filtered (sources/live/etcd.ts, ETCD_METRIC_FAMILIES). */
  metrics?: string;
  /** Why /health or /metrics is missing (connection refused, TLS error, HTTP status). */
  error?: string;
}

/** What one component's /healthz?verbose answered (--component-endpoint NAME=URL). */
export interface ComponentHealthData {
  /** "kube-scheduler" or "kube-controller-manager". */
  name: string;
  /** The base URL as given (no credentials). */
  url: string;
  /** The HTTP status; undefined when there was no answer. */
  status?: number;
  /** True for a 2xx answer. */
  ok: boolean;
  checks: HealthCheck[];
  /** False for https: the serving certificate (usually self-signed) was not verified. */
  certificateVerified?: boolean;
  /** Why there is no answer (connection refused, timeout), or the HTTP status of a failing answer. */
  error?: string;
}

/** The certificate the API server presented in a TLS handshake (SNI = the kubeconfig server's host). */
export interface ServingCertificateData {
  /** The host:port dialled and the SNI name sent. */
  host: string;
  port: number;
  subject: string;
  issuer: string;
  /** subjectAltName entries as `DNS:name` / `IP Address:addr`. */
  subjectAltNames: string[];
  /** RFC 3339. */
  notBefore: string;
  notAfter: string;
  /** True when the chain verifies against the kubeconfig's CA (or the system CAs without one) and the host matches. */
  trusted: boolean;
  /** Why it is not trusted (the TLS verification error). */
  trustError?: string;
  /** Set when no certificate could be read: the error. */
  error?: string;
}
