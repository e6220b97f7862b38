/**
 * Site forms: deploy (new or again) and restore, with the fields of POST /api/v1/sites/{id}/deploy
 * and /sites/restore (nested ones flattened: `cert_pem` for `certificate.cert_pem`), parsed by the
 * same schemas. Private keys are taken but never echoed: a refused form comes back without them,
 * and a refused restore without the backup (which holds a key).
 */
import { deployBody, restoreBody } from '../../routes/sites.routes.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { ValidationError } from '../../../domain/shared/errors.js';
import { errorSummary, field, lines, type FormState } from '../forms.js';
import { html, type Html } from '../html.js';
import { errorsLike } from '../forms.js';

const CHALLENGES: [string, string][] = [['', 'http-01 (the default)'], ['http-01', 'http-01'], ['dns-01', 'dns-01']];

/** Fields the API reads beside the certificate: who orders and how names are proven. */
const issuerOf = (v: Record<string, string>) => ({
  ...(v.acme_account_id ? { acme_account_id: v.acme_account_id } : {}),
  ...(v.challenge_type ? { challenge_type: v.challenge_type } : {}),
});

export function parseDeploy(v: Record<string, string>) {
  const certificate = v.cert_pem || v.key_pem
    ? { cert_pem: v.cert_pem ?? '', key_pem: v.key_pem ?? '', ...(v.chain_pem ? { chain_pem: v.chain_pem } : {}) }
    : undefined;
  return parseOrThrow(deployBody, { host_names: lines(v.host_names), tls: v.tls, ...(certificate ? { certificate } : {}), ...issuerOf(v) });
}

export function parseRestore(v: Record<string, string>) {
  let description: unknown;
  try {
    description = JSON.parse(v.backup ?? '');
  } catch {
    throw new ValidationError({ backup: 'is not JSON: paste the whole answer of a backup' });
  }
  if (!description || typeof description !== 'object' || Array.isArray(description)) throw new ValidationError({ backup: 'must be a JSON object (a site backup)' });
  return parseOrThrow(restoreBody, { ...description, ...issuerOf(v) });
}

/** What may be shown again after a refusal: everything but key material. */
export const withoutKeys = (values: Record<string, string>): Record<string, string> => ({ ...values, key_pem: '', backup: '' });

function issuerFields(state: FormState, accounts: [string, string][]): Html {
  return html`${field(state, { name: 'acme_account_id', label: 'ACME account for its certificates', type: 'select', options: accounts })}
${field(state, { name: 'challenge_type', label: 'Challenge type', type: 'select', options: CHALLENGES })}`;
}

/** Deploy: `siteIdField` for a new site (the list page); a site's own page posts to its id. */
export function deployForm(action: string, csrf: Html, state: FormState, accounts: [string, string][], options: { siteIdField: boolean; button: string }): Html {
  return html`<form method="post" action="${action}">${csrf}${errorSummary(state)}
${options.siteIdField ? field(state, { name: 'site_id', label: 'Site id', required: true, hint: 'Letters, digits, dot, underscore, dash.', errorsFrom: ['id'] }) : ''}
${field(state, { name: 'host_names', label: 'Host names', type: 'textarea', rows: 3, required: true, hint: 'One per line.', errorsFrom: errorsLike(state, 'host_names') })}
${field(state, { name: 'tls', label: 'TLS', type: 'select', options: [['acme', 'acme: a certificate from the ACME server'], ['own', 'own: the certificate given below'], ['none', 'none: no TLS']] })}
${issuerFields(state, accounts)}
<details${state.values.cert_pem || state.errors.certificate ? html` open` : ''}><summary>Own certificate (TLS own, or one for acme to consider)</summary>
${field(state, { name: 'cert_pem', label: 'Certificate (PEM)', type: 'textarea', rows: 4, errorsFrom: ['certificate', 'certificate.cert_pem'] })}
${field(state, { name: 'key_pem', label: 'Private key (PEM)', type: 'textarea', rows: 4, hint: 'Stored in the key vault; never shown again.', errorsFrom: ['certificate.key_pem'] })}
${field(state, { name: 'chain_pem', label: 'Chain (PEM, optional)', type: 'textarea', rows: 4, errorsFrom: errorsLike(state, 'certificate.chain_pem') })}
</details>
<button type="submit" class="primary">${options.button}</button></form>`;
}

export function restoreForm(action: string, csrf: Html, state: FormState, accounts: [string, string][]): Html {
  const backupErrors = Object.keys(state.errors).filter((k) => !['acme_account_id', 'challenge_type'].includes(k));
  return html`<form method="post" action="${action}">${csrf}${errorSummary(state)}
${field(state, { name: 'backup', label: 'Site backup (JSON)', type: 'textarea', rows: 6, required: true, hint: 'The file a site\'s "Download backup" gave, or POST /api/v1/sites/{id}/backup\'s answer.', errorsFrom: backupErrors })}
${issuerFields(state, accounts)}
<button type="submit">Restore the site</button></form>`;
}

