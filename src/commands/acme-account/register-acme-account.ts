import { assertAcmeAccountCan } from '../../domain/acme-account/decider.js';
import type { RecordAcmeAccountRegistration } from '../../domain/acme-account/commands.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { AcmeTransportError, decodeMacKey, signExternalAccountBinding, type EabMacAlgorithm } from '../../infra/acme/index.js';
import { acmeStep } from '../acme/exchange-collector.js';
import { vaultAccountSigner } from '../acme/sessions.js';
import { loadAcmeServer } from '../acme-server/load.js';
import type { CommandContext } from '../handle.js';
import type { AcmeCommandDeps } from './deps.js';
import { loadAcmeAccount } from './load.js';
import { recordAccountStep } from './record-step.js';

/** §7.3.4: what the CA handed out; the MAC key is used once and never stored. */
export type ExternalAccountBindingInput = { keyId: string; macKey: string; alg?: EabMacAlgorithm };

export type RegisterOptions = {
  eab?: ExternalAccountBindingInput;
  /** Refuse before any request when the CA needs EAB and none was given (a new key cannot have an account yet). */
  requireEabWhenNeeded?: boolean;
};

export type Registered = { accountUrl: string; created: boolean; status: string; position: bigint | null };

const stringArray = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;

export function assertMacKey(eab: ExternalAccountBindingInput | undefined): void {
  if (!eab) return;
  try {
    decodeMacKey(eab.macKey);
  } catch {
    throw new ValidationError({ 'eab.hmac_key': 'is not base64url (the MAC key as the CA gave it)' });
  }
}

/**
 * newAccount (RFC 8555 §7.3) with the account's key: creates the account at the CA (201), or
 * finds the one the key already has (200). Either way the account URL is recorded.
 */
export async function registerAcmeAccount(
  deps: AcmeCommandDeps,
  acmeAccountId: string,
  options: RegisterOptions = {},
  context: CommandContext = {},
): Promise<Registered> {
  const account = assertAcmeAccountCan(await loadAcmeAccount(deps.store, acmeAccountId), 'register', acmeAccountId);
  const server = await loadAcmeServer(deps.store, account.acmeServerId);
  if (server.externalAccountRequired && !options.eab && options.requireEabWhenNeeded) {
    throw new ValidationError({ eab: 'the ACME server requires External Account Binding (RFC 8555 §7.3.4): give eab.kid and eab.hmac_key' });
  }
  assertMacKey(options.eab);
  const [transport, signer] = await Promise.all([deps.acme.transportFor(account.acmeServerId), vaultAccountSigner(deps.vault, account.key.keyId)]);
  const termsOfServiceAgreed = true;

  const step = await acmeStep(async () => {
    const directory = await transport.directory();
    const payload: Record<string, unknown> = { termsOfServiceAgreed, contact: account.contact };
    if (options.eab) {
      payload.externalAccountBinding = await signExternalAccountBinding({
        accountKey: signer, keyId: options.eab.keyId, macKey: options.eab.macKey, url: directory.newAccount, alg: options.eab.alg,
      });
    }
    const response = await transport.post(directory.newAccount, payload, signer, { kind: 'newAccount' });
    if (!response.location) throw new AcmeTransportError('protocol', 'POST', directory.newAccount, 'newAccount answered without a Location (the account URL, §7.3)');
    return response;
  });

  const { value, handled } = await recordAccountStep<Awaited<ReturnType<typeof transport.post>>, RecordAcmeAccountRegistration>(
    deps.store, acmeAccountId, step,
    (result) => ({ type: 'RecordAcmeAccountRegistration', acmeAccountId, result, exchanges: step.exchanges, now: deps.now().toISOString() }),
    (response) => {
      const body = (response.body ?? {}) as Record<string, unknown>;
      return {
        ok: true,
        accountUrl: response.location!,
        created: response.status === 201,
        status: typeof body.status === 'string' ? body.status : 'valid',
        contact: stringArray(body.contact) ?? account.contact,
        termsOfServiceAgreed,
        externalAccountBindingKeyId: options.eab?.keyId ?? null,
      };
    },
    context,
  );
  const body = (value.body ?? {}) as Record<string, unknown>;
  return { accountUrl: value.location!, created: value.status === 201, status: typeof body.status === 'string' ? body.status : 'valid', position: handled.position };
}
