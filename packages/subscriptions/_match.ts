import { SHARE_PREFIX } from "./_shared.ts";

/**
 * The part of a valid filter that topics are matched against: the filter itself, or the
 * topic filter of a shared subscription [MQTT-4.8.2].
 */
export function matchedFilter(filter: string): string {
  if (!filter.startsWith(SHARE_PREFIX)) return filter;
  const slash = filter.indexOf("/", SHARE_PREFIX.length);
  return filter.slice(slash + 1);
}

/**
 * Matches the levels of a valid, non-shared filter against a valid topic name.
 * `#` also matches the parent level ("sport/#" matches "sport"), `+` matches exactly one
 * level, which may be empty.
 */
export function matchLevels(filter: readonly string[], topic: readonly string[]): boolean {
  // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with "$".
  const first = filter[0];
  if ((first === "+" || first === "#") && topic[0].charCodeAt(0) === 0x24) return false;
  for (let i = 0; i < filter.length; i++) {
    const level = filter[i];
    if (level === "#") return true;
    if (i >= topic.length) return false;
    if (level !== "+" && level !== topic[i]) return false;
  }
  return filter.length === topic.length;
}
