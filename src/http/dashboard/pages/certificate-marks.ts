/**
 * Lifecycle marks from the certificate page: one form (one reason field) with a button per mark
 * the certificate can take, parsed by the API's markBody and applied by the API's markCertificate.
 */
import { ValidationError } from '../../../domain/shared/errors.js';
import type { AppDeps } from '../../app-deps.js';
import { markCertificate, type CertificateAction } from '../../lifecycle-marks.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { markBody } from '../../schemas/lifecycle.schema.js';
import { errorSummary, field, type FormState } from '../forms.js';
import { html, type Html } from '../html.js';
import { csrfField, type DashboardContext } from '../layout.js';

const LABELS: Record<CertificateAction, string> = { deactivate: 'Deactivate', activate: 'Activate', revoke: 'Mark revoked' };

export const MARK_NOTICES = {
  deactivate: 'Certificate deactivated: it is no longer served or renewed from here.',
  activate: 'Certificate activated.',
  revoke: 'Certificate marked revoked (and deactivated).',
  unchanged: 'The certificate already had that mark: nothing changed.',
};

/** The marks that change something: a revoked certificate stays revoked, so it is offered none. */
function offered(c: { is_active: boolean; is_revoked: boolean }): CertificateAction[] {
  if (c.is_revoked) return [];
  return c.is_active ? ['deactivate', 'revoke'] : ['activate', 'revoke'];
}

export function markForm(ctx: DashboardContext, c: { id: string; is_active: boolean; is_revoked: boolean }, state: FormState): Html {
  const actions = offered(c);
  if (actions.length === 0) return html`<p>A revoked certificate stays revoked: no mark applies any more.</p>`;
  return html`${errorSummary(state)}<form method="post" action="${ctx.base}/certificates/${c.id}/mark" id="marks">${csrfField(ctx)}
${field(state, { name: 'reason', label: 'Reason', type: 'textarea', rows: 2, required: true, hint: 'Recorded in the certificate\'s history. Marking revoked is permanent.' })}
${field(state, { name: 'actor', label: 'Your name (optional)', hint: 'Recorded as the actor, after "dashboard:".' })}
<div class="actions">${actions.map((a) => html`<button type="submit" name="action" value="${a}"${a === 'revoke' ? '' : html` class="primary"`}>${LABELS[a]}</button>`)}</div>
</form>`;
}

/** Applies the mark the pressed button names; throws the API's errors (the page shows them next to the form). */
export async function applyMark(deps: AppDeps, certificateId: string, values: Record<string, string>): Promise<keyof typeof MARK_NOTICES> {
  const { action, ...fields } = values;
  if (action !== 'deactivate' && action !== 'activate' && action !== 'revoke') {
    throw new ValidationError({ action: 'must be deactivate, activate or revoke' });
  }
  // Blank optional fields are absent, as a JSON client would leave them out.
  const body = parseOrThrow(markBody, Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== '')));
  const marked = await markCertificate(deps, certificateId, action, { reason: body.reason, actor: body.actor ? `dashboard:${body.actor}` : 'dashboard' });
  return marked.changed ? action : 'unchanged';
}
