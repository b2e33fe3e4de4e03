/**
 * The INI dialect of `~/.aws/credentials` and `~/.aws/config`.
 *
 * @module
 */

/** Section name → key → value. */
export type IniSections = Map<string, Map<string, string>>;

/**
 * Parses the AWS shared-file format: `[section]` headers, `key = value` lines, whole-line
 * comments starting with `#` or `;`. An indented line under a key with an empty value is a
 * sub-setting (as in `s3 =` blocks) and is skipped; no credential setting uses them. Later
 * duplicates win, as in the SDKs.
 */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]*)\]\s*(?:[#;].*)?$/.exec(line);
    if (header) {
      const name = header[1].trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    if (!current || /^\s/.test(raw)) continue;
    const equals = line.indexOf("=");
    if (equals < 1) continue;
    const key = line.slice(0, equals).trim().toLowerCase();
    current.set(key, line.slice(equals + 1).trim());
  }
  return sections;
}
