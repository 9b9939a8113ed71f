// Parses the string form of a label selector (kubectl -l / --selector) exactly as k8s.io/apimachinery/pkg/labels Parse does.
import {
  compareStrings,
  formatRequirement,
  matchesLabelRequirement,
  newRequirement,
  validateQualifiedName,
  type SelectorOperator,
  type SelectorRequirement,
} from "./labels.js";

type Labels = Readonly<Record<string, string>> | undefined;

/** A parsed selector: requirements sorted by key, ANDed; no requirements selects everything. */
export interface CompiledSelector {
  ok: true;
  requirements: readonly SelectorRequirement[];
  /** Whether every requirement matches the labels. */
  matches(labels: Labels): boolean;
  /** The canonical string (labels.Selector.String): requirements sorted by key, no spaces. */
  text: string;
}

/** Why a selector string was rejected; `position` is the 0-based offset of the offending token. */
export interface SelectorParseFailure {
  ok: false;
  error: string;
  position: number;
}

export type CompileSelectorResult = CompiledSelector | SelectorParseFailure;

type Token =
  | "error"
  | "end"
  | "closedPar"
  | "comma"
  | "doesNotExist"
  | "doubleEquals"
  | "equals"
  | "greaterThan"
  | "identifier"
  | "in"
  | "lessThan"
  | "notEquals"
  | "notIn"
  | "openPar";

// labels.string2token
const STRING_TO_TOKEN: Readonly<Record<string, Token>> = {
  ")": "closedPar",
  ",": "comma",
  "!": "doesNotExist",
  "==": "doubleEquals",
  "=": "equals",
  ">": "greaterThan",
  in: "in",
  "<": "lessThan",
  "!=": "notEquals",
  notin: "notIn",
  "(": "openPar",
};

interface ScannedItem {
  token: Token;
  literal: string;
  position: number;
}

// labels.isWhitespace: space, tab, CR, LF only.
function isWhitespace(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
}

function isSpecialSymbol(ch: string): boolean {
  return ch === "=" || ch === "!" || ch === "(" || ch === ")" || ch === "," || ch === ">" || ch === "<";
}

class Lexer {
  private pos = 0;
  constructor(private readonly input: string) {}

  // Lexer.read: a NUL character reads as end of input, as upstream's zero byte does.
  private read(): string {
    if (this.pos < this.input.length) {
      const ch = this.input[this.pos] as string;
      this.pos++;
      return ch === "\u0000" ? "" : ch;
    }
    return "";
  }

  private unread(): void {
    this.pos--;
  }

  lex(): ScannedItem {
    let ch = this.read();
    while (ch !== "" && isWhitespace(ch)) ch = this.read();
    if (ch === "") return { token: "end", literal: "", position: this.pos };
    this.unread();
    const start = this.pos;
    if (isSpecialSymbol(ch)) return { ...this.scanSpecialSymbol(), position: start };
    return { ...this.scanIdOrKeyword(), position: start };
  }

  private scanIdOrKeyword(): { token: Token; literal: string } {
    let buffer = "";
    for (;;) {
      const ch = this.read();
      if (ch === "") break;
      if (isSpecialSymbol(ch) || isWhitespace(ch)) {
        this.unread();
        break;
      }
      buffer += ch;
    }
    // "in" and "notin" are keywords here; the parser turns them back into identifiers where a value is expected.
    return { token: STRING_TO_TOKEN[buffer] ?? "identifier", literal: buffer };
  }

  // Longest run of special symbols that is still a token: "!=" over "!", "==" over "=".
  private scanSpecialSymbol(): { token: Token; literal: string } {
    let buffer = "";
    let last: { token: Token; literal: string } | undefined;
    for (;;) {
      const ch = this.read();
      if (ch === "") break;
      if (!isSpecialSymbol(ch)) {
        this.unread();
        break;
      }
      buffer += ch;
      const token = STRING_TO_TOKEN[buffer];
      if (token) {
        last = { token, literal: buffer };
      } else if (last) {
        this.unread();
        break;
      }
    }
    return last ?? { token: "error", literal: `error expected: keyword found '${buffer}'` };
  }
}

class SelectorSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

type Context = "keyAndOperator" | "values";

// The binary operators in the order upstream lists them in its "expected:" message.
const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

class Parser {
  private readonly items: ScannedItem[] = [];
  private index = 0;

  constructor(input: string) {
    const lexer = new Lexer(input);
    for (;;) {
      const item = lexer.lex();
      this.items.push(item);
      if (item.token === "end") break;
    }
  }

  // Parser.lookahead / consume: in a Values context the keywords "in"/"notin" are plain identifiers.
  private peek(context: Context): ScannedItem {
    const item = this.items[Math.min(this.index, this.items.length - 1)] as ScannedItem;
    return context === "values" && (item.token === "in" || item.token === "notIn") ? { ...item, token: "identifier" } : item;
  }

  private next(context: Context): ScannedItem {
    const item = this.peek(context);
    this.index++;
    return item;
  }

  parse(): SelectorRequirement[] {
    const requirements: SelectorRequirement[] = [];
    for (;;) {
      const item = this.peek("values");
      if (item.token === "identifier" || item.token === "doesNotExist") {
        requirements.push(this.parseRequirement());
        const after = this.next("values");
        if (after.token === "end") return requirements;
        if (after.token === "comma") {
          const following = this.peek("values");
          if (following.token !== "identifier" && following.token !== "doesNotExist") {
            throw new SelectorSyntaxError(`found '${following.literal}', expected: identifier after ','`, following.position);
          }
          continue;
        }
        throw new SelectorSyntaxError(`found '${after.literal}', expected: ',' or 'end of string'`, after.position);
      }
      if (item.token === "end") return requirements;
      throw new SelectorSyntaxError(`found '${item.literal}', expected: !, identifier, or 'end of string'`, item.position);
    }
  }

  private parseRequirement(): SelectorRequirement {
    const start = this.peek("values").position;
    const fail: (message: string, position: number) => never = (message, position) => {
      throw new SelectorSyntaxError(`unable to parse requirement: ${message}`, position);
    };
    // parseKeyAndInferOperator: "!key" is DoesNotExist, a bare key before ',' or the end is Exists.
    let operator: SelectorOperator | undefined;
    let keyItem = this.next("values");
    if (keyItem.token === "doesNotExist") {
      operator = "!";
      keyItem = this.next("values");
    }
    if (keyItem.token !== "identifier") fail(`found '${keyItem.literal}', expected: identifier`, keyItem.position);
    const key = keyItem.literal;
    const keyErrors = validateQualifiedName(key);
    if (keyErrors.length) fail(`invalid label key ${JSON.stringify(key)}: ${keyErrors.join("; ")}`, keyItem.position);
    const following = this.peek("values").token;
    if ((following === "end" || following === "comma") && operator !== "!") operator = "exists";

    let values: string[] = [];
    if (operator !== "exists" && operator !== "!") {
      const opItem = this.next("keyAndOperator");
      const operators: Partial<Record<Token, SelectorOperator>> = {
        in: "in",
        equals: "=",
        doubleEquals: "==",
        greaterThan: "gt",
        lessThan: "lt",
        notIn: "notin",
        notEquals: "!=",
      };
      operator = operators[opItem.token];
      if (!operator) return fail(`found '${opItem.literal}', expected: ${BINARY_OPERATORS}`, opItem.position);
      values = operator === "in" || operator === "notin" ? this.parseValues(fail) : this.parseExactValue(fail);
    }
    // Values are a sets.String: deduplicated and sorted (values.List()).
    const unique = [...new Set(values)].sort(compareStrings);
    const { requirement, errors } = newRequirement(key, operator, unique);
    if (errors.length) fail(errors.map((e) => `${e.path}: ${e.message}`).join("; "), start);
    return requirement;
  }

  // parseValues: "(a,b)"; "()" and empty entries such as "(a,)" or "(,a)" contribute the empty value.
  private parseValues(fail: (message: string, position: number) => never): string[] {
    const open = this.next("values");
    if (open.token !== "openPar") fail(`found '${open.literal}' expected: '('`, open.position);
    const first = this.peek("values");
    if (first.token === "closedPar") {
      this.next("values");
      return [""];
    }
    if (first.token !== "identifier" && first.token !== "comma") {
      fail(`found '${first.literal}', expected: ',', ')' or identifier`, first.position);
    }
    const values = this.parseIdentifiersList(fail);
    const close = this.next("values");
    if (close.token !== "closedPar") fail(`found '${close.literal}', expected: ')'`, close.position);
    return values;
  }

  private parseIdentifiersList(fail: (message: string, position: number) => never): string[] {
    const values: string[] = [];
    for (;;) {
      const item = this.next("values");
      if (item.token === "identifier") {
        values.push(item.literal);
        const after = this.peek("values");
        if (after.token === "comma") continue;
        if (after.token === "closedPar") return values;
        return fail(`found '${after.literal}', expected: ',' or ')'`, after.position);
      }
      if (item.token === "comma") {
        if (values.length === 0) values.push(""); // "(,"
        const after = this.peek("values");
        if (after.token === "closedPar") {
          values.push(""); // ",)"
          return values;
        }
        if (after.token === "comma") {
          this.next("values");
          values.push(""); // ",,"
        }
        continue;
      }
      return fail(`found '${item.literal}', expected: ',', or identifier`, item.position);
    }
  }

  // parseExactValue: "key=" before ',' or the end means the empty value.
  private parseExactValue(fail: (message: string, position: number) => never): string[] {
    const item = this.peek("values");
    if (item.token === "end" || item.token === "comma") return [""];
    const value = this.next("values");
    if (value.token !== "identifier") return fail(`found '${value.literal}', expected: identifier`, value.position);
    return [value.literal];
  }
}

/**
 * Parses a selector string such as `app=web,tier!=db,env in (prod,staging),!canary,release`.
 * Grammar and results follow labels.Parse: `=`/`==`/`!=`, `in`/`notin` sets, bare key (exists),
 * `!key` (does not exist), `>`/`<` integer comparisons; keys and values are validated as label
 * keys and values. A failure names the offending token and its position.
 */
export function compileSelector(input: string): CompileSelectorResult {
  let requirements: SelectorRequirement[];
  try {
    requirements = new Parser(input).parse();
  } catch (error) {
    if (error instanceof SelectorSyntaxError) {
      return { ok: false, error: `${error.message} (at column ${error.position + 1})`, position: error.position };
    }
    throw error;
  }
  // labels.parse sorts by key so the result is deterministic; a stable sort keeps input order for equal keys.
  requirements.sort((a, b) => compareStrings(a.key, b.key));
  return {
    ok: true,
    requirements,
    matches: (labels) => requirements.every((r) => matchesLabelRequirement(r, labels)),
    text: formatSelector(requirements),
  };
}

/** labels.Selector.String: the requirements joined by ",". */
export function formatSelector(requirements: readonly SelectorRequirement[]): string {
  return requirements.map(formatRequirement).join(",");
}
