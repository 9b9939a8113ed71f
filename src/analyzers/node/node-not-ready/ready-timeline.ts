// Ready transitions of a node, from its events and from earlier captures, and the most of them that certainly
// fall within one window (an hour): aggregated events and snapshot gaps only bound a transition's time.
import type { Event, Node } from "../../../model/kube.js";
import type { HistoryEntry } from "../../../indexes/types.js";
import { eventCount, eventTime, parseTime } from "../../../semantics/time.js";

/** `count` transitions that happened at times within [from, to]. */
export interface TransitionSpan {
  from: number;
  to: number;
  count: number;
}

export interface TimelineEntry {
  at: number;
  text: string;
  /** Where it was seen: an event name or a capture time. */
  source: { kind: "Event"; namespace?: string; name: string } | { kind: "Snapshot"; capturedAt: string };
}

function sourceOf(event: Event): string {
  return event.source?.component ?? event.reportingComponent ?? "unknown";
}

/** The reasons that record a change of a node's readiness; RegisteredNode is shown on the timeline but not counted (kube-controller-manager emits it for every node when it starts). */
const COUNTED = new Set(["NodeNotReady", "NodeReady", "Rebooted"]);
const SHOWN = new Set([...COUNTED, "RegisteredNode"]);

/**
 * The node's readiness events. For NodeNotReady the node lifecycle controller's own are used when there are any
 * (the kubelet records one too when it reports False itself: one transition, two events).
 */
export function readinessEvents(events: readonly Event[]): Event[] {
  const shown = events.filter((e) => e.reason !== undefined && SHOWN.has(e.reason));
  const fromController = shown.filter((e) => e.reason === "NodeNotReady" && sourceOf(e) === "node-controller");
  return fromController.length ? shown.filter((e) => e.reason !== "NodeNotReady" || sourceOf(e) === "node-controller") : shown;
}

/** Spans of the counted events: an aggregated event's first and last occurrences are exact, the rest lie between. */
export function eventSpans(events: readonly Event[]): TransitionSpan[] {
  const spans: TransitionSpan[] = [];
  for (const e of events) {
    if (!e.reason || !COUNTED.has(e.reason)) continue;
    const last = parseTime(eventTime(e));
    if (last === undefined) continue;
    const first = parseTime(e.firstTimestamp ?? e.eventTime ?? undefined) ?? last;
    const count = eventCount(e);
    if (count <= 1 || first === last) spans.push({ from: first, to: last, count: Math.max(count, 1) });
    else {
      spans.push({ from: first, to: first, count: 1 }, { from: last, to: last, count: 1 });
      if (count > 2) spans.push({ from: first, to: last, count: count - 2 });
    }
  }
  return spans;
}

interface ReadyState {
  status: string;
  since?: number;
  capturedAt: number;
  capturedText: string;
}

function readyState(node: Node | undefined, capturedAt: number): ReadyState | undefined {
  const c = node?.status?.conditions?.find((x) => x.type === "Ready");
  if (!c) return undefined;
  return { status: c.status, since: parseTime(c.lastTransitionTime), capturedAt, capturedText: new Date(capturedAt).toISOString() };
}

/**
 * Transitions seen between consecutive captures of the node: a new Ready.lastTransitionTime means a transition at
 * that time; the same status with a new lastTransitionTime means one more (to the other state and back) between
 * the earlier capture and that time; a changed status with an unknown time lies between the two captures.
 */
export function snapshotTransitions(history: readonly HistoryEntry[], current: Node, now: number): { spans: TransitionSpan[]; timeline: TimelineEntry[]; captures: number } {
  const name = current.metadata.name;
  const states = [
    ...history.map((h) => readyState(h.index.get<Node>("Node", undefined, name), h.capturedAt)),
    readyState(current, now),
  ].filter((s): s is ReadyState => s !== undefined);
  const spans: TransitionSpan[] = [];
  const timeline: TimelineEntry[] = [];
  for (let i = 1; i < states.length; i++) {
    const a = states[i - 1]!;
    const b = states[i]!;
    const moved = b.since !== undefined && b.since !== a.since && b.since > a.capturedAt;
    if (moved) {
      spans.push({ from: b.since!, to: b.since!, count: 1 });
      if (a.status === b.status) spans.push({ from: a.capturedAt, to: b.since!, count: 1 });
    } else if (a.status !== b.status) spans.push({ from: a.capturedAt, to: b.capturedAt, count: 1 });
    if (moved || a.status !== b.status) {
      timeline.push({
        at: b.since ?? b.capturedAt,
        text: `Ready=${b.status}${a.status === b.status ? ` again (was ${a.status} at ${a.capturedText}, changed in between)` : ` (was ${a.status} at ${a.capturedText})`}`,
        source: { kind: "Snapshot", capturedAt: b.capturedText },
      });
    }
  }
  return { spans, timeline, captures: states.length };
}

/** The most transitions that certainly lie within one window of `windowMs` (spans wholly inside a window starting at a span's start). */
export function maxWithin(spans: readonly TransitionSpan[], windowMs: number): { count: number; from?: number; to?: number } {
  let best: { count: number; from?: number; to?: number } = { count: 0 };
  for (const start of new Set(spans.map((s) => s.from))) {
    const inside = spans.filter((s) => s.from >= start && s.to <= start + windowMs);
    const count = inside.reduce((n, s) => n + s.count, 0);
    if (count > best.count) best = { count, from: start, to: Math.max(...inside.map((s) => s.to)) };
  }
  return best;
}

/** Timeline lines of the readiness events, oldest first. */
export function eventTimeline(events: readonly Event[]): TimelineEntry[] {
  return events
    .map((e) => ({
      at: parseTime(eventTime(e)) ?? 0,
      text: `${e.reason}${eventCount(e) > 1 ? ` x${eventCount(e)} (first ${e.firstTimestamp ?? "?"})` : ""} from ${sourceOf(e)}: ${e.message ?? ""}`.trim(),
      source: { kind: "Event" as const, namespace: e.metadata.namespace, name: e.metadata.name },
    }))
    .sort((a, b) => a.at - b.at);
}
