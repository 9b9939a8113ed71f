// What a kubeconfig holds, described without secrets (sources/kubeconfig reads it), and a live probe of a context.

export interface CertificateInfo {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Where it came from: `<field>` (inline data) or the file path. */
  from: string;
}

/** A certificate source that could not be read or parsed. */
export interface CertificateProblem {
  from: string;
  problem: string;
}

export interface ClusterInfo {
  name: string;
  /** From which file the entry was taken. */
  file: string;
  server?: string;
  proxyUrl?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify: boolean;
  ca: CertificateInfo[];
  caProblems: CertificateProblem[];
  /** No CA configured: the system trust store is used. */
  systemTrust: boolean;
}

export interface ExecInfo {
  command: string;
  apiVersion?: string;
  /** Absolute path the command resolves to, or undefined when it is not found (not on PATH / not executable). */
  resolved?: string;
  /** Number of arguments and env entries configured (their values are never shown: they may hold secrets). */
  args: number;
  env: number;
  interactiveMode?: string;
  provideClusterInfo?: boolean;
}

export interface UserInfoEntry {
  name: string;
  file: string;
  clientCertificate: CertificateInfo[];
  clientCertificateProblems: CertificateProblem[];
  clientKey: "data" | "file" | "missing-file" | "none";
  token: "inline" | "file" | "missing-file" | "none";
  basicAuth: boolean;
  exec?: ExecInfo;
  authProvider?: string;
  impersonate?: string;
}

export interface ContextInfo {
  name: string;
  file: string;
  cluster: string;
  user: string;
  namespace?: string;
  current: boolean;
}

export interface KubeconfigInspection {
  files: string[];
  /** Files of KUBECONFIG that do not exist (kubectl ignores them). */
  missingFiles: string[];
  currentContext?: string;
  contexts: ContextInfo[];
  clusters: ClusterInfo[];
  users: UserInfoEntry[];
}

export interface ContextProbe {
  context: string;
  server: string;
  /** GET /version: any HTTP answer means the server answers (gitVersion when 2xx; 401 with rejected credentials), else why not. */
  version: { answers: true; status: number; gitVersion?: string } | { answers: false; error: string };
  /**
   * `authenticated`: SelfSubjectReview answered with the user; `unauthenticated`: 401;
   * `forbidden`: 403 (authenticated, but not allowed to create selfsubjectreviews);
   * `unsupported`: the API is absent (404, Kubernetes before 1.27/1.28) - only /version was checked;
   * `error`: no answer or another status.
   */
  auth:
    | { status: "authenticated"; username: string; groups: string[]; apiVersion: string }
    | { status: "unauthenticated" | "forbidden" | "unsupported" | "error"; detail: string };
}
