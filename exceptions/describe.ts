/**
 * A short description of any value, for the messages of the errors bad
 * input gets: `string "abc"`, `number 42`, `null`, `array`, the class name
 * of an object. The one copy: every layer imports it from here.
 *
 * @module
 */

/** A short description of `value` for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  if (type === "object") {
    const name = (value as object).constructor?.name;
    return name && name !== "Object" ? name : "object";
  }
  if (type === "number" || type === "boolean") {
    return `${type} ${String(value)}`;
  }
  if (type === "string") return `string ${JSON.stringify(value)}`;
  return type;
}
