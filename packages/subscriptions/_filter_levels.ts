/**
 * Checks the placement of the wildcards in a (non-shared) topic filter: `#` alone in the
 * last level [MQTT-4.7.1-1], `+` alone in its level [MQTT-4.7.1-2].
 *
 * Returns a description of the first problem, or `undefined`.
 */
export function filterLevelsProblem(filter: string): string | undefined {
  const hash = filter.indexOf("#");
  if (hash !== -1) {
    if (hash > 0 && filter.charCodeAt(hash - 1) !== 0x2f) return '"#" must occupy an entire level';
    if (hash !== filter.length - 1) {
      return filter.charCodeAt(hash + 1) === 0x2f
        ? '"#" must be the last level'
        : '"#" must occupy an entire level';
    }
  }
  for (let plus = filter.indexOf("+"); plus !== -1; plus = filter.indexOf("+", plus + 1)) {
    const before = plus === 0 || filter.charCodeAt(plus - 1) === 0x2f;
    const after = plus === filter.length - 1 || filter.charCodeAt(plus + 1) === 0x2f;
    if (!before || !after) return '"+" must occupy an entire level';
  }
  return undefined;
}
