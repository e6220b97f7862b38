/**
 * certbot's renewal files are Python configobj: `key = value` lines, `#` comments, `[section]`
 * headers. Only what certbot writes is understood (no nesting, no multi-line values).
 */
export type ConfigObj = { values: Record<string, string>; sections: Record<string, Record<string, string>> };

const unquote = (value: string): string => {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? quoted[2]! : value;
};

export function parseConfigObj(text: string): ConfigObj {
  const parsed: ConfigObj = { values: {}, sections: {} };
  let current = parsed.values;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = /^\[+\s*([^\]]+?)\s*\]+$/.exec(line);
    if (section) {
      current = parsed.sections[section[1]!] ??= {};
      continue;
    }
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    current[line.slice(0, equals).trim()] = unquote(line.slice(equals + 1).trim());
  }
  return parsed;
}

/** configobj lists are comma-separated, a single item keeps a trailing comma (`dns-01,`). */
export const configList = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((item) => unquote(item.trim())).filter((item) => item !== '');
