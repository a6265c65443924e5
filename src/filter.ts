/**
 * The property filter language → a parameterised SQL condition over the
 * `properties` (JSONB) and `title` columns of `activities`. Shared by the CLI,
 * the tile renderer and the HTTP server, so user text only ever reaches SQLite
 * as bound parameters: keys become JSON paths, values become parameters.
 *
 *   or      = and { "||" and }
 *   and     = unary { "&&" unary }
 *   unary   = "!" unary | "(" or ")" | "has?" key | key test
 *   test    = op value | "in" "[" [ value { "," value } ] "]" | "like" text
 *   op      = "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
 *   key     = word | string          value = number | true | false | null | word | string
 *   word    = letter or _, then letters, digits, _ or .
 *   string  = "..." or '...' (as the Rust hotpot's URLs write them), with \" \' and \\
 *
 * Comparisons are typed: a number only matches JSON numbers, a string only JSON
 * strings (ignoring ASCII case), so `elevation_gain > 1000` never matches the
 * text "1200". A missing key matches no comparison, hence `!=` and `!` select it.
 */
import { Lru } from "./cache.ts";
import { controlCharacter } from "./control.ts";
import { HotpotError } from "./errors.ts";

/** Longest expression accepted: bounds parse time and SQL size per request. */
export const MAX_FILTER_LENGTH = 2000;
/** Deepest nesting of `(` and `!`: bounds recursion here and SQLite's expression depth. */
export const MAX_FILTER_DEPTH = 32;

export interface CompiledFilter {
  sql: string;
  params: (string | number)[];
}

/** A compiled expression with the property keys it names, for callers that limit which keys may be asked about. */
export interface KeyedFilter extends CompiledFilter {
  keys: readonly string[];
}

type Value =
  | { kind: "number"; value: number }
  | { kind: "string"; value: string }
  | { kind: "boolean"; value: boolean }
  | { kind: "null" };

type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

type Node =
  | { type: "or" | "and"; left: Node; right: Node }
  | { type: "not"; operand: Node }
  | { type: "has"; key: string }
  | { type: "compare"; key: string; op: CompareOp; value: Value }
  | { type: "in"; key: string; values: Value[] }
  | { type: "like"; key: string; pattern: string };

type TokenKind = "word" | "string" | "number" | "op" | "&&" | "||" | "!" | "has?" | "(" | ")" | "[" | "]" | "," | "end";

interface Token {
  kind: TokenKind;
  /** The source text, for messages. */
  text: string;
  /** 0-based offset into the expression. */
  pos: number;
  /** Unescaped string, or the parsed number. */
  value?: string | number;
}

function fail(message: string): never {
  throw new HotpotError("bad_filter", `filter: ${message}`);
}

// ---------------------------------------------------------------- tokenizer

const NUMBER = /-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[\p{L}_][\p{L}\p{N}_.]*/uy;
const PUNCTUATION = ["&&", "||", "!=", "<=", ">=", "==", "=", "<", ">", "!", "(", ")", "[", "]", ","];
const KIND_OF: Record<string, TokenKind> = { "&&": "&&", "||": "||", "!": "!", "(": "(", ")": ")", "[": "[", "]": "]", ",": "," };

/** Reads a string quoted with src[start] (" or '); returns its value and the offset after the closing quote. */
function readString(src: string, start: number): [string, number] {
  const quote = src[start];
  let value = "";
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i];
    if (c === quote) return [value, i + 1];
    if (c === "\\") {
      const next = src[i + 1];
      if (next !== '"' && next !== "'" && next !== "\\") {
        fail(`unknown escape '\\${next ?? ""}' at position ${i + 1} (inside strings only \\" \\' and \\\\ are escapes)`);
      }
      value += next;
      i++;
    } else value += c;
  }
  return fail(`unterminated string starting at position ${start + 1}, expected a closing ${quote === '"' ? `'"'` : `"'"`}`);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const [value, end] = readString(src, i);
      tokens.push({ kind: "string", text: src.slice(i, end), pos: i, value });
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    WORD.lastIndex = i;
    let m: RegExpExecArray | null;
    if ((m = NUMBER.exec(src))) {
      const value = Number(m[0]);
      if (!Number.isFinite(value)) fail(`number ${m[0]} at position ${i + 1} is out of range`);
      tokens.push({ kind: "number", text: m[0], pos: i, value });
      i += m[0].length;
    } else if ((m = WORD.exec(src))) {
      const end = i + m[0].length;
      if (m[0] === "has" && src[end] === "?") {
        tokens.push({ kind: "has?", text: "has?", pos: i });
        i = end + 1;
      } else {
        tokens.push({ kind: "word", text: m[0], pos: i, value: m[0] });
        i = end;
      }
    } else {
      const p = PUNCTUATION.find((s) => src.startsWith(s, i));
      if (!p) {
        const char = String.fromCodePoint(src.codePointAt(i)!);
        fail(`unexpected character ${JSON.stringify(char)} at position ${i + 1}`);
      }
      tokens.push({ kind: KIND_OF[p] ?? "op", text: p, pos: i });
      i += p.length;
    }
  }
  tokens.push({ kind: "end", text: "", pos: src.length });
  return tokens;
}

// ---------------------------------------------------------------- parser

function describe(t: Token): string {
  if (t.kind === "end") return "end of input";
  const text = t.text.length > 30 ? `${t.text.slice(0, 30)}…` : t.text;
  return t.kind === "string" ? text : `'${text}'`;
}

class Parser {
  private at = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    if (this.peek().kind !== "end") this.expected("'&&', '||' or end of input");
    return node;
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private next(): Token {
    return this.tokens[this.at++];
  }

  private expected(what: string, t = this.peek()): never {
    return fail(`expected ${what} at position ${t.pos + 1}, found ${describe(t)}`);
  }

  private or(): Node {
    let left = this.and();
    while (this.peek().kind === "||") {
      this.next();
      left = { type: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.peek().kind === "&&") {
      this.next();
      left = { type: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    const t = this.peek();
    if (t.kind === "!" || t.kind === "(") {
      if (++this.depth > MAX_FILTER_DEPTH) fail(`nested more than ${MAX_FILTER_DEPTH} levels deep at position ${t.pos + 1}`);
      this.next();
      let node: Node;
      if (t.kind === "!") node = { type: "not", operand: this.unary() };
      else {
        node = this.or();
        if (this.peek().kind !== ")") this.expected(`')' (for the '(' at position ${t.pos + 1})`);
        this.next();
      }
      this.depth--;
      return node;
    }
    if (t.kind === "has?") {
      this.next();
      return { type: "has", key: this.key("a property name after 'has?'") };
    }
    const key = this.key("a property name, 'has?', '!' or '('");
    return this.test(key, this.tokens[this.at - 1]);
  }

  private key(what: string): string {
    const t = this.peek();
    if (t.kind !== "word" && t.kind !== "string") this.expected(what);
    this.next();
    return t.value as string;
  }

  private test(key: string, keyToken: Token): Node {
    const t = this.next();
    if (t.kind === "op") {
      const op = (t.text === "==" ? "=" : t.text) as CompareOp;
      const value = this.value(`a value after '${t.text}'`);
      if (op !== "=" && op !== "!=" && value.kind !== "number" && value.kind !== "string") {
        this.expected(`a number or a string after '${t.text}'`, this.tokens[this.at - 1]);
      }
      return { type: "compare", key, op, value };
    }
    if (t.kind === "word" && t.text === "in") return { type: "in", key, values: this.list() };
    if (t.kind === "word" && t.text === "like") {
      const p = this.next();
      if (p.kind !== "string" && p.kind !== "word") this.expected("a quoted pattern after 'like'", p);
      return { type: "like", key, pattern: p.value as string };
    }
    return this.expected(`an operator (=, !=, <, <=, >, >=, in, like) after ${describe(keyToken)}`, t);
  }

  private list(): Value[] {
    const open = this.next();
    if (open.kind !== "[") this.expected("'[' after 'in'", open);
    const values: Value[] = [];
    if (this.peek().kind === "]") {
      this.next();
      return values;
    }
    for (;;) {
      values.push(this.value("a value in the list"));
      const t = this.next();
      if (t.kind === "]") return values;
      if (t.kind !== ",") this.expected(`',' or ']' (in the list opened at position ${open.pos + 1})`, t);
    }
  }

  private value(what: string): Value {
    const t = this.peek();
    if (t.kind === "number") {
      this.next();
      return { kind: "number", value: t.value as number };
    }
    if (t.kind === "string") {
      this.next();
      return { kind: "string", value: t.value as string };
    }
    if (t.kind !== "word") this.expected(what);
    this.next();
    if (t.text === "true" || t.text === "false") return { kind: "boolean", value: t.text === "true" };
    if (t.text === "null") return { kind: "null" };
    return { kind: "string", value: t.text };
  }
}

// ---------------------------------------------------------------- SQL

/** A key as a JSON path, with `"` and `\` escaped so any key is one label, never path syntax. */
function jsonPath(key: string): string {
  return `$."${key.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Keys that fall back to the activity's title column when the properties lack them. */
const TITLE_KEYS = new Set(["name", "title"]);

/**
 * What each kind of value compares with: the JSON types it matches and the
 * collation. Booleans also match the numbers 1 and 0 because some CSV exports
 * write them so; `->>` yields JSON true/false as 1/0.
 */
const KINDS = {
  number: { types: "('integer', 'real')", collate: "" },
  string: { types: "('text')", collate: " COLLATE NOCASE" },
  boolean: { types: "('true', 'false', 'integer', 'real')", collate: "" },
} as const;

const SQL_ORDER: Record<Exclude<CompareOp, "=" | "!=">, string> = { "<": "<", "<=": "<=", ">": ">", ">=": ">=" };

class SqlWriter {
  readonly params: (string | number)[] = [];
  /** Every key a test reads, through type() or value(). */
  readonly keys = new Set<string>();

  param(value: string | number): string {
    this.params.push(value);
    return "?";
  }

  /** The key's JSON type, never NULL ('missing' when absent) so `NOT` of a test stays two-valued. */
  type(key: string): string {
    this.keys.add(key);
    const type = `json_type(properties, ${this.param(jsonPath(key))})`;
    return TITLE_KEYS.has(key) ? `coalesce(${type}, iif(title IS NULL, 'missing', 'text'))` : `coalesce(${type}, 'missing')`;
  }

  value(key: string): string {
    this.keys.add(key);
    const value = `properties ->> ${this.param(jsonPath(key))}`;
    return TITLE_KEYS.has(key) ? `coalesce(${value}, title)` : value;
  }

  /** `key <op> <values>` restricted to the JSON types the value kind matches. */
  typed(key: string, kind: keyof typeof KINDS, op: string, values: (string | number)[]): string {
    const { types, collate } = KINDS[kind];
    // Placeholders are positional: push parameters in the order their `?` appear.
    const type = this.type(key);
    const value = this.value(key);
    const rhs = op === "IN" ? `(${values.map((v) => this.param(v)).join(", ")})` : this.param(values[0]);
    return `(${type} IN ${types} AND ${value}${collate} ${op} ${rhs})`;
  }

  /** `key` equals any of `values`. */
  member(key: string, values: Value[]): string {
    const parts: string[] = [];
    for (const kind of ["number", "string", "boolean"] as const) {
      const same = values.flatMap((v) => (v.kind !== "null" && v.kind === kind ? [v.kind === "boolean" ? +v.value : v.value] : []));
      if (same.length) parts.push(this.typed(key, kind, "IN", same));
    }
    if (values.some((v) => v.kind === "null")) parts.push(`${this.type(key)} = 'null'`);
    if (parts.length === 0) return "0"; // `in []` matches nothing
    return parts.length === 1 ? parts[0] : `(${parts.join(" OR ")})`;
  }

  write(node: Node): string {
    switch (node.type) {
      case "or":
      case "and":
        return `(${this.write(node.left)} ${node.type.toUpperCase()} ${this.write(node.right)})`;
      case "not":
        return `(NOT ${this.write(node.operand)})`;
      case "has":
        return `(${this.type(node.key)} <> 'missing')`;
      case "in":
        return this.member(node.key, node.values);
      case "like":
        return this.typed(node.key, "string", "LIKE", [node.pattern]);
      case "compare": {
        const { key, op, value } = node;
        if (op === "=") return this.member(key, [value]);
        if (op === "!=") return `(NOT ${this.member(key, [value])})`;
        // The parser only lets numbers and strings reach an ordering.
        const v = value as { kind: "number" | "string"; value: string | number };
        return this.typed(key, v.kind, SQL_ORDER[op], [v.value]);
      }
    }
  }
}

/** 256 compiled filters kept for reuse: a tile request compiles the same text again and again. */
const cache = new Lru<string, KeyedFilter>({ maxEntries: 256 });

/**
 * Compiles a filter expression into a SQL boolean expression over
 * `activities.properties` and `activities.title` with `?` placeholders, in
 * order. Throws HotpotError("bad_filter") naming the position and what was
 * expected. Results are cached and frozen: do not mutate them.
 */
export function compileFilter(expr: string): KeyedFilter {
  const hit = cache.get(expr);
  if (hit) return hit;
  if (expr.length > MAX_FILTER_LENGTH) fail(`expression is ${expr.length} characters long, at most ${MAX_FILTER_LENGTH} are allowed`);
  // Tabs and newlines are whitespace here; a NUL would reach SQLite inside a JSON path.
  const control = controlCharacter(expr, true);
  if (control) fail(`${control} is not allowed`);
  const ast = new Parser(tokenize(expr)).parse();
  const writer = new SqlWriter();
  const sql = writer.write(ast);
  const compiled = Object.freeze({ sql, params: Object.freeze(writer.params) as (string | number)[], keys: Object.freeze([...writer.keys]) });
  cache.set(expr, compiled);
  return compiled;
}
