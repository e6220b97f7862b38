/**
 * The renewal HTTP surface against the real Pebble: native /api/v1 routes and the peter_sslers
 * paths (renewal-configuration, system-configuration, queue-certificates).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { form, json } from '../support/app.js';
import { newAccount, startOrderStack, uniqueName, type OrderStack } from '../acme/orders-support.js';

let stack: OrderStack;
let accountId: string;
let backupId: string;

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  accountId = await newAccount(stack);
  backupId = await newAccount(stack);
});
afterAll(async () => {
  await stack?.close();
});

const api = (path: string, init: { method?: string; body?: unknown } = {}) => fetch(`${stack.admin.url}/api/v1${path}`, {
  method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
  headers: { 'content-type': 'application/json' },
  body: init.body === undefined ? undefined : JSON.stringify(init.body),
});
const compat = (path: string, fields?: Record<string, string>) => fetch(`${stack.admin.url}/.well-known/peter_sslers${path}`, fields ? { method: 'POST', body: form(fields) } : {});

describe('native renewal routes', () => {
  it('creates, reads, edits as new, deactivates, activates and orders from a configuration', async () => {
    const name = uniqueName('rc-api');
    const created = await api('/renewal-configurations', { body: { domain_names_dns01: [name], primary: { account_id: accountId }, backup: { account_id: backupId } } });
    const body = await json(created);
    expect(created.status, JSON.stringify(body)).toBe(201);
    const rc = body.renewal_configuration;
    expect(rc).toMatchObject({ is_active: true, is_auto_renew: true, domain_names: [name], primary: { account_id: accountId, key_technology: 'EC_P256' }, backup: { account_id: backupId } });

    const ordered = await api(`/renewal-configurations/${rc.id}/new-order`, { method: 'POST' });
    const order = await json(ordered);
    expect(ordered.status, JSON.stringify(order)).toBe(201);
    expect(order).toMatchObject({ claimed: true, result: 'success', used_backup: false });
    expect(order.renewal_configuration.latest_certificate_id).toBe(order.certificate_id);
    expect(order.renewal_configuration.lineage).toEqual([expect.objectContaining({ certificate_id: order.certificate_id, replaces_certificate_id: null })]);

    const edited = await json(await api(`/renewal-configurations/${rc.id}/edit`, { body: { primary: { key_technology: 'RSA_2048' }, backup: null } }));
    expect(edited.renewal_configuration).toMatchObject({ replaces_configuration_id: rc.id, primary: { account_id: accountId, key_technology: 'RSA_2048' }, backup: null, latest_certificate_id: order.certificate_id });
    expect(edited.replaced).toMatchObject({ id: rc.id, is_active: false, replaced_by_configuration_id: edited.renewal_configuration.id });
    const reactivate = await api(`/renewal-configurations/${rc.id}/activate`, { method: 'POST' });
    expect(reactivate.status).toBe(409);

    const next = edited.renewal_configuration.id;
    expect((await json(await api(`/renewal-configurations/${next}/deactivate`, { method: 'POST' }))).renewal_configuration.is_active).toBe(false);
    expect((await api(`/renewal-configurations/${next}/new-order`, { method: 'POST' })).status).toBe(409);
    expect((await json(await api(`/renewal-configurations/${next}/activate`, { method: 'POST' }))).renewal_configuration.is_active).toBe(true);
    const list = await json(await api(`/renewal-configurations?account_id=${accountId}&active=true`));
    expect(list.items.map((i: { id: string }) => i.id)).toContain(next);
    expect(list.items.map((i: { id: string }) => i.id)).not.toContain(rc.id);
  });

  it('refuses bad input', async () => {
    expect((await api('/renewal-configurations', { body: { domain_names_dns01: [] } })).status).toBe(400);
    const wildcard = await api('/renewal-configurations', { body: { domain_names_http01: [`*.${uniqueName('w')}`], primary: { account_id: accountId } } });
    expect(wildcard.status).toBe(400);
    expect((await api('/renewal-configurations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    // This Pebble's directory offers no profiles (meta.profiles), so none can be named.
    const profiled = await api('/renewal-configurations', { body: { domain_names_dns01: [uniqueName('p')], primary: { account_id: accountId, profile: 'shortlived' } } });
    expect(profiled.status).toBe(400);
    expect((await json(profiled)).form_errors).toHaveProperty('acme_profile');
  });

  it('sets and reads system policies; a configuration takes its gaps from the global policy', async () => {
    expect((await json(await api('/system-policies/autocert'))).system_policy).toEqual({ name: 'autocert', is_configured: false });
    const put = await api('/system-policies/global', { method: 'PUT', body: { primary: { account_id: accountId, key_technology: 'EC_P384', key_policy: 'single_use' } } });
    expect(put.status).toBe(200);
    expect((await json(put)).system_policy).toMatchObject({ name: 'global', is_configured: true, primary: { account_id: accountId, key_technology: 'EC_P384' }, backup: null });
    expect((await api('/system-policies/nope')).status).toBe(400);
    const created = await json(await api('/renewal-configurations', { body: { domain_names_dns01: uniqueName('rc-policy') } }));
    expect(created.renewal_configuration.primary).toMatchObject({ account_id: accountId, key_technology: 'EC_P384', key_policy: 'single_use' });
    expect((await json(await api('/system-policies'))).items.map((p: { name: string }) => p.name)).toContain('global');
  });

  it('triggers a renewal run', async () => {
    const run = await api('/renewal-runs', { body: {} });
    const report = await json(run);
    expect(run.status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ result: 'success', failed: 0 });
    expect((await api('/renewal-runs', { body: { concurrency: 0 } })).status).toBe(400);
  });
});

describe('peter_sslers renewal paths', () => {
  it('new, mark, new-order, lineages, system-configuration edit and the certificate queue', async () => {
    const name = uniqueName('rc-compat');
    const created = await json(await compat('/renewal-configuration/new.json', { domain_names_dns01: name, acme_account_id__primary: accountId, private_key_cycle__primary: 'single_use' }));
    expect(created.result, JSON.stringify(created)).toBe('success');
    const id = created.RenewalConfiguration.id;
    expect((await json(await compat(`/renewal-configuration/${id}/mark.json`, { action: 'inactive' }))).RenewalConfiguration.is_active).toBe(false);
    expect((await json(await compat(`/renewal-configuration/${id}/mark.json`, { action: 'bogus' }))).result).toBe('error');
    expect((await json(await compat(`/renewal-configuration/${id}/mark.json`, { action: 'active' }))).RenewalConfiguration.is_active).toBe(true);

    // Due at once (no certificate yet): the queue picks it up.
    const update = await json(await compat('/api/queue-certificates/update.json', {}));
    expect(update.queued).toContain(id);
    let processed;
    for (let i = 0; i < 10; i++) {
      processed = await json(await compat('/api/queue-certificates/process.json', {}));
      if (!processed.processed || processed.processed.configuration_id === id) break;
    }
    expect(processed.processed).toMatchObject({ configuration_id: id, result: 'success' });

    const manual = await json(await compat(`/renewal-configuration/${id}/new-order.json`, {}));
    expect(manual.result, JSON.stringify(manual)).toBe('success');
    const lineages = (await json(await compat(`/renewal-configuration/${id}/lineages.json`))).lineages;
    expect(lineages).toHaveLength(2);
    expect(lineages.find((l: { certificate_id: string }) => l.certificate_id === manual.certificate_id).replaces_certificate_id).toBe(processed.processed.certificate_id);

    const edit = await json(await compat('/system-configuration/autocert/edit.json', {
      acme_account_id__primary: accountId, private_key_technology__primary: 'EC_P256', private_key_cycle__primary: 'account_daily',
    }));
    expect(edit.SystemConfiguration).toMatchObject({ name: 'autocert', primary: { account_id: accountId, key_policy: 'account_daily' } });
    const all = await json(await compat('/system-configurations.json'));
    expect(all.SystemConfigurations.find((p: { name: string }) => p.name === 'certificate-if-needed')).toEqual({ name: 'certificate-if-needed', is_configured: false });
    expect((await json(await compat('/renewal-configurations/active.json'))).RenewalConfigurations.map((r: { id: string }) => r.id)).toContain(id);
  });
});
