import { describe, expect, it } from 'vitest';
import { AcmeProblem, AcmeRateLimitedError, isProblemContentType, parseProblem } from '../../src/infra/acme/problem.js';

describe('parseProblem (RFC 8555 §6.7, RFC 7807)', () => {
  it('reads an ACME problem with subproblems (§6.7.1)', () => {
    const problem = parseProblem({
      type: 'urn:ietf:params:acme:error:malformed',
      detail: 'Some of the identifiers requested were rejected',
      status: 400,
      subproblems: [
        { type: 'urn:ietf:params:acme:error:malformed', detail: 'Invalid underscore in DNS name "_example.org"', identifier: { type: 'dns', value: '_example.org' } },
        { type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'This CA will not issue for "example.net"', identifier: { type: 'dns', value: 'example.net' } },
        { detail: 'no type: dropped' },
      ],
    }, 400);
    expect(problem).toBeInstanceOf(AcmeProblem);
    expect(problem).toBeInstanceOf(Error);
    expect(problem.acmeType).toBe('malformed');
    expect(problem.is('malformed')).toBe(true);
    expect(problem.is('urn:ietf:params:acme:error:malformed')).toBe(true);
    expect(problem.is('badNonce')).toBe(false);
    expect(problem.subproblems).toHaveLength(2);
    expect(problem.subproblems[1]).toEqual({
      type: 'urn:ietf:params:acme:error:rejectedIdentifier',
      detail: 'This CA will not issue for "example.net"',
      identifier: { type: 'dns', value: 'example.net' },
    });
    expect(problem.message).toBe('urn:ietf:params:acme:error:malformed: Some of the identifiers requested were rejected (HTTP 400)');
  });

  it('takes the HTTP status over the body member and serialises to plain JSON', () => {
    const problem = parseProblem({ type: 'urn:ietf:params:acme:error:badNonce', detail: 'JWS has an invalid anti-replay nonce', status: 500 }, 400);
    expect(problem.status).toBe(400);
    const json = problem.toJSON();
    expect(json).toEqual({ type: 'urn:ietf:params:acme:error:badNonce', detail: 'JWS has an invalid anti-replay nonce', status: 400 });
    expect(JSON.parse(JSON.stringify(problem))).toEqual(json);
  });

  it('makes 429 and rateLimited a typed error carrying Retry-After', () => {
    const retryAfter = { seconds: 3600, notBefore: '2025-06-01T13:00:00.000Z' };
    const limited = parseProblem({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many certificates' }, 429, retryAfter);
    expect(limited).toBeInstanceOf(AcmeRateLimitedError);
    expect(limited.retryAfter).toEqual(retryAfter);
    expect(limited.toJSON().retryAfter).toEqual(retryAfter);
    expect(parseProblem(undefined, 429)).toBeInstanceOf(AcmeRateLimitedError);
    expect(parseProblem({ type: 'urn:ietf:params:acme:error:serverInternal' }, 500)).not.toBeInstanceOf(AcmeRateLimitedError);
  });

  it('turns a body that is no problem document into about:blank with the status', () => {
    for (const body of [undefined, '<html>Bad Gateway</html>', [1, 2], null]) {
      const problem = parseProblem(body, 502);
      expect(problem.toJSON()).toEqual({ type: 'about:blank', status: 502 });
    }
  });

  it('ignores members of the wrong type', () => {
    const problem = parseProblem({ type: 7, detail: { x: 1 }, identifier: { type: 'dns' }, subproblems: 'no' }, 403);
    expect(problem.toJSON()).toEqual({ type: 'about:blank', status: 403 });
  });

  it('recognises the media type', () => {
    expect(isProblemContentType('application/problem+json')).toBe(true);
    expect(isProblemContentType('Application/Problem+JSON; charset=utf-8')).toBe(true);
    expect(isProblemContentType('application/json')).toBe(false);
    expect(isProblemContentType(undefined)).toBe(false);
  });
});
