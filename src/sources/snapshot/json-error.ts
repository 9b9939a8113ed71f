// Finds where JSON text first goes wrong, for one-line error messages. Only called after
// JSON.parse failed: V8's messages do not always carry a position, so this small strict
// validator walks the text again and names the first offending character.

export interface JsonErrorPosition {
  /** UTF-16 index into the text. */
  index: number;
  message: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

function describe(text: string, i: number): string {
  if (i >= text.length) return "Unexpected end of JSON input";
  const ch = text[i]!;
  const shown = ch.charCodeAt(0) < 0x20 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}` : ch;
  return `Unexpected token '${shown}'`;
}

/** The index and a short message for the first syntax error in `text`, or undefined when it is valid JSON. */
export function locateJsonError(text: string): JsonErrorPosition | undefined {
  let i = 0;
  const n = text.length;
  const fail = (message?: string): never => {
    throw { index: i, message: message ?? describe(text, i) } satisfies JsonErrorPosition;
  };
  const ws = (): void => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else {
      // point at the first character that differs
      let k = 0;
      while (k < word.length && text[i + k] === word[k]) k++;
      i += k;
      fail();
    }
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail("Unterminated string in JSON");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail("Bad control character in string literal");
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 2;
            fail("Bad Unicode escape in JSON");
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          fail("Bad escaped character in JSON");
        }
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "-" || m[0].length === 0) fail("No number after minus sign in JSON");
    i += m![0].length;
  };
  const value = (depth: number): void => {
    ws();
    if (i >= n) fail();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(i >= n ? undefined : "Expected double-quoted property name");
        string();
        ws();
        if (text[i] !== ":") fail(i >= n ? undefined : "Expected ':' after property name");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail(i >= n ? undefined : "Expected ',' or '}' after property value");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail(i >= n ? undefined : "Expected ',' or ']' after array element");
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    if (c === "-" || (c! >= "0" && c! <= "9")) return number();
    fail();
  };
  try {
    value(0);
    ws();
    if (i < n) fail("Unexpected non-whitespace character after JSON");
    return undefined;
  } catch (e) {
    if (typeof e === "object" && e !== null && "index" in e) return e as JsonErrorPosition;
    throw e;
  }
}

/** 1-based line and column of a UTF-16 index, counting from a start line/column. */
export function lineColumnAt(text: string, index: number, startLine = 1, startColumn = 1): { line: number; column: number } {
  let line = startLine;
  let lineStart = 0;
  let nl = text.indexOf("\n");
  while (nl >= 0 && nl < index) {
    line++;
    lineStart = nl + 1;
    nl = text.indexOf("\n", lineStart);
  }
  const column = line === startLine ? startColumn + index : index - lineStart + 1;
  return { line, column };
}
