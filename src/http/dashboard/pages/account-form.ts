/**
 * The new ACME account form: POST /api/v1/acme-accounts's fields (nested ones as
 * `order_defaults.private_key_technology`…), its schema and its command, which generates the key
 * in the vault and registers the account with the server. The EAB MAC key is never echoed back.
 */
import { Router, type Request } from 'express';
import { createAcmeAccount } from '../../../commands/acme-account/create-acme-account.js';
import { ACCOUNT_DEFAULT_KEY_CYCLES, ACCOUNT_KEY_TECHNOLOGIES } from '../../../domain/acme-account/defaults.js';
import type { AppDeps } from '../../app-deps.js';
import { listAcmeServers } from '../../queries/acme-accounts.js';
import { accountAfter } from '../../routes/acme-accounts.routes.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { createAccountBody } from '../../schemas/acme-account.schema.js';
import { emptyForm, errorSummary, field, formFailure, formValues, lines, type FormState } from '../forms.js';
import { html } from '../html.js';
import { csrfField, page, type DashboardContext } from '../layout.js';
import { ctxOf, redirectDone, sendPage } from '../respond.js';
import { serverOptions } from './account-options.js';
import { errorsLike } from '../forms.js';

const choices = (values: readonly string[]): [string, string][] => values.map((v) => [v, v.replaceAll('_', ' ')]);

/** Flat fields as the API's JSON body; blanks left out so the schema's defaults apply. */
function bodyOf(v: Record<string, string>) {
  const eab = v['eab.kid'] || v['eab.hmac_key'] ? { kid: v['eab.kid'] ?? '', hmac_key: v['eab.hmac_key'] ?? '' } : undefined;
  return {
    acme_server_id: v.acme_server_id || undefined,
    key_technology: v.key_technology || undefined,
    contact: lines(v.contact),
    order_defaults: { private_key_technology: v['order_defaults.private_key_technology'] || undefined, private_key_cycle: v['order_defaults.private_key_cycle'] || undefined },
    eab,
  };
}

async function formPage(deps: AppDeps, ctx: DashboardContext, state: FormState) {
  const path = `${ctx.base}/accounts`;
  return page(ctx, { title: 'New ACME account', section: 'accounts', crumbs: [{ href: path, label: 'ACME accounts' }] }, html`
<p>A new key is generated in the key vault and the account is registered with the server at once.</p>
${errorSummary(state)}
<form method="post" action="${path}/new">${csrfField(ctx)}
${field(state, { name: 'acme_server_id', label: 'ACME server', type: 'select', options: await serverOptions(deps.db) })}
${field(state, { name: 'contact', label: 'Contact email addresses', type: 'textarea', rows: 3, hint: 'One per line; the CA may write about expiry and policy changes.', errorsFrom: errorsLike(state, 'contact') })}
${field(state, { name: 'key_technology', label: 'Account key technology', type: 'select', options: choices(ACCOUNT_KEY_TECHNOLOGIES) })}
<fieldset><legend>Order defaults</legend>
${field(state, { name: 'order_defaults.private_key_technology', label: 'Certificate key technology', type: 'select', options: choices(ACCOUNT_KEY_TECHNOLOGIES) })}
${field(state, { name: 'order_defaults.private_key_cycle', label: 'Certificate key cycle', type: 'select', options: choices(ACCOUNT_DEFAULT_KEY_CYCLES) })}
</fieldset>
<fieldset><legend>External account binding (only if the CA asks for one)</legend>
${field(state, { name: 'eab.kid', label: 'Key id', errorsFrom: ['eab'] })}
${field(state, { name: 'eab.hmac_key', label: 'MAC key', type: 'password' })}
</fieldset>
<button type="submit" class="primary">Create and register the account</button>
</form>`);
}

export function accountFormRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/accounts/new', async (_req, res) => {
    const defaultServer = (await listAcmeServers(deps.db)).find((s) => s.is_default)?.id ?? '';
    sendPage(res, 200, await formPage(deps, ctxOf(res), emptyForm({
      acme_server_id: defaultServer, key_technology: 'EC_P256', 'order_defaults.private_key_technology': 'EC_P256', 'order_defaults.private_key_cycle': 'single_use',
    })));
  });

  router.post('/accounts/new', async (req: Request, res) => {
    const ctx = ctxOf(res);
    const values = formValues(req.body);
    try {
      const input = parseOrThrow(createAccountBody, bodyOf(values));
      const created = await createAcmeAccount(deps, {
        acmeServerId: input.acme_server_id,
        key: { generate: input.key_technology },
        contact: input.contact,
        orderDefaults: { privateKeyTechnology: input.order_defaults.private_key_technology, privateKeyCycle: input.order_defaults.private_key_cycle },
        eab: input.eab && { keyId: input.eab.kid, macKey: input.eab.hmac_key, ...(input.eab.alg ? { alg: input.eab.alg } : {}) },
      }, { actor: 'dashboard' });
      await accountAfter(deps, created.acmeAccountId, created.registration.position);
      redirectDone(res, `${ctx.base}/accounts/${created.acmeAccountId}`, 'created');
    } catch (error) {
      const failed = formFailure(error, req, { ...values, 'eab.hmac_key': '' });
      sendPage(res, failed.status, await formPage(deps, ctx, failed.state));
    }
  });
  return router;
}
