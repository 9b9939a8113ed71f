// Brings objects from every offline format to the shape `kubectl get -o json` prints, in place
// (parsed objects are ours; no copies): list items get their kind, managedFields go, and
// events.k8s.io Events become core v1 Events.

/** An object as parsed, before it is known to be a Kubernetes object. */
type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * True for `List` and typed lists (`PodList`, `EventList`, ...): a kind ending in "List" with an items
 * array, or `items: null` (Go's nil slice, as in must-gather's empty lists).
 */
export function isListObject(value: unknown): value is Json & { kind: string; items: unknown[] | null } {
  return isRecord(value) && typeof value.kind === "string" && value.kind.endsWith("List") && (Array.isArray(value.items) || value.items === null);
}

/** The item kind of a typed list (`PodList` -> `Pod`), or undefined for the generic `List`. */
export function itemKindOf(listKind: string): string | undefined {
  return listKind !== "List" && listKind.endsWith("List") ? listKind.slice(0, -4) : undefined;
}

/**
 * Fixes one object in place and returns it (or, for an events.k8s.io Event, its core v1 form).
 * `defaults` fill kind/apiVersion that typed list items omit.
 */
export function normalizeObject(value: unknown, defaults?: { kind?: string | undefined; apiVersion?: string | undefined }): unknown {
  if (!isRecord(value)) return value;
  if (defaults) {
    if (value.kind === undefined && defaults.kind) value.kind = defaults.kind;
    if (value.apiVersion === undefined && defaults.apiVersion) value.apiVersion = defaults.apiVersion;
  }
  const metadata = value.metadata;
  // kubectl get/cluster-info dump omit managedFields (--show-managed-fields=false); support bundles
  // and must-gathers keep them. Dropping them gives every format the same objects and saves
  // a third of the memory of a large snapshot; no analyzer reads them.
  if (isRecord(metadata) && "managedFields" in metadata) delete metadata.managedFields;
  if (value.kind === "Event" && typeof value.apiVersion === "string" && value.apiVersion.startsWith("events.k8s.io/")) {
    return coreEventOf(value);
  }
  return value;
}

/**
 * An events.k8s.io/v1 (or v1beta1) Event in the core v1 shape analyzers read: one Event shape
 * whatever the dump used. Field mapping as the API server's own conversion
 * (kubernetes pkg/apis/events/v1/conversion.go, Convert_v1_Event_To_core_Event):
 * regarding -> involvedObject, note -> message, deprecatedCount -> count,
 * deprecatedFirstTimestamp/deprecatedLastTimestamp -> firstTimestamp/lastTimestamp,
 * deprecatedSource -> source, reportingController -> reportingComponent; reason, type,
 * action, related, series, eventTime and reportingInstance keep their names.
 */
export function coreEventOf(event: Json): Json {
  const out: Json = { apiVersion: "v1", kind: "Event", metadata: event.metadata };
  const set = (name: string, v: unknown): void => {
    if (v !== undefined) out[name] = v;
  };
  set("involvedObject", event.regarding ?? {});
  set("reason", event.reason);
  set("message", event.note);
  set("type", event.type);
  set("count", event.deprecatedCount);
  set("firstTimestamp", event.deprecatedFirstTimestamp);
  set("lastTimestamp", event.deprecatedLastTimestamp);
  set("eventTime", event.eventTime);
  set("series", event.series);
  set("source", event.deprecatedSource);
  set("reportingComponent", event.reportingController);
  set("reportingInstance", event.reportingInstance);
  set("action", event.action);
  set("related", event.related);
  return out;
}
