import { isoToMs } from '../renewal-configuration/time.js';
import type { CertificateRef, CurrentTls, TlsWish } from './state.js';

/**
 * The rules of issue 8 as one pure function. Each table row is a named rule; the command layer
 * turns the steps into events (decider.ts) and runs the side effects they imply.
 *
 * "Unexpired" means notAfter > now. At notAfter == now the certificate counts as expired: it has
 * no time left to serve, so deploying it would only hand out a certificate in its last instant.
 * (certificate/lifecycle-mark.ts isExpiredAt is RFC 5280-inclusive; for choosing what to serve we
 * want the stricter reading.)
 */
export const isUnexpired = (certificate: CertificateRef, now: string): boolean => isoToMs(certificate.notAfter) > isoToMs(now);

export type DeployOperation = 'deploy' | 'redeploy' | 'restore';

export type PlanInput =
  | { operation: DeployOperation; wish: TlsWish; given: CertificateRef | null; current: CurrentTls; stash: readonly CertificateRef[]; now: string }
  | { operation: 'undeploy'; current: CurrentTls; stash: readonly CertificateRef[]; now: string };

export type StashReason = 'tlsNotWanted' | 'ownCertificateWanted' | 'undeployed' | 'laterCertificateUsed' | 'replacedByUnstashed' | 'issuedAfterSuperseded';

export type PlanStep =
  | { step: 'keepCurrent' }
  | { step: 'stashCurrent'; certificate: CertificateRef; reason: StashReason }
  | { step: 'discardExpiredStashed'; certificate: CertificateRef }
  | { step: 'unstash'; certificate: CertificateRef }
  /** The caller imported it already; using it enrolls it for renewal. */
  | { step: 'useGiven'; certificate: CertificateRef }
  | { step: 'useOwn'; certificateId: string }
  /** Obtain an ACME certificate synchronously; on failure the site is served without TLS (and says why). */
  | { step: 'obtainNow' }
  | { step: 'serveWithoutTls' }
  | { step: 'ignoreGiven'; certificate: CertificateRef; reason: 'expired' | 'expiresNoLater' | 'notAcme' }
  | { step: 'leaveUndeployed' };

/** One name per row of the table (rows 1–7), plus the cases the table leaves implicit. */
export type RuleName =
  | 'noTlsWanted_hasAcme_stashIt' // row 1
  | 'noTlsWanted_noAcme_serveWithoutTls'
  | 'acmeWanted_noUsableGiven_noAcme_unstashOrObtain' // row 2
  | 'acmeWanted_noUsableGiven_hasAcme_keepIt' // row 3
  | 'acmeWanted_unexpiredGiven_noAcme_laterOfGivenAndStash' // row 4
  | 'acmeWanted_unexpiredGiven_hasAcme_laterOfTwo' // row 5
  | 'ownWanted_hasAcme_stashIt' // row 6 (restore too: it replaces the ACME certificate the same way)
  | 'ownWanted_noAcme_useOwn'
  | 'undeploy_hasAcme_stashIt' // row 7
  | 'undeploy_noAcme';

export type Plan = { rule: RuleName; steps: PlanStep[] };

/** Row 9: unstashing an expired certificate deletes it from the stash instead, silently (no error). */
export const unstashOrDiscard = (certificate: CertificateRef, now: string): PlanStep =>
  isUnexpired(certificate, now) ? { step: 'unstash', certificate } : { step: 'discardExpiredStashed', certificate };

/**
 * The stash's best unexpired certificate (latest notAfter; among equals, the one stashed first),
 * after discarding every expired one: they can never be unstashed again.
 */
function consultStash(stash: readonly CertificateRef[], now: string): { discards: PlanStep[]; best: CertificateRef | null } {
  const discards = stash.filter((c) => !isUnexpired(c, now)).map((certificate): PlanStep => ({ step: 'discardExpiredStashed', certificate }));
  const best = stash.filter((c) => isUnexpired(c, now)).reduce<CertificateRef | null>(
    (a, c) => (a === null || isoToMs(c.notAfter) > isoToMs(a.notAfter) ? c : a), null);
  return { discards, best };
}

const acmeOf = (current: CurrentTls): CertificateRef | null =>
  current.kind === 'acme' ? { certificateId: current.certificateId, notAfter: current.notAfter } : null;

export function planDeployment(input: PlanInput): Plan {
  const acme = acmeOf(input.current);
  if (input.operation === 'undeploy') {
    return acme
      ? { rule: 'undeploy_hasAcme_stashIt', steps: [{ step: 'stashCurrent', certificate: acme, reason: 'undeployed' }, { step: 'leaveUndeployed' }] }
      : { rule: 'undeploy_noAcme', steps: [{ step: 'leaveUndeployed' }] };
  }
  const { wish, given, current, stash, now } = input;
  if (wish.kind === 'none') {
    const ignore: PlanStep[] = given ? [{ step: 'ignoreGiven', certificate: given, reason: 'notAcme' }] : [];
    if (acme) return { rule: 'noTlsWanted_hasAcme_stashIt', steps: [...ignore, { step: 'stashCurrent', certificate: acme, reason: 'tlsNotWanted' }, { step: 'serveWithoutTls' }] };
    return { rule: 'noTlsWanted_noAcme_serveWithoutTls', steps: [...ignore, current.kind === 'none' ? { step: 'keepCurrent' } : { step: 'serveWithoutTls' }] };
  }
  if (wish.kind === 'own') {
    const ignore: PlanStep[] = given ? [{ step: 'ignoreGiven', certificate: given, reason: 'notAcme' }] : [];
    if (acme) return { rule: 'ownWanted_hasAcme_stashIt', steps: [...ignore, { step: 'stashCurrent', certificate: acme, reason: 'ownCertificateWanted' }, { step: 'useOwn', certificateId: wish.certificateId }] };
    const same = current.kind === 'own' && current.certificateId === wish.certificateId;
    return { rule: 'ownWanted_noAcme_useOwn', steps: [...ignore, same ? { step: 'keepCurrent' } : { step: 'useOwn', certificateId: wish.certificateId }] };
  }
  const usableGiven = given && isUnexpired(given, now) ? given : null;
  const ignoreExpired: PlanStep[] = given && !usableGiven ? [{ step: 'ignoreGiven', certificate: given, reason: 'expired' }] : [];
  if (!usableGiven) {
    if (acme) return { rule: 'acmeWanted_noUsableGiven_hasAcme_keepIt', steps: [...ignoreExpired, { step: 'keepCurrent' }] };
    const { discards, best } = consultStash(stash, now);
    return { rule: 'acmeWanted_noUsableGiven_noAcme_unstashOrObtain', steps: [...ignoreExpired, ...discards, best ? { step: 'unstash', certificate: best } : { step: 'obtainNow' }] };
  }
  if (acme) {
    // A tie keeps the current certificate: nothing changes without need.
    if (usableGiven.certificateId === acme.certificateId || isoToMs(usableGiven.notAfter) <= isoToMs(acme.notAfter)) {
      return { rule: 'acmeWanted_unexpiredGiven_hasAcme_laterOfTwo', steps: [{ step: 'ignoreGiven', certificate: usableGiven, reason: 'expiresNoLater' }, { step: 'keepCurrent' }] };
    }
    return { rule: 'acmeWanted_unexpiredGiven_hasAcme_laterOfTwo', steps: [
      { step: 'stashCurrent', certificate: acme, reason: 'laterCertificateUsed' }, ...useGivenOrUnstash(usableGiven, stash)] };
  }
  const { discards, best } = consultStash(stash, now);
  // A tie prefers the stashed certificate: it is already ours and enrolled once; the given one adds nothing.
  if (best && isoToMs(best.notAfter) >= isoToMs(usableGiven.notAfter)) {
    const ignore: PlanStep[] = best.certificateId === usableGiven.certificateId ? [] : [{ step: 'ignoreGiven', certificate: usableGiven, reason: 'expiresNoLater' }];
    return { rule: 'acmeWanted_unexpiredGiven_noAcme_laterOfGivenAndStash', steps: [...discards, ...ignore, { step: 'unstash', certificate: best }] };
  }
  return { rule: 'acmeWanted_unexpiredGiven_noAcme_laterOfGivenAndStash', steps: [...discards, ...useGivenOrUnstash(usableGiven, stash)] };
}

/** A given certificate that sits in the stash already (by id) is unstashed rather than added twice. */
const useGivenOrUnstash = (given: CertificateRef, stash: readonly CertificateRef[]): PlanStep[] => {
  const stashed = stash.find((c) => c.certificateId === given.certificateId);
  return [stashed ? { step: 'unstash', certificate: stashed } : { step: 'useGiven', certificate: given }];
};

/**
 * Row 8: a backup exports the served certificate (ACME or its own); the command layer puts its key
 * and PEMs into the exported description. The site's own record keeps ids only.
 */
export const planBackup = (current: CurrentTls): { rule: 'backup_exportServedCertificate'; exportCertificateId: string | null } => ({
  rule: 'backup_exportServedCertificate',
  exportCertificateId: current.kind === 'acme' || current.kind === 'own' ? current.certificateId : null,
});
