/**
 * Surgical edits of a JSON text: append an element to an array, add a member
 * to an object, take an element out of an array, each as a text splice at
 * positions found by a small scanner, so that every other byte of the file
 * (a user's one-line handler, their indentation, their key order) stays as
 * they wrote it. The caller re-parses the result and compares it with the
 * document it intends; a splice that does not give exactly that is not used.
 *
 * @module
 */

/** A value's place in the text, with its children (objects: by key). */
export interface JsonNode {
  start: number;
  end: number;
  kind: "object" | "array" | "scalar";
  members?: { key: string; keyStart: number; value: JsonNode }[];
  items?: JsonNode[];
}

/** Scans a JSON text that `JSON.parse` accepts into nodes with positions. */
export function scanJson(text: string): JsonNode {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i]!)) i++;
  };
  const str = (): string => {
    const s = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(s, i)) as string;
  };
  const value = (): JsonNode => {
    ws();
    const start = i;
    const c = text[i];
    if (c === "{") {
      i++;
      const members: NonNullable<JsonNode["members"]> = [];
      ws();
      while (text[i] !== "}") {
        ws();
        const keyStart = i;
        const key = str();
        ws();
        i++; // :
        members.push({ key, keyStart, value: value() });
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
      return { start, end: i, kind: "object", members };
    }
    if (c === "[") {
      i++;
      const items: JsonNode[] = [];
      ws();
      while (text[i] !== "]") {
        items.push(value());
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
      return { start, end: i, kind: "array", items };
    }
    if (c === '"') str();
    else while (i < text.length && !",]} \t\r\n".includes(text[i]!)) i++;
    return { start, end: i, kind: "scalar" };
  };
  return value();
}

/** The indentation of the line `pos` is on. */
function indentAt(text: string, pos: number): string {
  const ls = text.lastIndexOf("\n", pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(ls))![0];
}

/** `value` on one line, as people and formatters write it: `{ "k": [1, 2] }`. */
function oneLineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLineJson).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const body = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLineJson(v)}`).join(", ");
    return body === "" ? "{}" : `{ ${body} }`;
  }
  return JSON.stringify(value);
}

/** `value` as JSON laid out for a place at `indent`, one level being `unit` ("" = one line). */
function render(value: unknown, indent: string, unit: string, nl: string): string {
  if (unit === "") return oneLineJson(value);
  return JSON.stringify(value, null, unit).split("\n").join(nl + indent);
}

/** Whether a container is written on one line. */
const oneLine = (text: string, n: JsonNode) => !text.slice(n.start, n.end).includes("\n");

/** Appends `value` as the last element of the array at `arr`. */
export function appendItem(text: string, arr: JsonNode, value: unknown, unit: string, nl: string): string {
  const items = arr.items!;
  const last = items[items.length - 1];
  if (!last || oneLine(text, arr)) {
    const close = arr.end - 1;
    if (!last) {
      if (oneLine(text, arr)) return text.slice(0, close) + render(value, "", "", nl) + text.slice(close);
      const ind = indentAt(text, arr.start);
      return text.slice(0, arr.start + 1) + nl + ind + unit + render(value, ind + unit, unit, nl) + nl + ind +
        text.slice(close);
    }
    return text.slice(0, last.end) + ", " + render(value, "", "", nl) + text.slice(last.end);
  }
  const ind = indentAt(text, last.start);
  const lastOneLine = oneLine(text, last) && last.kind !== "scalar";
  const body = render(value, ind, lastOneLine ? "" : unit, nl);
  return text.slice(0, last.end) + "," + nl + ind + body + text.slice(last.end);
}

/** Adds `"key": value` as the last member of the object at `obj`. */
export function addMember(
  text: string,
  obj: JsonNode,
  key: string,
  value: unknown,
  unit: string,
  nl: string,
): string {
  const members = obj.members!;
  const last = members[members.length - 1];
  if (oneLine(text, obj)) {
    const member = `${JSON.stringify(key)}: ${render(value, "", "", nl)}`;
    if (!last) return text.slice(0, obj.end - 1) + member + text.slice(obj.end - 1);
    return text.slice(0, last.value.end) + ", " + member + text.slice(last.value.end);
  }
  if (!last) {
    const ind = indentAt(text, obj.start);
    const member = `${JSON.stringify(key)}: ${render(value, ind + unit, unit, nl)}`;
    return text.slice(0, obj.start + 1) + nl + ind + unit + member + nl + ind + text.slice(obj.end - 1);
  }
  const ind = indentAt(text, last.keyStart);
  const member = `${JSON.stringify(key)}: ${render(value, ind, unit, nl)}`;
  return text.slice(0, last.value.end) + "," + nl + ind + member + text.slice(last.value.end);
}

/** Removes element `k` of the array at `arr`, with the comma and the space that separated it. */
export function removeItem(text: string, arr: JsonNode, k: number): string {
  const items = arr.items!;
  const it = items[k]!;
  if (items.length === 1) return text.slice(0, arr.start + 1) + text.slice(arr.end - 1);
  if (k === 0) return text.slice(0, it.start) + text.slice(items[1]!.start);
  return text.slice(0, items[k - 1]!.end) + text.slice(it.end);
}

/** Removes member `k` of the object at `obj`. */
export function removeMember(text: string, obj: JsonNode, k: number): string {
  const ms = obj.members!;
  const m = ms[k]!;
  if (ms.length === 1) return text.slice(0, obj.start + 1) + text.slice(obj.end - 1);
  if (k === 0) return text.slice(0, m.keyStart) + text.slice(ms[1]!.keyStart);
  return text.slice(0, ms[k - 1]!.value.end) + text.slice(m.value.end);
}
