import { acmeAccountDecider, type AcmeAccountState, type KnownAcmeAccount } from '../../domain/acme-account/decider.js';
import type { AcmeAccountEvent } from '../../domain/acme-account/events.js';
import { fold } from '../../domain/shared/decider.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { acmeStreams } from '../../domain/shared/ids.js';
import type { EventStore } from '../../infra/eventstore/port.js';

/** The account as its stream says now (not the read model: no projection lag). */
export async function loadAcmeAccountState(store: EventStore, acmeAccountId: string): Promise<AcmeAccountState> {
  const events = await store.readStream(acmeStreams.acmeAccount(acmeAccountId));
  return fold(acmeAccountDecider, events.map((e) => ({ type: e.type, data: e.data }) as unknown as AcmeAccountEvent));
}

/** NotFoundError for an unknown account. */
export async function loadAcmeAccount(store: EventStore, acmeAccountId: string): Promise<KnownAcmeAccount> {
  const state = await loadAcmeAccountState(store, acmeAccountId);
  if (state.status === 'absent') throw new NotFoundError(`ACME account ${acmeAccountId} not found`);
  return state;
}
