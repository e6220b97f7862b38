/**
 * The new-order form: the fields of POST /api/v1/acme-orders (peter_sslers' name boxes), parsed
 * by the same schema and sent to the same command; the API's errors are shown by each box.
 */
import type { Request, Response } from 'express';
import { KEY_POLICIES, KEY_TECHNOLOGIES } from '../../../domain/acme-order/key-cycle.js';
import { createOrderFromBody, settleSteps } from '../../acme-order-answers.js';
import type { AppDeps } from '../../app-deps.js';
import type { AcmeAccountRow } from '../../queries/acme-accounts.js';
import { emptyForm, errorSummary, field, formFailure, formValues, lines, type FormState } from '../forms.js';
import { html, type Html } from '../html.js';
import { csrfField, page, type DashboardContext } from '../layout.js';
import { ctxOf, redirectDone, sendPage } from '../respond.js';
import { accountLabel, accountsById } from './order-list.js';

const DNS = 'domain_names_dns01';
const HTTP = 'domain_names_http01';

const DEFAULTS = { key_policy: 'account_default', key_technology: '', process: 'step', deactivate_on_failure: 'true' };

/** The body the API would get from this form: names one per line, defaults left out. */
function apiBody(values: Record<string, string>): Record<string, unknown> {
  const dns = lines(values[DNS]);
  const http = lines(values[HTTP]);
  return {
    account_id: values.account_id ?? '',
    ...(http.length > 0 ? { [HTTP]: http } : {}),
    ...(dns.length > 0 ? { [DNS]: dns } : {}),
    ...(values.key_policy ? { key_policy: values.key_policy } : {}),
    ...(values.key_technology ? { key_technology: values.key_technology } : {}),
    process: values.process ?? '',
    // An unticked checkbox sends nothing: absent means false here, not the API's default.
    deactivate_on_failure: values.deactivate_on_failure === 'true',
  };
}

/**
 * The command names a bad name by its place in the combined list (`identifiers.N`: http-01 names
 * first, then dns-01, as the schema builds it); the form shows it by the box it was typed in.
 */
function boxErrors(errors: Record<string, string>, httpCount: number, status: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(errors)) {
    const index = /^identifiers\.(\d+)/.exec(key);
    const box = /^(domain_names_(?:http|dns)01)\.\d+/.exec(key);
    const name = index ? (Number(index[1]) < httpCount ? HTTP : DNS) : box ? box[1]! : key === 'identifiers' ? DNS : key;
    out[name] ??= text;
  }
  // The only thing the command looks up is the account: a 404 is about that field.
  if (status === 404 && Object.keys(out).length === 0) out.account_id = 'no such ACME account';
  return out;
}

function newOrderForm(ctx: DashboardContext, state: FormState, accounts: AcmeAccountRow[]): Html {
  const accountOptions: [string, string][] = accounts.map((a) => [a.id, `${accountLabel(a, a.id)} · ${a.status}${a.contact?.length ? ` · ${a.id.slice(0, 8)}` : ''}`]);
  return html`${errorSummary(state)}
${accounts.length === 0 ? html`<p class="notice notice-error">No ACME account yet: <a href="${ctx.base}/accounts">create or upload one</a> first.</p>` : ''}
<form method="post" action="${ctx.base}/orders/new">${csrfField(ctx)}
${field(state, { name: 'account_id', label: 'ACME account', type: 'select', required: true, options: accountOptions })}
${field(state, { name: DNS, label: 'Names proved by dns-01', type: 'textarea', rows: 3, hint: 'One per line. Wildcards (*.example.com) need dns-01.' })}
${field(state, { name: HTTP, label: 'Names proved by http-01', type: 'textarea', rows: 3, hint: 'One per line (IP addresses too). The CA fetches the answer from the public app on port 80.' })}
${field(state, { name: 'key_policy', label: 'Private key policy', type: 'select', options: KEY_POLICIES.map((k) => [k, k === 'account_default' ? 'account default' : k]) })}
${field(state, { name: 'key_technology', label: 'Private key technology', type: 'select', options: [['', 'account default'], ...KEY_TECHNOLOGIES.map((k): [string, string] => [k, k])] })}
${field(state, { name: 'process', label: 'Processing', type: 'select', options: [['step', 'step by step (from the order page)'], ['all', 'all steps now, up to the certificate']] })}
${field(state, { name: 'deactivate_on_failure', label: 'Deactivate pending authorizations after a failed challenge', type: 'checkbox' })}
<button type="submit" class="primary">Create order</button></form>`;
}

async function sendForm(deps: AppDeps, res: Response, status: number, state: FormState): Promise<void> {
  const ctx = ctxOf(res);
  const accounts = [...(await accountsById(deps)).values()];
  const crumbs = [{ href: `${ctx.base}/orders`, label: 'ACME orders' }];
  sendPage(res, status, page(ctx, { title: 'New ACME order', section: 'orders', crumbs }, newOrderForm(ctx, state, accounts)));
}

export const newOrderPage = (deps: AppDeps, _req: Request, res: Response) => sendForm(deps, res, 200, emptyForm({ ...DEFAULTS }));

export async function createOrderAction(deps: AppDeps, req: Request, res: Response): Promise<void> {
  const values = formValues(req.body);
  const body = apiBody(values);
  try {
    const created = await createOrderFromBody(deps, body, 'dashboard');
    const outcome = await settleSteps(deps, created.orderId, created.report.steps);
    redirectDone(res, `${ctxOf(res).base}/orders/${created.orderId}`, outcome.failed ? 'failed' : 'created');
  } catch (error) {
    const failure = formFailure(error, req, values);
    // Not the form's fault (the store, the CA): the dashboard's error page, as the API would answer.
    if (failure.status >= 500) throw error;
    const httpCount = Array.isArray(body[HTTP]) ? (body[HTTP] as string[]).length : 0;
    await sendForm(deps, res, failure.status, { ...failure.state, errors: boxErrors(failure.state.errors, httpCount, failure.status) });
  }
}
