// Errors a source raises for bad input: the CLI prints the message as one line and exits 2.

/** A known input problem: unreadable file, malformed JSON/YAML, unknown format, unreachable server. */
export class SourceError extends Error {
  /** File path or endpoint the problem is in. */
  readonly location: string;
  constructor(location: string, detail: string, options?: { cause?: unknown }) {
    super(`${location}: ${detail}`, options);
    this.name = "SourceError";
    this.location = location;
  }
}
