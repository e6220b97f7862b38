import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { changeAcmeAccountOrderDefaults } from '../../../commands/acme-account/change-acme-account-defaults.js';
import { checkAcmeAccount } from '../../../commands/acme-account/check-acme-account.js';
import { createAcmeAccount } from '../../../commands/acme-account/create-acme-account.js';
import { deactivateAcmeAccount } from '../../../commands/acme-account/deactivate-acme-account.js';
import { registerAcmeAccount } from '../../../commands/acme-account/register-acme-account.js';
import { rollOverAcmeAccountKey } from '../../../commands/acme-account/roll-over-acme-account-key.js';
import { refreshAcmeServerDirectory } from '../../../commands/acme-server/refresh-acme-server-directory.js';
import type { CommandContext } from '../../../commands/handle.js';
import { ValidationError } from '../../../domain/shared/errors.js';
import { toPem } from '../../../infra/x509/pem.js';
import type { AppDeps } from '../../app-deps.js';
import { findAcmeServer, listAcmeAccounts, listAcmeServers, type AcmeAccountRow, type AcmeServerRow } from '../../queries/acme-accounts.js';
import { compatPagination, keyedById, PETER_SSLERS_PAGE_SIZE } from '../../queries/peter-sslers-json.js';
import { pageNumber } from '../../schemas/catalog.schema.js';
import {
  compatDeactivateForm,
  compatEditAccountForm,
  compatKeyChangeForm,
  compatNewAccountForm,
  compatUploadAccountForm,
} from '../../schemas/acme-account.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { multipartFields } from '../../upload.js';
import { accountAfter, pathId, serverAfter, uploadAcmeAccount } from '../acme-accounts.routes.js';

const CONTEXT: CommandContext = { actor: 'peter_sslers' };
const urlencoded = express.urlencoded({ extended: false, limit: '256kb' });

/** peter_sslers clients post `curl --form` (multipart) or urlencoded forms; both become strings (files stay bytes). */
function formReader(fields: readonly string[]) {
  const multipart = multipartFields(fields);
  return async (req: Request, res: Response): Promise<Record<string, Buffer>> => {
    const run = (middleware: RequestHandler) =>
      new Promise<void>((resolve, reject) => middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    if (req.is('multipart/form-data')) {
      await run(multipart);
      return req.uploads ?? {};
    }
    await run(urlencoded);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(body).filter((name) => !fields.includes(name));
    if (unknown.length > 0) throw new ValidationError(Object.fromEntries(unknown.map((name) => [name, 'unknown field'])));
    return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, Buffer.from(String(value), 'utf8')]));
  };
}

const texts = (form: Record<string, Buffer>, except: readonly string[] = []): Record<string, string> =>
  Object.fromEntries(Object.entries(form).filter(([name]) => !except.includes(name)).map(([name, bytes]) => [name, bytes.toString('utf8').trim()]));

/** The account key as the download routes serve it (PKCS#8 PEM): what `key_pem` md5s are taken of. */
async function accountKeyPem(deps: AppDeps, keyId: string): Promise<{ pem: string; der: Buffer }> {
  const der = await deps.vault.get(keyId);
  return { pem: toPem('PRIVATE KEY', der), der };
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** peter_sslers' AcmeServer.as_json, as far as certledger has the fields. */
function acmeServerJson(row: AcmeServerRow) {
  const directory = row.directory as Record<string, unknown>;
  return {
    id: row.id,
    name: row.name,
    url: row.directory_url,
    directory_url: row.directory_url,
    server: new URL(row.directory_url).host,
    protocol: 'acme-v2',
    is_default: row.is_default,
    is_enabled: true,
    is_supports_ari: typeof directory.renewalInfo === 'string',
    directory: row.directory,
    timestamp_created: row.created_at.toISOString(),
  };
}

/** peter_sslers' AcmeAccount.as_json. `contact` is its one address, without `mailto:`. */
function acmeAccountJson(row: AcmeAccountRow, server: AcmeServerRow | undefined, keyPemMd5?: string) {
  const contact = row.contact[0]?.replace(/^mailto:/, '') ?? null;
  return {
    id: row.id,
    AcmeAccountKey: {
      id: row.key_id,
      acme_account_id: row.id,
      is_active: true,
      key_technology: row.key_technology,
      jwk_thumbprint: row.key_jwk_thumbprint,
      spki_sha256: row.key_spki_sha256,
      acme_account_key_source: row.key_source,
      ...(keyPemMd5 === undefined ? {} : { key_pem_md5: keyPemMd5 }),
    },
    is_active: row.status === 'valid',
    is_deactivated: row.deactivated_at ? row.deactivated_at.toISOString() : false,
    status: row.status,
    acme_server_id: row.acme_server_id,
    acme_server_name: server?.name ?? null,
    acme_server_url: server?.directory_url ?? null,
    acme_server_protocol: 'acme-v2',
    private_key_technology: row.key_technology,
    order_default_private_key_cycle: row.order_default_private_key_cycle,
    order_default_private_key_technology: row.order_default_private_key_technology,
    contact,
    contacts: row.contact,
    account_url: row.account_url,
    name: null,
    terms_of_service: server?.terms_of_service ?? '<no TOS recorded>',
    timestamp_created: row.created_at.toISOString(),
  };
}

/** `{path}.json` and `{path}/{page}.json`: 50 a page, from 1. */
function paginated(router: Router, path: string, load: (req: Request, page: number) => Promise<Record<string, unknown>>): void {
  router.get(`${path}.json`, async (req, res) => { res.json(await load(req, 1)); });
  router.get(`${path}/:page.json`, async (req, res, next) => {
    const page = String(req.params.page);
    if (!pageNumber.test(page)) return next();
    res.json(await load(req, Math.max(Number(page), 1)));
  });
}

/** The confirmation deactivate.json and key-change.json ask for: the key's PEM, or the MD5 of it. */
async function assertIsAccountKey(deps: AppDeps, row: AcmeAccountRow, given: string, field: string): Promise<void> {
  const { pem } = await accountKeyPem(deps, row.key_id);
  if (given.toLowerCase() === md5(pem)) return;
  try {
    const spki = createPublicKey(createPrivateKey(given)).export({ type: 'spki', format: 'der' });
    if (createHash('sha256').update(spki).digest('hex') === row.key_spki_sha256) return;
  } catch {
    // not a key: refused below
  }
  throw new ValidationError({ [field]: 'This does not match the active account key' });
}

const NEW_FIELDS = ['acme_server_id', 'account__contact', 'account__private_key_technology', 'account__order_default_private_key_cycle', 'account__order_default_private_key_technology', 'eab_kid', 'eab_hmac_key'];
const UPLOAD_FIELDS = ['acme_server_id', 'account__contact', 'account__order_default_private_key_cycle', 'account__order_default_private_key_technology', 'account_key_file_pem', 'account_key_file_le_meta', 'account_key_file_le_pkey', 'account_key_file_le_reg'];
const FILE_FIELDS = ['account_key_file_pem', 'account_key_file_le_meta', 'account_key_file_le_pkey', 'account_key_file_le_reg'];
const EDIT_FIELDS = ['account__order_default_private_key_cycle', 'account__order_default_private_key_technology', 'account__private_key_technology'];

/** ACME servers and accounts on the peter_sslers paths (views_admin/acme_server.py, acme_account.py). */
export function peterSslersAcmeAccountsRoutes(deps: AppDeps): Router {
  const router = Router();
  const serverOf = (id: string) => findAcmeServer(deps.db, id);
  const accountJson = async (row: AcmeAccountRow, withMd5 = false) =>
    acmeAccountJson(row, await serverOf(row.acme_server_id), withMd5 ? md5((await accountKeyPem(deps, row.key_id)).pem) : undefined);
  const accountsPage = async (page: number, filters: { acme_server_id?: string }) => {
    const list = await listAcmeAccounts(deps.db, filters, { limit: PETER_SSLERS_PAGE_SIZE, offset: (page - 1) * PETER_SSLERS_PAGE_SIZE });
    return { items: await Promise.all(list.items.map((row) => accountJson(row))), total: list.total };
  };

  router.get('/acme-servers.json', async (_req, res) => {
    res.json({ AcmeServers: keyedById((await listAcmeServers(deps.db)).map(acmeServerJson)) });
  });
  router.get('/acme-server/:id.json', async (req, res) => {
    res.json({ AcmeServer: acmeServerJson(await serverAfter(deps, pathId(req.params.id, 'AcmeServer'), null)) });
  });
  paginated(router, '/acme-server/:id/acme-accounts', async (req, page) => {
    const id = pathId(req.params.id, 'AcmeServer');
    await serverAfter(deps, id, null);
    const list = await accountsPage(page, { acme_server_id: id });
    return { AcmeAccounts: list.items, pagination: compatPagination(list.total, page) };
  });
  // peter_sslers checks ARI support here; certledger fetches the directory again (and records a change).
  router.post('/acme-server/:id/check-support.json', async (req, res) => {
    const id = pathId(req.params.id, 'AcmeServer');
    const refreshed = await refreshAcmeServerDirectory(deps, id, CONTEXT);
    const row = await serverAfter(deps, id, refreshed.position);
    res.json({ result: 'success', operation: 'check-support', 'check-support': acmeServerJson(row).is_supports_ari, directory_changed: refreshed.changed, AcmeServer: acmeServerJson(row) });
  });

  paginated(router, '/acme-accounts', async (_req, page) => {
    const list = await accountsPage(page, {});
    return { AcmeAccounts: keyedById(list.items), pagination: compatPagination(list.total, page) };
  });

  const readNew = formReader(NEW_FIELDS);
  router.post('/acme-account/new.json', async (req, res) => {
    const form = parseOrThrow(compatNewAccountForm, texts(await readNew(req, res)));
    if ((form.eab_kid === undefined) !== (form.eab_hmac_key === undefined)) throw new ValidationError({ eab_hmac_key: 'give eab_kid and eab_hmac_key together' });
    const created = await createAcmeAccount(deps, {
      acmeServerId: form.acme_server_id,
      key: { generate: form.account__private_key_technology },
      contact: form.account__contact,
      orderDefaults: { privateKeyTechnology: form.account__order_default_private_key_technology, privateKeyCycle: form.account__order_default_private_key_cycle },
      eab: form.eab_kid ? { keyId: form.eab_kid, macKey: form.eab_hmac_key! } : undefined,
    }, CONTEXT);
    const row = await accountAfter(deps, created.acmeAccountId, created.registration.position);
    res.json({ result: 'success', AcmeAccount: await accountJson(row), is_created: created.created, is_existing: !created.created });
  });

  const readUpload = formReader(UPLOAD_FIELDS);
  router.post('/acme-account/upload.json', async (req, res) => {
    const raw = await readUpload(req, res);
    const form = parseOrThrow(compatUploadAccountForm, texts(raw, FILE_FIELDS));
    const pem = raw.account_key_file_pem;
    const certbot = { privateKey: raw.account_key_file_le_pkey, regr: raw.account_key_file_le_reg, meta: raw.account_key_file_le_meta };
    const certbotGiven = Object.values(certbot).some(Boolean);
    if (pem && certbotGiven) throw new ValidationError({ account_key_file_pem: 'give account_key_file_pem (group A) or the account_key_file_le_* files (group B), not both' });
    if (pem && !form.acme_server_id) throw new ValidationError({ acme_server_id: 'is required with account_key_file_pem' });
    if (!pem && !certbotGiven) throw new ValidationError({ account_key_file_pem: 'give account_key_file_pem with acme_server_id, or account_key_file_le_meta, _le_pkey and _le_reg' });
    if (certbotGiven) {
      const missing = Object.entries({ account_key_file_le_pkey: certbot.privateKey, account_key_file_le_reg: certbot.regr, account_key_file_le_meta: certbot.meta }).filter(([, v]) => !v);
      if (missing.length > 0) throw new ValidationError(Object.fromEntries(missing.map(([name]) => [name, 'is required with the other account_key_file_le_* files'])));
    }
    const created = await uploadAcmeAccount(deps, {
      acmeServerId: form.acme_server_id,
      key: pem ? { pem } : { certbot: { privateKey: certbot.privateKey!.toString('utf8'), regr: certbot.regr!.toString('utf8'), meta: certbot.meta!.toString('utf8') } },
      contact: form.account__contact,
      orderDefaults: { privateKeyTechnology: form.account__order_default_private_key_technology, privateKeyCycle: form.account__order_default_private_key_cycle },
    }, { pem: 'account_key_file_pem', serverId: 'acme_server_id', certbot: { privateKey: 'account_key_file_le_pkey', regr: 'account_key_file_le_reg', meta: 'account_key_file_le_meta' } }, CONTEXT);
    const row = await accountAfter(deps, created.acmeAccountId, created.registration.position);
    res.json({ result: 'success', AcmeAccount: await accountJson(row), is_created: created.created, is_existing: !created.created });
  });

  const focus = (req: Request) => accountAfter(deps, pathId(req.params.id, 'AcmeAccount'), null);
  router.get('/acme-account/:id.json', async (req, res) => {
    const row = await focus(req);
    const prefix = `${deps.adminPrefix}/acme-account/${row.id}`;
    res.json({ AcmeAccount: await accountJson(row, true), raw: { 'pem.txt': `${prefix}/key.pem.txt`, pem: `${prefix}/key.pem`, der: `${prefix}/key.key` } });
  });
  router.get('/acme-account/:id/parse.json', async (req, res) => {
    res.json({ AcmeAccount: await accountJson(await focus(req), true) });
  });
  for (const [file, type] of [['key.pem', 'application/x-pem-file'], ['key.pem.txt', 'text/plain'], ['key.key', 'application/pkcs8']] as const) {
    router.get(`/acme-account/:id/${file}`, async (req, res) => {
      const key = await accountKeyPem(deps, (await focus(req)).key_id);
      res.set('Cache-Control', 'no-store').type(type).send(file === 'key.key' ? key.der : key.pem);
    });
  }

  const readEdit = formReader(EDIT_FIELDS);
  router.post('/acme-account/:id/edit.json', async (req, res) => {
    const row = await focus(req);
    const form = parseOrThrow(compatEditAccountForm, texts(await readEdit(req, res)));
    if (form.account__private_key_technology && form.account__private_key_technology !== row.key_technology) {
      throw new ValidationError({ account__private_key_technology: 'a new account key technology is a key change: POST acme-server/key-change.json' });
    }
    const changed = await changeAcmeAccountOrderDefaults(deps, row.id, {
      ...(form.account__order_default_private_key_technology ? { privateKeyTechnology: form.account__order_default_private_key_technology } : {}),
      ...(form.account__order_default_private_key_cycle ? { privateKeyCycle: form.account__order_default_private_key_cycle } : {}),
    }, CONTEXT);
    res.json({ result: 'success', AcmeAccount: await accountJson(await accountAfter(deps, row.id, changed.position)) });
  });

  router.post('/acme-account/:id/acme-server/authenticate.json', async (req, res) => {
    const row = await focus(req);
    const registered = await registerAcmeAccount(deps, row.id, {}, CONTEXT);
    res.json({ AcmeAccount: await accountJson(await accountAfter(deps, row.id, registered.position)) });
  });

  router.post('/acme-account/:id/acme-server/check.json', async (req, res) => {
    const row = await focus(req);
    const checked = await checkAcmeAccount(deps, row.id, CONTEXT);
    const message = checked.result === 'valid' ? null : checked.result === 'not_found' ? 'No account exists with the provided key' : 'The account is deactivated';
    res.json({ AcmeAccount: await accountJson(await accountAfter(deps, row.id, checked.position)), is_checked: true, result: checked.result === 'valid' ? 'success' : 'error', message });
  });

  const readDeactivate = formReader(['key_pem']);
  router.post('/acme-account/:id/acme-server/deactivate.json', async (req, res) => {
    const row = await focus(req);
    const form = parseOrThrow(compatDeactivateForm, texts(await readDeactivate(req, res)));
    await assertIsAccountKey(deps, row, form.key_pem, 'key_pem');
    const done = await deactivateAcmeAccount(deps, row.id, CONTEXT);
    res.json({ result: 'success', AcmeAccount: await accountJson(await accountAfter(deps, row.id, done.position)) });
  });

  const readKeyChange = formReader(['key_pem_existing']);
  router.post('/acme-account/:id/acme-server/key-change.json', async (req, res) => {
    const row = await focus(req);
    const form = parseOrThrow(compatKeyChangeForm, texts(await readKeyChange(req, res)));
    await assertIsAccountKey(deps, row, form.key_pem_existing, 'key_pem_existing');
    const rolled = await rollOverAcmeAccountKey(deps, row.id, {}, CONTEXT);
    res.json({ result: 'success', AcmeAccount: await accountJson(await accountAfter(deps, row.id, rolled.position)) });
  });

  return router;
}
