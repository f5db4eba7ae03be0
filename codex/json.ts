/**
 * Small field readers shared by the payload parsers. They produce errors of
 * one shape: `Cannot parse <what>: field "<name>" <problem>`.
 *
 * @module
 */

/** A JSON object with unknown values. */
export type JsonObject = Record<string, unknown>;

/** An input that does not satisfy a Codex contract; `field` names the offending field. */
export class ContractError extends Error {
  /** The field that was missing or ill-typed, when there is one. */
  readonly field: string | undefined;
  constructor(message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ContractError";
    this.field = options?.field;
  }
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Describes a JSON value's type for error messages. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A reader bound to one object and one context (e.g. `SessionStart input`). */
export class FieldReader {
  constructor(readonly obj: JsonObject, readonly what: string) {}

  #fail(field: string, problem: string): never {
    throw new ContractError(`Cannot parse ${this.what}: field "${field}" ${problem}`, { field });
  }

  /** A required string. */
  string(field: string): string {
    const v = this.obj[field];
    if (v === undefined) this.#fail(field, "is missing");
    if (typeof v !== "string") this.#fail(field, `must be a string, got ${typeName(v)}`);
    return v;
  }

  /** An optional string: absent → `undefined`; `null` allowed only when `nullable`. */
  optString(field: string, nullable = false): string | null | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (v === null && nullable) return null;
    if (typeof v !== "string") {
      this.#fail(field, `must be a string${nullable ? " or null" : ""}, got ${typeName(v)}`);
    }
    return v;
  }

  /** An optional boolean. */
  optBoolean(field: string): boolean | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") this.#fail(field, `must be a boolean, got ${typeName(v)}`);
    return v;
  }

  /** An optional array of strings. */
  optStringArray(field: string): string[] | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      this.#fail(field, `must be an array of strings, got ${typeName(v)}`);
    }
    return v as string[];
  }

  /** A required field of any JSON type (present, possibly null). */
  present(field: string): unknown {
    if (!(field in this.obj)) this.#fail(field, "is missing");
    return this.obj[field];
  }
}

/** Line and column (1-based) of a character offset in `text`. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/**
 * Parses JSON; on a syntax error, throws a {@link ContractError} that names the
 * place as `line:col`.
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const { offset, problem } = jsonSyntaxError(text);
    const { line, col } = lineCol(text, offset);
    // Not V8's error as the cause: its message quotes the input, and errors end up in logs.
    void e;
    throw new ContractError(`Cannot parse ${what}: invalid JSON at ${line}:${col}: ${problem}`);
  }
}

/**
 * Where JSON text first goes wrong: the offset and what was expected there.
 * (V8's `JSON.parse` messages do not always carry a position.)
 */
export function jsonSyntaxError(text: string): { offset: number; problem: string } {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  class Stop {
    constructor(readonly problem: string) {}
  }
  const fail = (problem: string): never => {
    throw new Stop(problem);
  };
  const describe = () => (i >= text.length ? "end of input" : `${JSON.stringify(text[i])}`);
  const str = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail("a control character inside a string");
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail("a bad \\u escape");
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) fail("a bad escape");
      }
      i++;
    }
    if (i >= text.length) fail("an unterminated string");
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name, found ${describe()}`);
        str();
        ws();
        if (text[i] !== ":") fail(`expected ":", found ${describe()}`);
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail(`expected "," or "}", found ${describe()}`);
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail(`expected "," or "]", found ${describe()}`);
      }
    }
    if (c === '"') return str();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!m) fail(`expected a value, found ${describe()}`);
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the value`);
    return { offset: text.length, problem: "invalid JSON" };
  } catch (e) {
    if (e instanceof Stop) return { offset: i, problem: e.problem };
    throw e;
  }
}

/** A JSON value as text: strings as they are, nothing as `""`, anything else as compact JSON. */
export function asText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined || v === null) return "";
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
