// Timestamps as Kubernetes writes them (RFC 3339 strings), and the durations kubectl prints.
import type { Event } from "../model/kube.js";

/** The most recent time an event was observed: series.lastObservedTime, lastTimestamp, eventTime, firstTimestamp, creationTimestamp. */
export function eventTime(event: Event): string | undefined {
  return (
    event.series?.lastObservedTime ??
    event.lastTimestamp ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata?.creationTimestamp ??
    undefined
  );
}

/** How many times an event was seen (series.count, count, else 1). */
export function eventCount(event: Event): number {
  return event.series?.count ?? event.count ?? 1;
}

/** Milliseconds since the epoch, or undefined for a missing or unparsable timestamp. */
export function parseTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A duration the way kubectl prints ages: 45s, 12m, 3h, 5d (kubectl's HumanDuration, coarse form). */
export function formatAge(milliseconds: number): string {
  const s = Math.max(0, Math.floor(milliseconds / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ""}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  return `${d}d`;
}
