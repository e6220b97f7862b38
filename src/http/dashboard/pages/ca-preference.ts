/**
 * GET/POST /chain-preference: the policy as GET /api/v1/chain-preference reads it, changed the way
 * PUT /api/v1/chain-preference changes it (its schema, SetChainPreferencePolicy with the whole
 * order, waiting for the catalog), so the page shows the new pick right after the redirect.
 */
import { Router, type Request, type Response } from 'express';
import { IllegalStateError } from '../../../domain/shared/errors.js';
import type { AppDeps } from '../../app-deps.js';
import { chainsToppedBy, listCaCertificates, listChainSelections } from '../../queries/ca-catalog.js';
import { listChainPreferences } from '../../queries/certificates.js';
import { applyChainPreference } from '../../routes/ca.routes.js';
import { chainPreferencePut } from '../../schemas/ca.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { emptyForm, formFailure, type FormState } from '../forms.js';
import { page } from '../layout.js';
import { ctxOf, noticeFrom, redirectDone, sendPage } from '../respond.js';
import { POLICY_FIELD, preferencePage, SHOWN_FIELD } from './ca-preference-view.js';

/** Candidates for the add select: the catalog holds a few dozen CA certificates, not thousands. */
const CANDIDATES = 250;
const SELECTIONS_SHOWN = 100;

const NOTICES = { saved: 'Chain preference saved: certificates now serve the chains it picks.', unchanged: 'Nothing changed: the policy already had that order.' };

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The API names entries by their index in the order sent; the page shows them in the current order. */
function placeErrors(errors: Record<string, string>, sent: readonly unknown[], current: readonly string[]): Record<string, string> {
  const placed: Record<string, string> = {};
  for (const [key, text] of Object.entries(errors)) {
    const index = /^fingerprints_sha1\.(\d+)$/.exec(key)?.[1];
    const at = index === undefined ? -1 : current.indexOf(String(sent[Number(index)]));
    const name = index === undefined ? key : at >= 0 && Number(index) < current.length ? `${POLICY_FIELD}.${at}` : POLICY_FIELD;
    placed[name] ??= text;
  }
  return placed;
}

export function chainPreferencePages(deps: AppDeps): Router {
  const router = Router();

  const show = async (req: Request, res: Response, status: number, state: FormState) => {
    const ctx = ctxOf(res);
    const [policy, all, tops, selections] = await Promise.all([
      listChainPreferences(deps.db),
      listCaCertificates(deps.db, { limit: CANDIDATES, offset: 0 }),
      chainsToppedBy(deps.db),
      listChainSelections(deps.db, { limit: SELECTIONS_SHOWN, offset: 0 }),
    ]);
    const inPolicy = new Set(policy.map((entry) => entry.fingerprint_sha1));
    const candidates = all.rows.filter((ca) => !inPolicy.has(ca.fingerprint_sha1));
    sendPage(res, status, page(ctx, { title: 'Chain preference policy', section: 'ca', notice: noticeFrom(req.query, NOTICES) },
      preferencePage(ctx, { policy, candidates, tops, selections }, state)));
  };

  router.get('/chain-preference', (req, res) => show(req, res, 200, emptyForm()));

  router.post('/chain-preference', async (req, res) => {
    const { _csrf: _token, [SHOWN_FIELD]: shown, ...body } = req.body as Record<string, unknown>;
    const sent = asList(body[POLICY_FIELD]);
    const current = (await listChainPreferences(deps.db)).map((entry) => entry.fingerprint_sha1);
    try {
      // Every form states the whole order; one made from an older page would drop or undo someone's change.
      if (shown !== undefined && shown !== current.join(',')) {
        throw new IllegalStateError('The chain preference policy changed since this page was shown, so nothing was saved: this is the current order.');
      }
      const parsed = parseOrThrow(chainPreferencePut, { ...body, [POLICY_FIELD]: sent });
      const result = await applyChainPreference(deps, { type: 'SetChainPreferencePolicy', fingerprintsSha1: parsed.fingerprints_sha1 }, 'dashboard');
      redirectDone(res, `${ctxOf(res).base}/chain-preference`, result.changed ? 'saved' : 'unchanged');
    } catch (error) {
      const failure = formFailure(error, req, { [POLICY_FIELD]: String(sent.at(-1) ?? '') });
      await show(req, res, failure.status, { ...failure.state, errors: placeErrors(failure.state.errors, sent, current) });
    }
  });

  return router;
}
