/**
 * The new renewal configuration form: POST /api/v1/renewal-configurations's fields (nested ones
 * as `primary.account_id`…), parsed by its schema and created by its command. Errors the command
 * names its own way (`acme_account_id`, `backup_acme_profile`) are shown at the field they concern.
 */
import { Router, type Request } from 'express';
import { createRenewalConfiguration } from '../../../commands/renewal/create-renewal-configuration.js';
import { KEY_POLICIES, KEY_TECHNOLOGIES } from '../../../domain/acme-order/key-cycle.js';
import { SYSTEM_POLICY_NAMES } from '../../../domain/system-policy/policy.js';
import type { AppDeps } from '../../app-deps.js';
import { renewalAnswers } from '../../routes/renewal.routes.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { createRenewalConfigurationBody, issuerInput } from '../../schemas/renewal.schema.js';
import { emptyForm, errorSummary, errorsLike, field, formFailure, formValues, lines, type FormState } from '../forms.js';
import { html } from '../html.js';
import { csrfField, page, type DashboardContext } from '../layout.js';
import { ctxOf, redirectDone, sendPage } from '../respond.js';
import { accountOptions } from './account-options.js';

const ISSUER_FIELDS = ['account_id', 'key_technology', 'key_policy', 'profile'] as const;


/** The form's flat fields as the API's JSON body: blanks left out, so the system policy fills them. */
function bodyOf(v: Record<string, string>) {
  const issuer = (side: 'primary' | 'backup') => {
    const entries = ISSUER_FIELDS.flatMap((name) => (v[`${side}.${name}`] ? [[name, v[`${side}.${name}`]]] : []));
    return entries.length > 0 ? Object.fromEntries(entries) as Record<string, string> : undefined;
  };
  const namesOf = (name: string) => (lines(v[name]).length > 0 ? lines(v[name]) : undefined);
  return {
    domain_names_http01: namesOf('domain_names_http01'),
    domain_names_dns01: namesOf('domain_names_dns01'),
    primary: issuer('primary'),
    backup: v['backup.account_id'] === 'none' ? null : issuer('backup'),
    is_auto_renew: v.is_auto_renew === 'true',
    policy: v.policy || undefined,
  };
}

function issuerFields(state: FormState, side: 'primary' | 'backup', accounts: [string, string][]) {
  const legacy = side === 'primary' ? '' : 'backup_';
  const blank: [string, string] = ['', 'As the system policy says'];
  return html`<fieldset><legend>${side === 'primary' ? 'Primary issuer' : 'Backup issuer (used after repeated failures)'}</legend>
${field(state, { name: `${side}.account_id`, label: 'ACME account', type: 'select', options: side === 'primary' ? [blank, ...accounts] : [blank, ['none', 'No backup'], ...accounts], errorsFrom: errorsLike(state, side, `${legacy}acme_account_id`) })}
${field(state, { name: `${side}.key_technology`, label: 'Key technology', type: 'select', options: [blank, ...KEY_TECHNOLOGIES.map((k): [string, string] => [k, k])], errorsFrom: [`${legacy}key_technology`] })}
${field(state, { name: `${side}.key_policy`, label: 'Key policy', type: 'select', options: [blank, ...KEY_POLICIES.map((k): [string, string] => [k, k.replaceAll('_', ' ')])], errorsFrom: [`${legacy}key_policy`] })}
${field(state, { name: `${side}.profile`, label: 'ACME profile', hint: 'Blank: the server\'s default profile.', errorsFrom: [`${legacy}profile`, `${legacy}acme_profile`] })}
</fieldset>`;
}

async function formPage(deps: AppDeps, ctx: DashboardContext, state: FormState) {
  const accounts = await accountOptions(deps.db);
  const path = `${ctx.base}/renewal-configurations`;
  return page(ctx, { title: 'New renewal configuration', section: 'renewal', crumbs: [{ href: path, label: 'Renewal configurations' }] }, html`
<p>Names to keep renewed, and who issues them. Blank choices come from the system policy, then from the account's order defaults.</p>
${errorSummary(state)}
<form method="post" action="${path}/new">${csrfField(ctx)}
${field(state, { name: 'domain_names_http01', label: 'Names proven by http-01', type: 'textarea', rows: 3, hint: 'One per line (or comma-separated).', errorsFrom: errorsLike(state, 'domain_names_http01', 'identifiers', 'domain_names') })}
${field(state, { name: 'domain_names_dns01', label: 'Names proven by dns-01', type: 'textarea', rows: 3, hint: 'Wildcards (*.example.com) need dns-01.', errorsFrom: errorsLike(state, 'domain_names_dns01') })}
${issuerFields(state, 'primary', accounts)}
${issuerFields(state, 'backup', accounts)}
${field(state, { name: 'is_auto_renew', label: 'Renew automatically when due', type: 'checkbox' })}
${field(state, { name: 'policy', label: 'System policy that fills the gaps', type: 'select', options: SYSTEM_POLICY_NAMES.map((n): [string, string] => [n, n]) })}
<button type="submit" class="primary">Create renewal configuration</button>
</form>`);
}

export function renewalFormRoutes(deps: AppDeps): Router {
  const router = Router();
  const { settled } = renewalAnswers(deps);

  router.get('/renewal-configurations/new', async (_req, res) => {
    sendPage(res, 200, await formPage(deps, ctxOf(res), emptyForm({ is_auto_renew: 'true', policy: 'global' })));
  });

  router.post('/renewal-configurations/new', async (req: Request, res) => {
    const ctx = ctxOf(res);
    const values = formValues(req.body);
    try {
      const input = parseOrThrow(createRenewalConfigurationBody, bodyOf(values));
      const { configurationId } = await createRenewalConfiguration({ store: deps.store, db: deps.db, now: deps.now, acme: deps.acme }, {
        identifiers: input.identifiers,
        primary: issuerInput(input.primary),
        backup: input.backup === null ? null : issuerInput(input.backup),
        isAutoRenew: input.is_auto_renew,
        policy: input.policy,
      }, { actor: 'dashboard' });
      await settled(configurationId);
      redirectDone(res, `${ctx.base}/renewal-configurations/${configurationId}`, 'created');
    } catch (error) {
      const failed = formFailure(error, req, values);
      sendPage(res, failed.status, await formPage(deps, ctx, failed.state));
    }
  });
  return router;
}
