import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/infra/eventstore/port.js';
import { AUDIT_EVENT_TYPES, touchesOf } from '../../src/projections/audit/touches.js';

const DOMAIN = resolve(import.meta.dirname, '../../src/domain');

async function domainEventTypes(dir = DOMAIN): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...await domainEventTypes(path));
    else if (entry.name.endsWith('.ts')) for (const m of (await readFile(path, 'utf8')).matchAll(/Event<'([A-Za-z]+)'/g)) found.push(m[1]!);
  }
  return found;
}

const event = (type: string, data: Record<string, unknown>, streamName = 'x-1'): RecordedEvent => ({
  id: '00000000-0000-4000-8000-000000000000', streamName, revision: 0n, position: 7n, type, data, metadata: { schemaVersion: 1 }, createdAt: '2026-01-01T00:00:00.000Z',
});

describe('audit touches', () => {
  it('indexes every event type the domain declares (a new type fails here until it is listed)', async () => {
    expect([...new Set(await domainEventTypes())].sort()).toEqual([...AUDIT_EVENT_TYPES].sort());
  });

  it('takes names from domainName, domainNames, identifiers and authorization identifiers, lower-cased', () => {
    expect(touchesOf(event('DomainDeactivated', { domainName: 'A.Example.Test', domainId: 'd' })).names).toEqual(['a.example.test']);
    expect(touchesOf(event('NginxCacheExpired', { domainNames: ['b.test', 'a.test'] })).names).toEqual(['a.test', 'b.test']);
    const created = touchesOf(event('AcmeOrderCreated', { orderId: 'o1', uniqueFqdnSetId: 's1', identifiers: [{ type: 'dns', value: 'x.test' }, { type: 'dns', value: '*.y.test' }] }));
    expect(created).toEqual({
      names: ['*.y.test', 'x.test'], orders: ['o1'], subjects: ['order:o1', 'fqdnSet:s1'],
      learn: [{ subject: 'order:o1', names: ['*.y.test', 'x.test'] }, { subject: 'fqdnSet:s1', names: ['*.y.test', 'x.test'] }],
    });
    expect(touchesOf(event('AcmeAuthorizationSynced', { orderId: 'o1', identifier: { type: 'dns', value: 'Z.test' } })).names).toEqual(['z.test']);
  });

  it('takes a site\'s host names when it is deployed, and resolves its other events through the site', () => {
    const deployed = touchesOf(event('SiteDeployed', { siteId: 's1', hostNames: ['Shop.Test', 'www.shop.test'] }, 'site-s1'));
    expect(deployed).toMatchObject({ names: ['shop.test', 'www.shop.test'], subjects: ['site:s1'], learn: [{ subject: 'site:s1', names: ['shop.test', 'www.shop.test'] }] });
    expect(touchesOf(event('SiteUndeployed', { siteId: 's1' }, 'site-s1'))).toMatchObject({ names: [], subjects: ['site:s1'], learn: [] });
  });

  it('resolves id-only events through subjects, and an exchange through its order stream', () => {
    expect(touchesOf(event('CertificateDeactivated', { certificateId: 'c1', reason: 'r', actor: 'a' })).subjects).toEqual(['certificate:c1']);
    expect(touchesOf(event('AcmeExchangeRecorded', { method: 'POST', url: 'u' }, 'acmeOrder-o9'))).toMatchObject({ orders: ['o9'], subjects: ['order:o9'] });
    expect(touchesOf(event('AcmeCertificateDownloaded', { orderId: 'o1', certificateId: 'c1' })).learn).toEqual([{ subject: 'certificate:c1', orderId: 'o1' }]);
    // A key shared by a key cycle must not pull one order's finalize into every domain of the key.
    expect(touchesOf(event('AcmeOrderFinalized', { orderId: 'o1', privateKeyId: 'k1' })).subjects).toEqual(['order:o1']);
    expect(touchesOf(event('PrivateKeyCompromiseMarked', { privateKeyId: 'k1' })).subjects).toEqual(['privateKey:k1']);
  });
});
