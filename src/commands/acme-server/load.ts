import { acmeServerDefaultDecider } from '../../domain/acme-server/default-decider.js';
import { acmeServerDecider, type AcmeServerState } from '../../domain/acme-server/decider.js';
import type { AcmeServerDefaultChanged, AcmeServerEvent } from '../../domain/acme-server/events.js';
import { fold } from '../../domain/shared/decider.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { acmeStreams } from '../../domain/shared/ids.js';
import type { EventStore } from '../../infra/eventstore/port.js';

export type RegisteredAcmeServer = Extract<AcmeServerState, { status: 'registered' }>;

export async function loadAcmeServerState(store: EventStore, acmeServerId: string): Promise<AcmeServerState> {
  const events = await store.readStream(acmeStreams.acmeServer(acmeServerId));
  return fold(acmeServerDecider, events.map((e) => ({ type: e.type, data: e.data }) as unknown as AcmeServerEvent));
}

/** NotFoundError for an unknown server. */
export async function loadAcmeServer(store: EventStore, acmeServerId: string): Promise<RegisteredAcmeServer> {
  const state = await loadAcmeServerState(store, acmeServerId);
  if (state.status === 'absent') throw new NotFoundError(`ACME server ${acmeServerId} not found`);
  return state;
}

/** The default ACME server's id, or null before any server is registered. */
export async function loadDefaultAcmeServerId(store: EventStore): Promise<string | null> {
  const events = await store.readStream(acmeStreams.acmeServerDefault());
  return fold(acmeServerDefaultDecider, events.map((e) => ({ type: e.type, data: e.data }) as unknown as AcmeServerDefaultChanged)).acmeServerId;
}
