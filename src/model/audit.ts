// Kubernetes audit log events, as the API server's log backend writes them (one JSON object a line).

/** The fields of an audit.k8s.io/v1 Event that kubesleuth reads (k8s.io/apiserver/pkg/apis/audit/v1 types.go). */
export interface AuditEvent {
  kind: "Event";
  apiVersion?: string;
  level?: string;
  auditID?: string;
  stage?: string;
  requestURI?: string;
  verb?: string;
  user?: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string };
  responseStatus?: { code?: number; reason?: string; message?: string; status?: string };
  responseObject?: unknown;
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
  /** v1beta1 only: when the event was generated. */
  timestamp?: string;
  annotations?: Record<string, string>;
}

export interface AuditUser {
  username?: string;
  uid?: string;
  groups?: string[];
}
