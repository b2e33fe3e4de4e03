import { quote } from "./_describe.ts";
import { filterLevelsProblem } from "./_filter_levels.ts";

/** The prefix that marks an MQTT 5 shared subscription [MQTT-4.8.2-1]. */
export const SHARE_PREFIX = "$share/";

/**
 * Splits `$share/{ShareName}/{filter}` into its parts, throwing a TypeError that names the
 * broken rule. The caller has already checked the string as a whole (length, U+0000).
 */
export function splitShared(filter: string): { shareName: string; topicFilter: string } {
  const rest = filter.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf("/");
  const shareName = slash === -1 ? rest : rest.slice(0, slash);
  const fail = (problem: string) => {
    throw new TypeError(`Invalid shared subscription ${quote(filter)}: ${problem}`);
  };
  // [MQTT-4.8.2-1] at least one character; [MQTT-4.8.2-2] no "/", "+" or "#".
  if (shareName.length === 0) fail("the share name must not be empty");
  for (const forbidden of ["+", "#"]) {
    if (shareName.includes(forbidden)) fail(`the share name must not contain "${forbidden}"`);
  }
  // [MQTT-4.8.2-2] the share name MUST be followed by "/" and a topic filter.
  if (slash === -1 || slash === rest.length - 1) {
    fail("a topic filter must follow the share name");
  }
  const topicFilter = rest.slice(slash + 1);
  const problem = filterLevelsProblem(topicFilter);
  if (problem) throw new TypeError(`Invalid topic filter ${quote(filter)}: ${problem}`);
  return { shareName, topicFilter };
}
