// Runs the CLI in-process with captured output, as the e2e tests need.
import { execute } from "../src/cli/execute.js";
import type { CliIo } from "../src/cli/io.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], overrides: Partial<CliIo> = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
    cwd: repoRoot,
    now: () => Date.parse("2026-11-28T00:00:00Z"),
    readFile: (p) => readFileSync(p, "utf8"),
    ...overrides,
  };
  const code = await execute(args, io);
  return { code, stdout, stderr };
}
