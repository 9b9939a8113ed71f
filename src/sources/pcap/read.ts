// Reads a capture file from disk in chunks and yields decoded packets: the file is never held whole in memory.
import { closeSync, openSync, readSync } from "node:fs";
import type { DecodedPacket } from "../../model/packet.js";
import { SourceError } from "../errors.js";
import { CaptureFormatError, CaptureParser, type CaptureDamage } from "./container.js";
import { PacketDecoder } from "./decode.js";

export { CaptureFormatError, CaptureParser } from "./container.js";
export type { CaptureDamage, CaptureRecord } from "./container.js";
export { LINK_TYPES, PacketDecoder, ipv6Text } from "./decode.js";

const CHUNK = 1 << 20;

/** What was read besides the packets: the container format, and damage that ended the read early. */
export interface CaptureReadResult {
  format: "pcap" | "pcapng";
  frames: number;
  damage?: CaptureDamage;
  /** Fragmented datagrams never completed. */
  incompleteDatagrams: number;
}

/** Decodes packets from chunks (any iterable of bytes in file order); `result` is filled when the iteration ends. */
export function* decodeCapture(chunks: Iterable<Uint8Array>, location: string, result: Partial<CaptureReadResult>): Generator<DecodedPacket> {
  const parser = new CaptureParser();
  const decoder = new PacketDecoder();
  try {
    for (const chunk of chunks) {
      for (const record of parser.push(chunk)) yield decoder.decode(record);
    }
    parser.finish();
  } catch (error) {
    if (error instanceof CaptureFormatError) throw new SourceError(location, error.message);
    throw error;
  }
  result.format = parser.format!;
  result.frames = parser.frames;
  if (parser.damage) result.damage = parser.damage;
  result.incompleteDatagrams = decoder.incompleteDatagrams() + decoder.droppedDatagrams;
}

/** The chunks of a file, read with one reusable buffer per chunk (the parser copies what it keeps). */
export function* fileChunks(path: string): Generator<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SourceError(path, code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a capture file" : (error as Error).message);
  }
  try {
    for (;;) {
      const buffer = new Uint8Array(CHUNK);
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) return;
      yield buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads and decodes a capture file. */
export function readCaptureFile(path: string, result: Partial<CaptureReadResult>): Generator<DecodedPacket> {
  return decodeCapture(fileChunks(path), path, result);
}
