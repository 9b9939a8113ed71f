import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { notAnEvent, readAuditFile, type AuditEvent, type MalformedLine } from "./read-audit-log.js";

const dir = mkdtempSync(join(tmpdir(), "ks-audit-"));
const line = (id: string) => JSON.stringify({ kind: "Event", apiVersion: "audit.k8s.io/v1", auditID: id, stage: "ResponseComplete", verb: "get", requestURI: "/api/v1/pods" });

async function read(path: string) {
  const events: { event: AuditEvent; line: number }[] = [];
  const malformed: MalformedLine[] = [];
  const summary = await readAuditFile(path, { onEvent: (event, l) => events.push({ event, line: l.line }), onMalformed: (m) => malformed.push(m) });
  return { events, malformed, summary };
}

describe("readAuditFile", () => {
  it("plain JSON lines; malformed lines counted with file:line and skipped; blank lines ignored", async () => {
    const path = join(dir, "audit.log");
    writeFileSync(path, [line("a"), "", "{not json", JSON.stringify({ kind: "Pod" }), line("b"), ""].join("\n"));
    const r = await read(path);
    assert.deepEqual(r.events.map((e) => [e.event.auditID, e.line]), [["a", 1], ["b", 5]]);
    assert.deepEqual(r.malformed.map((m) => m.line), [3, 4]);
    assert.match(r.malformed[0]!.reason, /invalid JSON/);
    assert.match(r.malformed[1]!.reason, /kind is "Pod"/);
    assert.deepEqual([r.summary.lines, r.summary.events, r.summary.malformed, r.summary.gzip, r.summary.notAuditLog], [4, 2, 2, false, undefined]);
  });

  it("gzip detected by content (a rotated file named .log.1 too), CRLF line ends", async () => {
    const path = join(dir, "audit.log.1");
    writeFileSync(path, gzipSync(Buffer.from(`${line("c")}\r\n${line("d")}\r\n`)));
    const r = await read(path);
    assert.equal(r.summary.gzip, true);
    assert.deepEqual(r.events.map((e) => e.event.auditID), ["c", "d"]);
    assert.equal(r.malformed.length, 0);
  });

  it("a truncated .gz keeps the events before the break and reports the break", async () => {
    const path = join(dir, "cut.log.gz");
    const lines = Array.from({ length: 2000 }, (_, i) => line(`id-${i}`)).join("\n");
    const gz = gzipSync(Buffer.from(lines));
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const r = await read(path);
    assert.ok(r.events.length > 0 && r.events.length < 2000);
    assert.equal(r.summary.notAuditLog, undefined);
    assert.match(r.malformed.at(-1)!.reason, /gzip stream broken/);
  });

  it("not an audit log: a YAML file, a binary file, a missing file: one line each, never a throw", async () => {
    const yaml = join(dir, "pods.yaml");
    writeFileSync(yaml, Array.from({ length: 50 }, (_, i) => `key${i}: value`).join("\n"));
    const y = await read(yaml);
    assert.match(y.summary.notAuditLog!, /^not an audit log \(no audit.k8s.io Event in its first 20 lines; line 1: invalid JSON/);
    assert.equal(y.summary.lines, 20); // stopped reading after the sniff window
    const binary = join(dir, "blob.bin");
    writeFileSync(binary, Buffer.from([0, 1, 2, 3, 255, 254]));
    assert.match((await read(binary)).summary.notAuditLog!, /^not an audit log/);
    assert.equal((await read(join(dir, "absent.log"))).summary.notAuditLog, "no such file");
    assert.equal((await read(dir)).summary.notAuditLog, "is a directory");
  });
});

describe("notAnEvent", () => {
  it("accepts audit.k8s.io v1 and v1beta1 Events and Events without apiVersion; refuses others", () => {
    assert.equal(notAnEvent({ kind: "Event", apiVersion: "audit.k8s.io/v1beta1", verb: "get" }), undefined);
    assert.equal(notAnEvent({ kind: "Event", requestURI: "/api" }), undefined);
    // A core/v1 Event (kubectl get events -o json lines) is not an audit Event.
    assert.match(notAnEvent({ kind: "Event", apiVersion: "v1", reason: "BackOff" })!, /apiVersion "v1"/);
    assert.match(notAnEvent([1])!, /not a JSON object/);
    assert.match(notAnEvent({ kind: 0 })!, /kind is 0/);
  });
});
