/**
 * config.json's `C` object with its PEMs, serialised once per certificate and selected chain.
 * The key (certificate id, chain id) names the content for good — a certificate's PEM, a chain's
 * PEM and the private key behind a certificate never change — so an entry is never stale, only
 * old: the least recently used leave once the byte budget is spent (second chance: a hit only
 * sets a flag, so the hot path does no map work). Whether a key may still be served is the
 * caller's check, except that a shredded key's entries go at once.
 */
export type Fragment = {
  readonly keyId: string;
  /** The JSON in pieces (a chain's PEM is shared by every certificate it signs); null once evicted. */
  pieces: readonly Buffer[] | null;
  readonly length: number;
  readonly bytes: number;
  hot: boolean;
};

export type FragmentCache = {
  get: (certificateId: string, chainId: string) => Fragment | undefined;
  add: (certificateId: string, chainId: string, keyId: string, json: string, certificatePem: string, chainPem: string) => Fragment;
  /** Drops every entry holding this private key (shredded). */
  dropKey: (keyId: string) => void;
  stats: () => { entries: number; bytes: number; budgetBytes: number };
};

// Map entry, key string, piece array and Buffer headers, roughly: keeps the budget honest for small fragments.
const OVERHEAD_BYTES = 400;
const MAX_SHARED_CHAINS = 1_000;

type Shared = { text: string; buffer: Buffer };

/**
 * `json` cut around each copy of the shared texts (the certificate's and the chain's escaped PEM,
 * each twice: alone and in the fullchain), which become one Buffer each; joined, the pieces are
 * `json`. The certificate's own pieces are views of one allocation of their exact size: small
 * Buffers from Node's pool would each pin an 8 KiB slab for as long as the fragment lives.
 */
function cut(json: string, shared: readonly Shared[]): Buffer[] {
  const spans: (string | Shared)[] = [];
  let from = 0;
  for (;;) {
    let next: { at: number; piece: Shared } | undefined;
    for (const piece of shared) {
      const at = json.indexOf(piece.text, from);
      if (at >= 0 && (!next || at < next.at)) next = { at, piece };
    }
    if (!next) break;
    if (next.at > from) spans.push(json.slice(from, next.at));
    spans.push(next.piece);
    from = next.at + next.piece.text.length;
  }
  spans.push(json.slice(from));
  const own = spans.reduce((n, s) => (typeof s === 'string' ? n + Buffer.byteLength(s) : n), 0);
  const block = Buffer.allocUnsafeSlow(own);
  let at = 0;
  return spans.map((span) => {
    if (typeof span !== 'string') return span.buffer;
    const length = block.write(span, at);
    at += length;
    return block.subarray(at - length, at);
  });
}

const escaped = (pem: string): string => JSON.stringify(pem).slice(1, -1);

export function createFragmentCache(budgetBytes: number): FragmentCache {
  const entries = new Map<string, Fragment>();
  const chains = new Map<string, Buffer>();
  let bytes = 0;
  const evict = (key: string, entry: Fragment) => {
    entries.delete(key);
    entry.pieces = null;
    bytes -= entry.bytes;
  };
  const sharedChain = (chainPem: string): Shared[] => {
    if (chainPem === '') return [];
    const text = escaped(chainPem);
    let buffer = chains.get(text);
    if (!buffer) {
      if (chains.size >= MAX_SHARED_CHAINS) chains.clear();
      chains.set(text, (buffer = Buffer.from(text, 'utf8')));
    }
    return [{ text, buffer }];
  };
  return {
    get: (certificateId, chainId) => entries.get(`${certificateId},${chainId}`),
    add(certificateId, chainId, keyId, json, certificatePem, chainPem) {
      const key = `${certificateId},${chainId}`;
      const old = entries.get(key);
      if (old) evict(key, old);
      const chain = sharedChain(chainPem);
      const text = escaped(certificatePem);
      const certificate = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
      certificate.write(text);
      const pieces = cut(json, [{ text, buffer: certificate }, ...chain]);
      // The chain is counted once, in no entry (few chains, shared by many certificates).
      const own = [...new Set(pieces.filter((p) => p !== chain[0]?.buffer))].reduce((n, p) => n + p.length, 0);
      const entry: Fragment = { keyId, pieces, length: Buffer.byteLength(json), bytes: own + key.length + OVERHEAD_BYTES, hot: false };
      if (entry.bytes > budgetBytes) return entry; // served this once, never kept
      entries.set(key, entry);
      bytes += entry.bytes;
      while (bytes > budgetBytes) {
        const [oldest, first] = entries.entries().next().value as [string, Fragment];
        if (first.hot) {
          // Second chance: used since it last came round, so it goes to the back.
          first.hot = false;
          entries.delete(oldest);
          entries.set(oldest, first);
        } else {
          evict(oldest, first);
        }
      }
      return entry;
    },
    dropKey(keyId) {
      for (const [key, entry] of entries) if (entry.keyId === keyId) evict(key, entry);
    },
    stats: () => ({ entries: entries.size, bytes, budgetBytes }),
  };
}
