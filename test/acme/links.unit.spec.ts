import { describe, expect, it } from 'vitest';
import { linkUrls, parseLinkHeader } from '../../src/infra/acme/links.js';

const base = 'https://acme.test/acme/cert/abc';

describe('parseLinkHeader (RFC 8288)', () => {
  it('reads ACME links from several header lines', () => {
    const links = parseLinkHeader([
      '<https://acme.test/dir>;rel="index"',
      '<https://acme.test/acme/cert/abc/1>;rel="alternate", <https://acme.test/acme/cert/abc/2>;rel="alternate"',
      '<https://acme.test/acme/authz/xyz>; rel=up',
    ], base);
    expect(links).toEqual([
      { url: 'https://acme.test/dir', rel: 'index' },
      { url: 'https://acme.test/acme/cert/abc/1', rel: 'alternate' },
      { url: 'https://acme.test/acme/cert/abc/2', rel: 'alternate' },
      { url: 'https://acme.test/acme/authz/xyz', rel: 'up' },
    ]);
    expect(linkUrls(links, 'alternate')).toEqual(['https://acme.test/acme/cert/abc/1', 'https://acme.test/acme/cert/abc/2']);
    expect(linkUrls(links, 'UP')).toEqual(['https://acme.test/acme/authz/xyz']);
  });

  it('resolves relative targets against the request URL', () => {
    expect(parseLinkHeader('</dir>;rel="index", <2>;rel="alternate"', base)).toEqual([
      { url: 'https://acme.test/dir', rel: 'index' },
      { url: 'https://acme.test/acme/cert/2', rel: 'alternate' },
    ]);
  });

  it('keeps commas and semicolons inside quotes and URLs, and other parameters', () => {
    expect(parseLinkHeader('<https://a.test/x?a=1,2;b>; rel="alternate"; title="one, two; three", <https://a.test/y>; rel="up"', base)).toEqual([
      { url: 'https://a.test/x?a=1,2;b', rel: 'alternate', params: { title: 'one, two; three' } },
      { url: 'https://a.test/y', rel: 'up' },
    ]);
  });

  it('splits several relation types and lower-cases them', () => {
    expect(parseLinkHeader('<https://a.test/x>; rel="Alternate UP"')).toEqual([
      { url: 'https://a.test/x', rel: 'alternate' },
      { url: 'https://a.test/x', rel: 'up' },
    ]);
  });

  it('uses the first rel only (§3.3) and skips links without one or malformed elements', () => {
    expect(parseLinkHeader('<https://a.test/x>; rel=up; rel=index, garbage;rel=up, <https://a.test/y>; title=t, <https://a.test/z>;rel="index"')).toEqual([
      { url: 'https://a.test/x', rel: 'up' },
      { url: 'https://a.test/z', rel: 'index' },
    ]);
  });

  it('drops relative targets when there is no base URL, and handles no header', () => {
    expect(parseLinkHeader('</dir>;rel="index"')).toEqual([]);
    expect(parseLinkHeader(undefined)).toEqual([]);
    expect(parseLinkHeader('')).toEqual([]);
    expect(parseLinkHeader('<https://a.test/unterminated;rel=up')).toEqual([]);
  });
});
