// What the CLI may touch of the outside world, passed in so execute() is testable.
import { readFileSync } from "node:fs";

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  cwd: string;
  /** The wall clock, for live scans only (snapshots carry their own reference time). */
  now(): number;
  readFile(path: string): string;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    cwd: process.cwd(),
    now: () => Date.now(),
    readFile: (path) => readFileSync(path, "utf8"),
  };
}

/** Colour only on a terminal, never with NO_COLOR set (https://no-color.org), forced by FORCE_COLOR. */
export function useColor(io: CliIo, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== "0") return true;
  return io.stdoutIsTTY;
}
