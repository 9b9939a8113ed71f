// The executable's entry: run the CLI with the real process I/O and set the exit code.
import { execute } from "./execute.js";
import { processIo } from "./io.js";

export function main(): void {
  // `kubesleuth scan | head`: the reader went away; stop quietly as other Unix tools do.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  execute(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`kubesleuth: internal error: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
