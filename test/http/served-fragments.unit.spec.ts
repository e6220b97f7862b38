import { describe, expect, it } from 'vitest';
import { createFragmentCache, type Fragment } from '../../src/http/served-index/fragments.js';

const chainPem = '-----BEGIN CERTIFICATE-----\nCHAIN\n-----END CERTIFICATE-----\n';
const certificatePem = (id: string) => `-----BEGIN CERTIFICATE-----\n${id.repeat(200)}\n-----END CERTIFICATE-----\n`;
const json = (id: string) => JSON.stringify({ id, private_key: { id: `k${id}`, pem: 'KEY' }, certificate: { id, pem: certificatePem(id) }, chain: { id: 'ch', pem: chainPem }, fullchain: { id: `${id},ch`, pem: certificatePem(id) + chainPem } });
const joined = (f: Fragment) => Buffer.concat(f.pieces as Buffer[]).toString();

describe('config.json fragment cache', () => {
  it('joins back to the very JSON it was given, sharing the chain between certificates', () => {
    const cache = createFragmentCache(1 << 20);
    const a = cache.add('a', 'ch', 'ka', json('a'), certificatePem('a'), chainPem);
    const b = cache.add('b', 'ch', 'kb', json('b'), certificatePem('b'), chainPem);
    expect(joined(a)).toBe(json('a'));
    expect(a.length).toBe(Buffer.byteLength(json('a')));
    const shared = a.pieces!.filter((p) => b.pieces!.includes(p));
    expect(shared).toHaveLength(2); // the chain, alone and in the fullchain
    expect(cache.get('a', 'ch')).toBe(a);
  });

  it('stays within its byte budget, evicting the least recently used first (a hit earns a second chance)', () => {
    const one = createFragmentCache(1 << 20).add('x', 'ch', 'kx', json('x'), certificatePem('x'), chainPem).bytes;
    const cache = createFragmentCache(Math.floor(one * 2.5));
    const a = cache.add('a', 'ch', 'ka', json('a'), certificatePem('a'), chainPem);
    cache.add('b', 'ch', 'kb', json('b'), certificatePem('b'), chainPem);
    a.hot = true; // what a served hit does
    cache.add('c', 'ch', 'kc', json('c'), certificatePem('c'), chainPem);
    expect(cache.stats().bytes).toBeLessThanOrEqual(cache.stats().budgetBytes);
    expect(cache.get('b', 'ch')).toBeUndefined();
    expect(cache.get('a', 'ch')).toBe(a);
    expect(cache.get('c', 'ch')?.pieces).not.toBeNull();
    // a went to the back when it was spared: c is now the oldest; then a, unused since, goes.
    cache.add('d', 'ch', 'kd', json('d'), certificatePem('d'), chainPem);
    expect(cache.get('c', 'ch')).toBeUndefined();
    expect(cache.get('a', 'ch')).toBe(a);
    cache.add('e', 'ch', 'ke', json('e'), certificatePem('e'), chainPem);
    expect(cache.get('a', 'ch')).toBeUndefined();
    expect(a.pieces).toBeNull();
    expect(cache.stats().entries).toBe(2);
  });

  it('drops every fragment of a shredded key at once', () => {
    const cache = createFragmentCache(1 << 20);
    const a = cache.add('a', 'ch', 'k', json('a'), certificatePem('a'), chainPem);
    const b = cache.add('a', 'other', 'k', json('a'), certificatePem('a'), '');
    cache.add('c', 'ch', 'kc', json('c'), certificatePem('c'), chainPem);
    cache.dropKey('k');
    expect([a.pieces, b.pieces]).toEqual([null, null]);
    expect(cache.stats().entries).toBe(1);
  });
});
