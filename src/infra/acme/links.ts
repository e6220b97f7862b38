/**
 * `Link` headers (RFC 8288 §3) as ACME uses them: `rel="up"` from an authorization or
 * certificate to its parent, `rel="index"` to the directory (RFC 8555 §7.1), and
 * `rel="alternate"` for every other certificate chain (§7.4.2), which must all be kept.
 */

export type AcmeLink = {
  /** Absolute: resolved against the request URL (RFC 8288 §3.1). */
  url: string;
  /** One relation type, lower-cased; a link with `rel="a b"` yields two entries. */
  rel: string;
  /** Other target attributes (`title`, `type`, …) when present. */
  params?: Record<string, string>;
};

/** Reads `<uri>; a=b; c="d, e", <uri2>; …`; commas inside `<>` and quotes do not split. */
function* linkValues(header: string): Generator<{ target: string; params: Record<string, string> }> {
  let i = 0;
  const n = header.length;
  const skipSpace = () => {
    while (i < n && /[\s]/.test(header[i]!)) i += 1;
  };
  while (i < n) {
    skipSpace();
    if (header[i] === ',') { i += 1; continue; }
    if (header[i] !== '<') {
      // Malformed element: skip to the next top-level comma.
      while (i < n && header[i] !== ',') i += 1;
      continue;
    }
    const close = header.indexOf('>', i);
    if (close < 0) return;
    const target = header.slice(i + 1, close).trim();
    i = close + 1;
    const params: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (header[i] !== ';') break;
      i += 1;
      skipSpace();
      const nameStart = i;
      while (i < n && !/[=;,\s]/.test(header[i]!)) i += 1;
      const name = header.slice(nameStart, i).toLowerCase();
      skipSpace();
      let value = '';
      if (header[i] === '=') {
        i += 1;
        skipSpace();
        if (header[i] === '"') {
          i += 1;
          while (i < n && header[i] !== '"') {
            if (header[i] === '\\' && i + 1 < n) i += 1;
            value += header[i];
            i += 1;
          }
          i += 1;
        } else {
          const valueStart = i;
          while (i < n && !/[;,\s]/.test(header[i]!)) i += 1;
          value = header.slice(valueStart, i);
        }
      }
      // §3: only the first occurrence of a parameter counts.
      if (name !== '' && !(name in params)) params[name] = value;
    }
    yield { target, params };
  }
}

function resolve(target: string, baseUrl: string | undefined): string | undefined {
  try {
    return new URL(target, baseUrl).href;
  } catch {
    return undefined; // relative target without a base, or garbage: not a link we can follow
  }
}

/** Every link in one or more `Link` header values, in order. */
export function parseLinkHeader(values: string | readonly string[] | undefined, baseUrl?: string): AcmeLink[] {
  if (values === undefined) return [];
  const headers = typeof values === 'string' ? [values] : values;
  const links: AcmeLink[] = [];
  for (const header of headers) {
    for (const { target, params } of linkValues(header)) {
      const url = resolve(target, baseUrl);
      const { rel, ...others } = params;
      if (url === undefined || rel === undefined) continue;
      for (const relation of rel.toLowerCase().split(/\s+/).filter(Boolean)) {
        links.push(Object.keys(others).length > 0 ? { url, rel: relation, params: { ...others } } : { url, rel: relation });
      }
    }
  }
  return links;
}

/** The URLs of one relation, in header order: `linkUrls(links, 'alternate')`. */
export function linkUrls(links: readonly AcmeLink[], rel: string): string[] {
  const wanted = rel.toLowerCase();
  return links.filter((link) => link.rel === wanted).map((link) => link.url);
}
