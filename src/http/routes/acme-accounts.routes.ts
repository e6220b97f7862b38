import express, { Router, type Request } from 'express';
import { accountFromCertbot, accountKeyFromPem, type CertbotAccountFields, type CertbotAccountFiles } from '../../commands/acme-account/upload-key.js';
import { changeAcmeAccountOrderDefaults } from '../../commands/acme-account/change-acme-account-defaults.js';
import { checkAcmeAccount } from '../../commands/acme-account/check-acme-account.js';
import { createAcmeAccount, type CreateAcmeAccountInput } from '../../commands/acme-account/create-acme-account.js';
import { deactivateAcmeAccount } from '../../commands/acme-account/deactivate-acme-account.js';
import { registerAcmeAccount } from '../../commands/acme-account/register-acme-account.js';
import { rollOverAcmeAccountKey } from '../../commands/acme-account/roll-over-acme-account-key.js';
import { updateAcmeAccountContact } from '../../commands/acme-account/update-acme-account-contact.js';
import { refreshAcmeServerDirectory } from '../../commands/acme-server/refresh-acme-server-directory.js';
import { makeAcmeServerDefault, registerAcmeServer } from '../../commands/acme-server/register-acme-server.js';
import { loadAcmeServer } from '../../commands/acme-server/load.js';
import type { CommandContext } from '../../commands/handle.js';
import type { AcmeAccountOrderDefaults } from '../../domain/acme-account/defaults.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { AppDeps } from '../app-deps.js';
import {
  acmeAccountHistory,
  acmeAccountItem,
  acmeServerItem,
  findAcmeAccount,
  findAcmeServer,
  findAcmeServersByOrigin,
  listAcmeAccounts,
  listAcmeServers,
} from '../queries/acme-accounts.js';
import { isId } from '../queries/certificates.js';
import {
  accountListQuery,
  contactBody,
  createAccountBody,
  defaultsBody,
  historyQuery,
  registerServerBody,
  rolloverBody,
  uploadAccountBody,
} from '../schemas/acme-account.schema.js';
import { parseOrThrow } from '../schemas/certificate.schema.js';

/** A path id: anything that is not an id names nothing (404). */
export function pathId(raw: unknown, what: string): string {
  const value = String(raw);
  if (!isId(value)) throw new NotFoundError(`${what} ${value.slice(0, 80)} not found`);
  return value.toLowerCase();
}

const waited = async (deps: AppDeps, position: bigint | null) => {
  if (position !== null) await deps.projections.waitFor(position);
};

/** The account as the read model has it once the command's events are projected. */
export async function accountAfter(deps: AppDeps, id: string, position: bigint | null) {
  await waited(deps, position);
  const row = await findAcmeAccount(deps.db, id);
  if (!row) throw new NotFoundError(`ACME account ${id} not found`);
  return row;
}

export async function serverAfter(deps: AppDeps, id: string, position: bigint | null) {
  await waited(deps, position);
  const row = await findAcmeServer(deps.db, id);
  if (!row) throw new NotFoundError(`ACME server ${id} not found`);
  return row;
}

export type AccountUpload = {
  acmeServerId?: string;
  key: { pem: Buffer | string } | { certbot: CertbotAccountFiles };
  contact?: string[];
  orderDefaults: AcmeAccountOrderDefaults;
  eab?: CreateAcmeAccountInput['eab'];
};

/**
 * A PEM key, or certbot's account files. Without `acmeServerId`, certbot's account URL names the
 * server: the one registered on that origin.
 */
export async function uploadAcmeAccount(deps: AppDeps, upload: AccountUpload, fields: { pem: string; serverId: string; certbot: CertbotAccountFields }, context: CommandContext) {
  let acmeServerId = upload.acmeServerId;
  let contact = upload.contact;
  let prepared;
  if ('pem' in upload.key) {
    prepared = await accountKeyFromPem(upload.key.pem, fields.pem);
  } else {
    const certbot = await accountFromCertbot(upload.key.certbot, fields.certbot);
    prepared = certbot.key;
    contact ??= certbot.contact;
    if (acmeServerId === undefined && certbot.accountUrl !== null) {
      const onOrigin = await findAcmeServersByOrigin(deps.db, new URL(certbot.accountUrl).origin);
      // Several directories on one origin (staging and production on one host): the default one, if it is among them.
      const servers = onOrigin.length > 1 && onOrigin.some((s) => s.is_default) ? onOrigin.filter((s) => s.is_default) : onOrigin;
      if (servers.length !== 1) {
        throw new ValidationError({ [fields.serverId]: servers.length === 0 ? `no registered ACME server serves ${new URL(certbot.accountUrl).origin}` : 'several ACME servers share that origin: name one' });
      }
      acmeServerId = servers[0]!.id;
    }
  }
  return createAcmeAccount(deps, { acmeServerId, key: { prepared }, contact: contact ?? [], orderDefaults: upload.orderDefaults, eab: upload.eab }, context);
}

const eabOf = (eab: { kid: string; hmac_key: string; alg?: 'HS256' | 'HS384' | 'HS512' } | undefined) =>
  eab && { keyId: eab.kid, macKey: eab.hmac_key, ...(eab.alg ? { alg: eab.alg } : {}) };

const orderDefaultsOf = (body: { private_key_technology: AcmeAccountOrderDefaults['privateKeyTechnology']; private_key_cycle: AcmeAccountOrderDefaults['privateKeyCycle'] }): AcmeAccountOrderDefaults =>
  ({ privateKeyTechnology: body.private_key_technology, privateKeyCycle: body.private_key_cycle });

const CONTEXT: CommandContext = { actor: 'api' };

/** ACME servers and accounts: native API (/api/v1). */
export function acmeAccountsRoutes(deps: AppDeps): Router {
  const router = Router();
  const body = express.json({ limit: '256kb' });
  const bodyOf = (req: Request) => req.body ?? {};

  router.post('/acme-servers', body, async (req, res) => {
    const input = parseOrThrow(registerServerBody, bodyOf(req));
    const outcome = await registerAcmeServer(deps, {
      directoryUrl: input.directory_url, name: input.name, caBundlePem: input.ca_bundle_pem ?? null, isDefault: input.is_default,
    }, CONTEXT);
    const row = await serverAfter(deps, outcome.acmeServerId, outcome.position);
    res.status(outcome.created ? 201 : 200).json({ result: 'success', created: outcome.created, acme_server: acmeServerItem(row) });
  });

  router.get('/acme-servers', async (_req, res) => {
    const rows = await listAcmeServers(deps.db);
    res.json({ items: rows.map(acmeServerItem), total: rows.length });
  });

  router.get('/acme-servers/:id', async (req, res) => {
    res.json(acmeServerItem(await serverAfter(deps, pathId(req.params.id, 'ACME server'), null)));
  });

  router.post('/acme-servers/:id/refresh', async (req, res) => {
    const id = pathId(req.params.id, 'ACME server');
    const refreshed = await refreshAcmeServerDirectory(deps, id, CONTEXT);
    res.json({ result: 'success', changed: refreshed.changed, acme_server: acmeServerItem(await serverAfter(deps, id, refreshed.position)) });
  });

  router.post('/acme-servers/:id/make-default', async (req, res) => {
    const id = pathId(req.params.id, 'ACME server');
    await loadAcmeServer(deps.store, id);
    const made = await makeAcmeServerDefault(deps, id, false, CONTEXT);
    res.json({ result: 'success', changed: made.events.length > 0, acme_server: acmeServerItem(await serverAfter(deps, id, made.position)) });
  });

  router.post('/acme-accounts', body, async (req, res) => {
    const input = parseOrThrow(createAccountBody, bodyOf(req));
    const created = await createAcmeAccount(deps, {
      acmeServerId: input.acme_server_id,
      key: { generate: input.key_technology },
      contact: input.contact,
      orderDefaults: orderDefaultsOf(input.order_defaults),
      eab: eabOf(input.eab),
    }, CONTEXT);
    const row = await accountAfter(deps, created.acmeAccountId, created.registration.position);
    res.status(201).json({ result: 'success', created: true, acme_account: acmeAccountItem(row) });
  });

  router.post('/acme-accounts/upload', body, async (req, res) => {
    const input = parseOrThrow(uploadAccountBody, bodyOf(req));
    const created = await uploadAcmeAccount(deps, {
      acmeServerId: input.acme_server_id,
      key: input.key_pem !== undefined
        ? { pem: input.key_pem }
        : { certbot: { privateKey: input.certbot!.private_key, regr: input.certbot!.regr, meta: input.certbot!.meta } },
      contact: input.contact,
      orderDefaults: orderDefaultsOf(input.order_defaults),
      eab: eabOf(input.eab),
    }, { pem: 'key_pem', serverId: 'acme_server_id', certbot: { privateKey: 'certbot.private_key', regr: 'certbot.regr', meta: 'certbot.meta' } }, CONTEXT);
    const row = await accountAfter(deps, created.acmeAccountId, created.registration.position);
    res.status(created.created ? 201 : 200).json({
      result: 'success', created: created.created, created_at_acme_server: created.registration.created, acme_account: acmeAccountItem(row),
    });
  });

  router.get('/acme-accounts', async (req, res) => {
    const query = parseOrThrow(accountListQuery, req.query);
    const list = await listAcmeAccounts(deps.db, query, { limit: query.limit, offset: query.offset });
    res.json({ ...list, items: list.items.map(acmeAccountItem) });
  });

  router.get('/acme-accounts/:id', async (req, res) => {
    res.json(acmeAccountItem(await accountAfter(deps, pathId(req.params.id, 'ACME account'), null)));
  });

  for (const [path, exchangesOnly] of [['exchanges', true], ['events', false]] as const) {
    router.get(`/acme-accounts/:id/${path}`, async (req, res) => {
      const id = pathId(req.params.id, 'ACME account');
      const query = parseOrThrow(historyQuery, req.query);
      const history = await acmeAccountHistory(deps.store, id, { exchangesOnly, page: { limit: query.limit, offset: query.offset } });
      if (history.total === 0 && !(await findAcmeAccount(deps.db, id))) throw new NotFoundError(`ACME account ${id} not found`);
      res.json(history);
    });
  }

  router.post('/acme-accounts/:id/register', body, async (req, res) => {
    const id = pathId(req.params.id, 'ACME account');
    const input = parseOrThrow(createAccountBody.pick({ eab: true }), bodyOf(req));
    const registered = await registerAcmeAccount(deps, id, { eab: eabOf(input.eab) }, CONTEXT);
    res.json({ result: 'success', created_at_acme_server: registered.created, acme_account: acmeAccountItem(await accountAfter(deps, id, registered.position)) });
  });

  router.post('/acme-accounts/:id/check', async (req, res) => {
    const id = pathId(req.params.id, 'ACME account');
    const checked = await checkAcmeAccount(deps, id, CONTEXT);
    res.json({ result: 'success', check: checked.result, acme_account: acmeAccountItem(await accountAfter(deps, id, checked.position)) });
  });

  const contactRoute = async (req: Request, res: express.Response) => {
    const id = pathId(req.params.id, 'ACME account');
    const input = parseOrThrow(contactBody, bodyOf(req));
    const updated = await updateAcmeAccountContact(deps, id, input.contact, CONTEXT);
    res.json({ result: 'success', acme_account: acmeAccountItem(await accountAfter(deps, id, updated.position)) });
  };
  router.put('/acme-accounts/:id/contact', body, contactRoute);
  router.post('/acme-accounts/:id/contact', body, contactRoute);

  router.post('/acme-accounts/:id/rollover', body, async (req, res) => {
    const id = pathId(req.params.id, 'ACME account');
    const input = parseOrThrow(rolloverBody, bodyOf(req));
    const newKey = input.key_pem !== undefined ? { prepared: await accountKeyFromPem(input.key_pem, 'key_pem') } : { generate: input.key_technology };
    const rolled = await rollOverAcmeAccountKey(deps, id, newKey, CONTEXT);
    res.json({ result: 'success', old_key_id: rolled.oldKeyId, acme_account: acmeAccountItem(await accountAfter(deps, id, rolled.position)) });
  });

  router.post('/acme-accounts/:id/deactivate', async (req, res) => {
    const id = pathId(req.params.id, 'ACME account');
    const done = await deactivateAcmeAccount(deps, id, CONTEXT);
    res.json({ result: 'success', changed: done.changed, acme_account: acmeAccountItem(await accountAfter(deps, id, done.position)) });
  });

  const defaultsRoute = async (req: Request, res: express.Response) => {
    const id = pathId(req.params.id, 'ACME account');
    const input = parseOrThrow(defaultsBody, bodyOf(req));
    const changed = await changeAcmeAccountOrderDefaults(deps, id, {
      ...(input.private_key_technology ? { privateKeyTechnology: input.private_key_technology } : {}),
      ...(input.private_key_cycle ? { privateKeyCycle: input.private_key_cycle } : {}),
    }, CONTEXT);
    res.json({ result: 'success', changed: changed.changed, acme_account: acmeAccountItem(await accountAfter(deps, id, changed.position)) });
  };
  router.put('/acme-accounts/:id/defaults', body, defaultsRoute);
  router.patch('/acme-accounts/:id/defaults', body, defaultsRoute);

  return router;
}
