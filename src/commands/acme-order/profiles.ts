/**
 * ACME profiles (draft-ietf-acme-profiles): the server lists them in its directory's
 * meta.profiles; an order naming one the server does not offer is refused before anything is sent.
 */
import { ValidationError } from '../../domain/shared/errors.js';
import type { AcmeSessions } from '../acme/session.js';

export type OfferedProfile = { name: string; description: string };

export async function offeredProfiles(deps: { acme: Pick<AcmeSessions, 'transportFor'> }, acmeServerId: string): Promise<OfferedProfile[]> {
  const directory = await (await deps.acme.transportFor(acmeServerId)).directory();
  return Object.entries(directory.meta.profiles ?? {}).map(([name, description]) => ({ name, description }));
}

export async function assertProfileOffered(deps: { acme: Pick<AcmeSessions, 'transportFor'> }, acmeServerId: string, profile: string): Promise<void> {
  const offered = await offeredProfiles(deps, acmeServerId);
  if (offered.length === 0) throw new ValidationError({ profile: 'the ACME server offers no profiles (its directory has no meta.profiles)' });
  if (!offered.some((p) => p.name === profile)) {
    throw new ValidationError({ profile: `the ACME server does not offer "${profile}"; it offers ${offered.map((p) => p.name).join(', ')}` });
  }
}
