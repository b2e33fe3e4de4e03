import type { QoS } from "@tern/codec";

const MAX_STRING_BYTES = 65_535;
const encoder = new TextEncoder();

/** Throws a TypeError when `text` cannot be an MQTT UTF-8 string (§1.5.4). */
export function checkString(action: string, what: string, text: unknown): void {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot ${action}: ${what} must be a string, got ${typeof text}`);
  }
  if (text.includes("\u0000")) {
    throw new TypeError(`Cannot ${action}: ${what} contains the null character U+0000`);
  }
  if (!text.isWellFormed()) {
    throw new TypeError(`Cannot ${action}: ${what} contains a lone surrogate`);
  }
  if (text.length * 3 > MAX_STRING_BYTES && encoder.encode(text).length > MAX_STRING_BYTES) {
    throw new RangeError(`Cannot ${action}: ${what} is longer than 65535 bytes in UTF-8`);
  }
}

// The last valid topic name: an application publishes to the same few topics over and
// over, and comparing strings is cheaper than checking one again.
let lastValidTopic = "";

/** Throws when `topic` is not a valid topic name for PUBLISH [MQTT-3.3.2-2]. */
export function checkTopicName(action: string, topic: unknown): void {
  if (topic === lastValidTopic && topic !== "") return;
  checkString(action, "topic name", topic);
  const text = topic as string;
  if (text === "") throw new TypeError(`Cannot ${action}: topic name is empty`);
  for (const wildcard of ["+", "#"]) {
    if (text.includes(wildcard)) {
      throw new TypeError(`Cannot ${action}: topic name contains a wildcard "${wildcard}"`);
    }
  }
  lastValidTopic = text;
}

/** Throws when `filter` is not a valid topic filter (§4.7), shared subscriptions included. */
export function checkTopicFilter(action: string, filter: unknown): void {
  checkString(action, "topic filter", filter);
  const text = filter as string;
  if (text === "") throw new TypeError(`Cannot ${action}: topic filter is empty`);
  let levels = text.split("/");
  if (levels[0] === "$share") {
    // [MQTT-4.8.2-1] "$share/{ShareName}/{filter}", ShareName without wildcards.
    const shareName = levels[1];
    if (levels.length < 3 || !shareName || /[+#]/.test(shareName)) {
      throw new TypeError(
        `Cannot ${action}: shared subscription "${text}" must be "$share/{name}/{filter}"`,
      );
    }
    levels = levels.slice(2);
  }
  levels.forEach((level, index) => {
    if (level.includes("#") && (level !== "#" || index !== levels.length - 1)) {
      throw new TypeError(
        `Cannot ${action}: topic filter "${text}" has "#" that is not the whole last level`,
      );
    }
    if (level.includes("+") && level !== "+") {
      throw new TypeError(
        `Cannot ${action}: topic filter "${text}" has "+" that is not a whole level`,
      );
    }
  });
}

/** Whether `filter` contains a wildcard level (after any `$share/{name}/` prefix). */
export function hasWildcard(filter: string): boolean {
  return filter.includes("+") || filter.includes("#");
}

/** Throws when `qos` is not 0, 1 or 2. */
export function checkQoS(action: string, qos: unknown): asserts qos is QoS {
  if (qos !== 0 && qos !== 1 && qos !== 2) {
    throw new RangeError(`Cannot ${action}: QoS must be 0, 1 or 2, got ${String(qos)}`);
  }
}

/** Throws when `value` is not an integer in [min, max]. */
export function checkInteger(
  action: string,
  what: string,
  value: unknown,
  min: number,
  max: number,
): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Cannot ${action}: ${what} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
}
