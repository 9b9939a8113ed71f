// "Now" for a snapshot: its capture time, else the newest timestamp in it. Live scans pass the clock in.
import type { Snapshot } from "../model/snapshot.js";
import type { Event, KubeObject } from "../model/kube.js";
import { eventTime, parseTime } from "../semantics/time.js";

/** The newest timestamp found in object metadata, conditions, events and node-diagnostics collection times; undefined for a snapshot with none. */
export function newestTimestamp(snapshot: Snapshot): number | undefined {
  let newest: number | undefined;
  const see = (value: string | null | undefined): void => {
    const t = parseTime(value);
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  };
  for (const [kind, list] of snapshot.objects) {
    for (const o of list as readonly KubeObject[]) {
      see(o.metadata.creationTimestamp);
      if (kind === "Event") see(eventTime(o as Event));
      const conditions = (o as { status?: { conditions?: { lastTransitionTime?: string; lastHeartbeatTime?: string }[] } }).status?.conditions;
      if (Array.isArray(conditions)) {
        for (const c of conditions) {
          see(c.lastTransitionTime);
          see(c.lastHeartbeatTime);
        }
      }
    }
  }
  for (const diagnostics of snapshot.nodeDiagnostics ?? []) see(diagnostics.collectedAt);
  return newest;
}

/** The reference time of an offline snapshot: capture time, else newest timestamp, else undefined. */
export function snapshotReferenceTime(snapshot: Snapshot): number | undefined {
  return parseTime(snapshot.capturedAt) ?? newestTimestamp(snapshot);
}
