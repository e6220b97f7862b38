/** The certificates section: list, upload, one certificate's page and its marks. */
import { Router } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { formFailure, formValues } from '../forms.js';
import { ctxOf, noticeFrom, redirectDone } from '../respond.js';
import { certificateListPage } from './certificate-list-page.js';
import { applyMark, MARK_NOTICES } from './certificate-marks.js';
import { certificatePage } from './certificate-page.js';
import { UPLOAD_NOTICES, uploadPage, uploadSubmit } from './certificate-upload-page.js';

const NOTICES = { ...UPLOAD_NOTICES, ...MARK_NOTICES };

export function certificatesPages(deps: AppDeps): Router {
  const router = Router();

  router.get('/certificates', (req, res) => certificateListPage(deps, req, res));
  // Before /certificates/:id, which would take "upload" for an id.
  router.get('/certificates/upload', (req, res) => uploadPage(deps, req, res));
  router.post('/certificates/upload', (req, res) => uploadSubmit(deps, req, res));

  router.get('/certificates/:id', async (req, res) => {
    await certificatePage(deps, req.params.id, res, { notice: noticeFrom(req.query as Record<string, unknown>, NOTICES) });
  });

  router.post('/certificates/:id/mark', async (req, res) => {
    const values = formValues(req.body);
    try {
      const done = await applyMark(deps, req.params.id, values);
      redirectDone(res, `${ctxOf(res).base}/certificates/${req.params.id}`, done);
    } catch (error) {
      const { status, state } = formFailure(error, req, values);
      await certificatePage(deps, req.params.id, res, { status, marks: state });
    }
  });

  return router;
}
