import { describe, expect, it } from 'vitest';
import { NotFoundError, IllegalStateError, ValidationError } from '../../src/domain/shared/errors.js';
import { siteStreams } from '../../src/domain/shared/ids.js';
import type { SiteCommand } from '../../src/domain/site/commands.js';
import { pendingIssue, siteDecider } from '../../src/domain/site/decider.js';
import type { SiteEvent } from '../../src/domain/site/events.js';
import { isUnexpired, planBackup, planDeployment, unstashOrDiscard, type PlanInput, type StashReason } from '../../src/domain/site/rules.js';
import { listedCertificates, renewableCertificateIds, type CertificateRef, type CurrentTls, type TlsWish } from '../../src/domain/site/state.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(siteDecider);
const NOW = '2026-06-01T12:00:00.000Z';
const at = (offsetMs: number): string => new Date(Date.parse(NOW) + offsetMs).toISOString();
const DAY = 86_400_000;
const cert = (certificateId: string, notAfter: string): CertificateRef => ({ certificateId, notAfter });
const fold = (events: SiteEvent[]) => events.reduce(siteDecider.evolve, siteDecider.initialState());

const S = 'site-1';
const HOSTS = ['a.example', 'www.a.example'];
const ACME: TlsWish = { kind: 'acme' };
const NONE: TlsWish = { kind: 'none' };
const OWN: TlsWish = { kind: 'own', certificateId: 'own-1' };
const C30 = cert('acme-30', at(30 * DAY));
const C60 = cert('acme-60', at(60 * DAY));
const EXPIRED = cert('acme-old', at(-DAY));

type DeployType = 'DeploySite' | 'RedeploySite' | 'RestoreSite';
const deploy = (type: DeployType, wish: TlsWish, given: CertificateRef | null = null, extra: Partial<{ now: string; attemptId: string; hostNames: string[] }> = {}): SiteCommand => ({
  type, siteId: S, hostNames: extra.hostNames ?? HOSTS, wish, given, issueAttemptId: extra.attemptId ?? 'att-1', now: extra.now ?? NOW,
});
const ev = {
  deployed: (wish: TlsWish, operation: 'deploy' | 'redeploy' | 'restore' = 'deploy'): SiteEvent =>
    ({ type: 'SiteDeployed', data: { siteId: S, operation, hostNames: HOSTS, wish, deployedAt: NOW } }),
  acme: (certificate: CertificateRef, source: 'given' | 'issued' = 'given', attemptId: string | null = null): SiteEvent =>
    ({ type: 'SiteAcmeCertificateAssigned', data: { siteId: S, certificate, source, attemptId, assignedAt: NOW } }),
  own: (certificateId = 'own-1'): SiteEvent => ({ type: 'SiteOwnCertificateAssigned', data: { siteId: S, certificateId, assignedAt: NOW } }),
  stashed: (certificate: CertificateRef, reason: StashReason): SiteEvent =>
    ({ type: 'SiteCertificateStashed', data: { siteId: S, certificate, reason, stashedAt: NOW } }),
  unstashed: (certificate: CertificateRef): SiteEvent => ({ type: 'SiteCertificateUnstashed', data: { siteId: S, certificate, unstashedAt: NOW } }),
  discarded: (certificate: CertificateRef): SiteEvent =>
    ({ type: 'SiteStashedCertificateDiscarded', data: { siteId: S, certificate, reason: 'expired', discardedAt: NOW } }),
  issue: (attemptId = 'att-1'): SiteEvent => ({ type: 'SiteAcmeIssueStarted', data: { siteId: S, attemptId, hostNames: HOSTS, startedAt: NOW } }),
  noTls: (reason: 'wished' | 'acmeIssueFailed' = 'wished', attemptId: string | null = null, message: string | null = null): SiteEvent =>
    ({ type: 'SiteServedWithoutTls', data: { siteId: S, reason, attemptId, message, servedAt: NOW } }),
  undeployed: (): SiteEvent => ({ type: 'SiteUndeployed', data: { siteId: S, undeployedAt: NOW } }),
};

// "What it has now", as event histories.
const HAS_ACME = (c: CertificateRef = C30): SiteEvent[] => [ev.deployed(ACME), ev.acme(c)];
const HAS_NO_TLS: SiteEvent[] = [ev.deployed(NONE), ev.noTls()];
const HAS_OWN: SiteEvent[] = [ev.deployed(OWN), ev.own()];
/** Has nothing now, with the given certificates in its stash (undeployed with an ACME one, then more stashed). */
const undeployedWithStash = (...stash: CertificateRef[]): SiteEvent[] => [ev.deployed(ACME), ...stash.map((c) => ev.stashed(c, 'undeployed')), ev.undeployed()];

const input = (over: Partial<Exclude<PlanInput, { operation: 'undeploy' }>>): PlanInput =>
  ({ operation: 'deploy', wish: ACME, given: null, current: { kind: 'nothing' }, stash: [], now: NOW, ...over });
const ACME_NOW = (c: CertificateRef): CurrentTls => ({ kind: 'acme', ...c });
const NOT_ACME: [string, CurrentTls][] = [['nothing', { kind: 'nothing' }], ['no TLS', { kind: 'none' }], ['its own certificate', { kind: 'own', certificateId: 'own-1' }]];
const OPS: DeployType[] = ['DeploySite', 'RedeploySite', 'RestoreSite'];

describe('site rules: the table of issue 8, row by row', () => {
  it('row 1: deploy/redeploy/restore, wants no TLS, has an ACME certificate → stash that certificate', () => {
    expect(planDeployment(input({ wish: NONE, current: ACME_NOW(C30) }))).toEqual({ rule: 'noTlsWanted_hasAcme_stashIt', steps: [
      { step: 'stashCurrent', certificate: C30, reason: 'tlsNotWanted' }, { step: 'serveWithoutTls' }] });
    for (const op of OPS) {
      spec.given(HAS_ACME()).when(deploy(op, NONE)).then([
        ev.deployed(NONE, op === 'DeploySite' ? 'deploy' : op === 'RedeploySite' ? 'redeploy' : 'restore'),
        ev.stashed(C30, 'tlsNotWanted'), ev.noTls()]);
    }
  });

  it('row 2: wants ACME, none given, has nothing / no TLS / its own → unstash an unexpired stashed certificate', () => {
    for (const [, current] of NOT_ACME) {
      expect(planDeployment(input({ current, stash: [C30] }))).toEqual({ rule: 'acmeWanted_noUsableGiven_noAcme_unstashOrObtain', steps: [{ step: 'unstash', certificate: C30 }] });
    }
    spec.given(undeployedWithStash(C30)).when(deploy('RedeploySite', ACME)).then([ev.deployed(ACME, 'redeploy'), ev.unstashed(C30)]);
    spec.given([...HAS_NO_TLS, ev.stashed(C60, 'undeployed')]).when(deploy('DeploySite', ACME)).then([ev.deployed(ACME), ev.unstashed(C60)]);
  });

  it('row 2: wants ACME, an expired one given, nothing stashed → obtain one synchronously', () => {
    expect(planDeployment(input({ given: EXPIRED, current: { kind: 'own', certificateId: 'own-1' } }))).toEqual({ rule: 'acmeWanted_noUsableGiven_noAcme_unstashOrObtain', steps: [
      { step: 'ignoreGiven', certificate: EXPIRED, reason: 'expired' }, { step: 'obtainNow' }] });
    spec.given(HAS_OWN).when(deploy('RedeploySite', ACME, EXPIRED)).then([ev.deployed(ACME, 'redeploy'), ev.issue()]);
    expect(pendingIssue(fold([...HAS_OWN, ev.deployed(ACME), ev.issue()]))).toEqual({ attemptId: 'att-1', hostNames: HOSTS });
  });

  it('row 2: the synchronous order succeeds → the issued certificate is served and enrolled', () => {
    const started = [ev.deployed(ACME), ev.issue()];
    spec.given(started).when({ type: 'RecordSiteCertificateIssued', attemptId: 'att-1', certificate: C60, now: NOW }).then([ev.acme(C60, 'issued', 'att-1')]);
    expect(renewableCertificateIds(fold([...started, ev.acme(C60, 'issued', 'att-1')]))).toEqual(['acme-60']);
  });

  it('row 2: the synchronous order fails → deploy without TLS and say so', () => {
    spec.given([ev.deployed(ACME), ev.issue()]).when({ type: 'RecordSiteCertificateIssueFailed', attemptId: 'att-1', message: 'rateLimited: too many certificates', now: NOW })
      .then([ev.noTls('acmeIssueFailed', 'att-1', 'rateLimited: too many certificates')]);
    const failed = fold([ev.deployed(ACME), ev.issue(), ev.noTls('acmeIssueFailed', 'att-1', 'x')]);
    expect(failed).toMatchObject({ current: { kind: 'none' }, pendingIssue: null });
    // The next deploy tries again (the site has no TLS now, so row 2 applies again).
    spec.given([ev.deployed(ACME), ev.issue(), ev.noTls('acmeIssueFailed', 'att-1', 'x')]).when(deploy('RedeploySite', ACME, null, { attemptId: 'att-2' })).then([ev.issue('att-2')]);
  });

  it('row 3: wants ACME, none or an expired one given, has an ACME certificate → keep it', () => {
    for (const given of [null, EXPIRED]) {
      expect(planDeployment(input({ given, current: ACME_NOW(C30), stash: [C60] })).rule).toBe('acmeWanted_noUsableGiven_hasAcme_keepIt');
      for (const op of OPS) spec.given([...HAS_ACME(), ev.stashed(C60, 'undeployed')]).when(deploy(op, ACME, given)).then([]);
    }
  });

  it('row 4: wants ACME, an unexpired one given, has nothing / no TLS / its own → the given one when it expires later (imported, enrolled)', () => {
    for (const [, current] of NOT_ACME) {
      expect(planDeployment(input({ given: C60, current, stash: [C30] }))).toEqual({ rule: 'acmeWanted_unexpiredGiven_noAcme_laterOfGivenAndStash', steps: [{ step: 'useGiven', certificate: C60 }] });
    }
    spec.given(HAS_OWN).when(deploy('DeploySite', ACME, C60)).then([ev.deployed(ACME), ev.acme(C60, 'given')]);
    // Restore on a fresh installation: the transferred certificate is served and enrolled, no order.
    spec.given([]).when(deploy('RestoreSite', ACME, C60)).then([ev.deployed(ACME, 'restore'), ev.acme(C60, 'given')]);
  });

  it('row 4: … or the stashed one when it expires later', () => {
    expect(planDeployment(input({ given: C30, current: { kind: 'none' }, stash: [C60] }))).toEqual({ rule: 'acmeWanted_unexpiredGiven_noAcme_laterOfGivenAndStash', steps: [
      { step: 'ignoreGiven', certificate: C30, reason: 'expiresNoLater' }, { step: 'unstash', certificate: C60 }] });
    spec.given(undeployedWithStash(C60)).when(deploy('RedeploySite', ACME, C30)).then([ev.deployed(ACME, 'redeploy'), ev.unstashed(C60)]);
  });

  it('row 5: wants ACME, an unexpired one given, has an ACME certificate → whichever of the two expires later', () => {
    expect(planDeployment(input({ given: C60, current: ACME_NOW(C30) }))).toEqual({ rule: 'acmeWanted_unexpiredGiven_hasAcme_laterOfTwo', steps: [
      { step: 'stashCurrent', certificate: C30, reason: 'laterCertificateUsed' }, { step: 'useGiven', certificate: C60 }] });
    spec.given(HAS_ACME(C30)).when(deploy('RestoreSite', ACME, C60)).then([ev.stashed(C30, 'laterCertificateUsed'), ev.acme(C60, 'given')]);
    expect(planDeployment(input({ given: C30, current: ACME_NOW(C60) })).steps).toEqual([{ step: 'ignoreGiven', certificate: C30, reason: 'expiresNoLater' }, { step: 'keepCurrent' }]);
    spec.given(HAS_ACME(C60)).when(deploy('RedeploySite', ACME, C30)).then([]);
  });

  it('row 6: deploy/redeploy, wants its own certificate, has an ACME certificate → stash the ACME certificate', () => {
    expect(planDeployment(input({ wish: OWN, current: ACME_NOW(C30) }))).toEqual({ rule: 'ownWanted_hasAcme_stashIt', steps: [
      { step: 'stashCurrent', certificate: C30, reason: 'ownCertificateWanted' }, { step: 'useOwn', certificateId: 'own-1' }] });
    spec.given(HAS_ACME()).when(deploy('DeploySite', OWN)).then([ev.deployed(OWN), ev.stashed(C30, 'ownCertificateWanted'), ev.own()]);
    spec.given(HAS_ACME()).when(deploy('RedeploySite', OWN)).then([ev.deployed(OWN, 'redeploy'), ev.stashed(C30, 'ownCertificateWanted'), ev.own()]);
  });

  it('row 7: undeploy, has an ACME certificate → stash it', () => {
    expect(planDeployment({ operation: 'undeploy', current: ACME_NOW(C30), stash: [], now: NOW }).rule).toBe('undeploy_hasAcme_stashIt');
    spec.given(HAS_ACME()).when({ type: 'UndeploySite', now: NOW }).then([ev.stashed(C30, 'undeployed'), ev.undeployed()]);
    const after = fold([...HAS_ACME(), ev.stashed(C30, 'undeployed'), ev.undeployed()]);
    expect(after).toMatchObject({ status: 'undeployed', current: { kind: 'nothing' }, stash: [C30] });
    spec.given(HAS_OWN).when({ type: 'UndeploySite', now: NOW }).then([ev.undeployed()]);
    spec.given([...HAS_ACME(), ev.stashed(C30, 'undeployed'), ev.undeployed()]).when({ type: 'UndeploySite', now: NOW }).then([]);
    spec.given([]).when({ type: 'UndeploySite', now: NOW }).thenThrows(NotFoundError);
  });

  it('row 8: backup, has an ACME certificate → the export names it; the site record keeps ids only', () => {
    expect(planBackup(ACME_NOW(C30))).toEqual({ rule: 'backup_exportServedCertificate', exportCertificateId: 'acme-30' });
    expect(planBackup({ kind: 'none' }).exportCertificateId).toBeNull();
    spec.given(HAS_ACME()).when({ type: 'BackUpSite', now: NOW }).then([{ type: 'SiteBackedUp', data: { siteId: S, exportedCertificateId: 'acme-30', backedUpAt: NOW } }]);
    const [backedUp] = siteDecider.decide({ type: 'BackUpSite', now: NOW }, fold(HAS_ACME()));
    expect(JSON.stringify(backedUp)).not.toMatch(/PRIVATE KEY|pem/i);
  });

  it('row 9: unstash, a stashed certificate that has expired → delete it silently instead', () => {
    expect(unstashOrDiscard(EXPIRED, NOW)).toEqual({ step: 'discardExpiredStashed', certificate: EXPIRED });
    const history = [...undeployedWithStash(EXPIRED), ev.deployed(ACME), ev.noTls('acmeIssueFailed', 'att-0', 'x')];
    spec.given(history).when({ type: 'UnstashSiteCertificate', certificateId: 'acme-old', now: NOW }).then([ev.discarded(EXPIRED)]);
    // During a deploy: expired stashed ones go, the unexpired best one comes back.
    spec.given(undeployedWithStash(EXPIRED, C30)).when(deploy('RedeploySite', ACME)).then([ev.deployed(ACME, 'redeploy'), ev.discarded(EXPIRED), ev.unstashed(C30)]);
    // Only expired ones: discarded, then a certificate is obtained.
    spec.given(undeployedWithStash(EXPIRED)).when(deploy('RedeploySite', ACME)).then([ev.deployed(ACME, 'redeploy'), ev.discarded(EXPIRED), ev.issue()]);
  });

  it('row 10: renewal run renews what is active; stashed certificates are not renewed (but are listed)', () => {
    const state = fold([...HAS_ACME(C60), ev.stashed(C30, 'undeployed')]);
    expect(renewableCertificateIds(state)).toEqual(['acme-60']);
    const undeployed = fold([...HAS_ACME(C60), ev.stashed(C60, 'undeployed'), ev.undeployed()]);
    expect(renewableCertificateIds(undeployed)).toEqual([]);
    expect(listedCertificates(state)).toEqual([{ certificateId: 'acme-60', role: 'current' }, { certificateId: 'acme-30', role: 'stashed' }]);
    expect(renewableCertificateIds(fold(HAS_OWN))).toEqual([]);
  });
});

describe('site rules: expiry boundaries and ties', () => {
  it('unexpired means notAfter > now: at notAfter == now it is expired, 1 ms before it is not', () => {
    expect(isUnexpired(cert('c', at(1)), NOW)).toBe(true);
    expect(isUnexpired(cert('c', NOW), NOW)).toBe(false);
    expect(isUnexpired(cert('c', at(-1)), NOW)).toBe(false);
  });

  it('a given certificate at the boundary: used 1 ms before notAfter, ignored at and after it', () => {
    expect(planDeployment(input({ given: cert('g', at(1)) })).steps).toEqual([{ step: 'useGiven', certificate: cert('g', at(1)) }]);
    for (const notAfter of [NOW, at(-1)]) {
      expect(planDeployment(input({ given: cert('g', notAfter) })).steps).toEqual([{ step: 'ignoreGiven', certificate: cert('g', notAfter), reason: 'expired' }, { step: 'obtainNow' }]);
    }
  });

  it('a stashed certificate at the boundary: unstashed 1 ms before notAfter, discarded at and after it', () => {
    expect(unstashOrDiscard(cert('s', at(1)), NOW).step).toBe('unstash');
    expect(unstashOrDiscard(cert('s', NOW), NOW).step).toBe('discardExpiredStashed');
    expect(unstashOrDiscard(cert('s', at(-1)), NOW).step).toBe('discardExpiredStashed');
    spec.given(undeployedWithStash(cert('s', NOW))).when(deploy('RedeploySite', ACME)).then([ev.deployed(ACME, 'redeploy'), ev.discarded(cert('s', NOW)), ev.issue()]);
  });

  it('given vs current ACME: 1 ms later wins; a tie keeps the current one (nothing changes without need)', () => {
    const current = ACME_NOW(C30);
    expect(planDeployment(input({ given: cert('g', at(30 * DAY + 1)), current })).steps[1]).toEqual({ step: 'useGiven', certificate: cert('g', at(30 * DAY + 1)) });
    expect(planDeployment(input({ given: cert('g', C30.notAfter), current })).steps).toEqual([{ step: 'ignoreGiven', certificate: cert('g', C30.notAfter), reason: 'expiresNoLater' }, { step: 'keepCurrent' }]);
    spec.given(HAS_ACME(C30)).when(deploy('RedeploySite', ACME, cert('g', C30.notAfter))).then([]);
    expect(planDeployment(input({ given: cert('g', at(30 * DAY - 1)), current })).steps.at(-1)).toEqual({ step: 'keepCurrent' });
  });

  it('given vs stash: 1 ms later wins; a tie unstashes (it is ours already); stash ties go to the first stashed', () => {
    expect(planDeployment(input({ given: cert('g', at(30 * DAY + 1)), stash: [C30] })).steps).toEqual([{ step: 'useGiven', certificate: cert('g', at(30 * DAY + 1)) }]);
    expect(planDeployment(input({ given: cert('g', C30.notAfter), stash: [C30] })).steps.at(-1)).toEqual({ step: 'unstash', certificate: C30 });
    const twin = cert('acme-30-twin', C30.notAfter);
    expect(planDeployment(input({ stash: [C30, twin] })).steps).toEqual([{ step: 'unstash', certificate: C30 }]);
    expect(planDeployment(input({ stash: [twin, C30] })).steps).toEqual([{ step: 'unstash', certificate: twin }]);
  });

  it('a given certificate that is in the stash already is unstashed, not added twice', () => {
    expect(planDeployment(input({ given: C60, stash: [C30, C60] })).steps).toEqual([{ step: 'unstash', certificate: C60 }]);
    expect(planDeployment(input({ given: C60, current: ACME_NOW(C30), stash: [C60] })).steps).toEqual([
      { step: 'stashCurrent', certificate: C30, reason: 'laterCertificateUsed' }, { step: 'unstash', certificate: C60 }]);
  });
});

describe('site decider: idempotency and the rest', () => {
  it('deploying the same thing twice appends nothing the second time', () => {
    const cases: [SiteCommand, SiteEvent[]][] = [
      [deploy('DeploySite', ACME, C60), [ev.deployed(ACME), ev.acme(C60)]],
      [deploy('DeploySite', NONE), [ev.deployed(NONE), ev.noTls()]],
      [deploy('DeploySite', OWN), [ev.deployed(OWN), ev.own()]],
      [deploy('RestoreSite', ACME, C60), [ev.deployed(ACME, 'restore'), ev.acme(C60)]],
    ];
    for (const [command, first] of cases) {
      spec.given([]).when(command).then(first);
      spec.given(first).when(command).then([]);
    }
    // After a successful synchronous order, too; and the same outcome recorded twice.
    const issued = [ev.deployed(ACME), ev.issue(), ev.acme(C60, 'issued', 'att-1')];
    spec.given(issued).when(deploy('DeploySite', ACME, null, { attemptId: 'att-2' })).then([]);
    spec.given(issued).when({ type: 'RecordSiteCertificateIssued', attemptId: 'att-1', certificate: C60, now: NOW }).then([]);
    // The same deploy retried while its order runs starts no second order.
    spec.given([ev.deployed(ACME), ev.issue()]).when(deploy('DeploySite', ACME)).then([]);
  });

  it('names are normalized; new names or a new wish are recorded; no names is refused; redeploy needs a site', () => {
    spec.given(HAS_ACME()).when(deploy('RedeploySite', ACME, null, { hostNames: ['WWW.a.example', 'a.example', 'a.example '] })).then([]);
    spec.given(HAS_ACME()).when(deploy('RedeploySite', ACME, null, { hostNames: ['b.example'] }))
      .then([{ type: 'SiteDeployed', data: { siteId: S, operation: 'redeploy', hostNames: ['b.example'], wish: ACME, deployedAt: NOW } }]);
    spec.given([]).when(deploy('DeploySite', ACME, null, { hostNames: [' '] })).thenThrows(ValidationError);
    spec.given([]).when(deploy('DeploySite', { kind: 'own', certificateId: '' })).thenThrows(ValidationError);
    spec.given([]).when(deploy('RedeploySite', ACME)).thenThrows(NotFoundError);
    spec.given(HAS_OWN).when(deploy('RedeploySite', { kind: 'own', certificateId: 'own-2' }))
      .then([{ type: 'SiteDeployed', data: { siteId: S, operation: 'redeploy', hostNames: HOSTS, wish: { kind: 'own', certificateId: 'own-2' }, deployedAt: NOW } }, ev.own('own-2')]);
  });

  it('a superseded order: its failure changes nothing, its certificate is stashed rather than wasted', () => {
    const superseded = [ev.deployed(ACME), ev.issue('att-1'), ev.deployed(NONE), ev.noTls()];
    spec.given(superseded).when({ type: 'RecordSiteCertificateIssueFailed', attemptId: 'att-1', message: 'x', now: NOW }).then([]);
    spec.given(superseded).when({ type: 'RecordSiteCertificateIssued', attemptId: 'att-1', certificate: C60, now: NOW }).then([ev.stashed(C60, 'issuedAfterSuperseded')]);
    // A dead order (its runner gone; under the site lock nothing else runs) is replaced by a new one.
    spec.given([ev.deployed(ACME), ev.issue('att-1')]).when(deploy('DeploySite', ACME, null, { attemptId: 'att-2' })).then([ev.issue('att-2')]);
  });

  it('unstash (internal): brings one back, stashing the current ACME one; refused when ACME is not wanted', () => {
    const history = [...HAS_ACME(C30), ev.stashed(C60, 'undeployed')];
    spec.given(history).when({ type: 'UnstashSiteCertificate', certificateId: 'acme-60', now: NOW }).then([ev.stashed(C30, 'replacedByUnstashed'), ev.unstashed(C60)]);
    spec.given(history).when({ type: 'UnstashSiteCertificate', certificateId: 'unknown', now: NOW }).then([]);
    spec.given(undeployedWithStash(C30)).when({ type: 'UnstashSiteCertificate', certificateId: 'acme-30', now: NOW }).thenThrows(IllegalStateError);
  });

  it('follows a renewal: the served or stashed certificate it replaces gives way to the renewed one; nothing else changes', () => {
    const renewed = (replacesCertificateId: string, certificate: CertificateRef): SiteCommand =>
      ({ type: 'RecordSiteCertificateRenewed', replacesCertificateId, certificate, now: NOW });
    const event = (previous: CertificateRef, certificate: CertificateRef, role: 'current' | 'stashed'): SiteEvent =>
      ({ type: 'SiteCertificateRenewed', data: { siteId: S, previous, certificate, role, renewedAt: NOW } });
    spec.given(HAS_ACME(C30)).when(renewed('acme-30', C60)).then([event(C30, C60, 'current')]);
    const after = fold([...HAS_ACME(C30), event(C30, C60, 'current')]);
    expect(renewableCertificateIds(after)).toEqual(['acme-60']);
    spec.given([...HAS_ACME(C30), event(C30, C60, 'current')]).when(renewed('acme-30', C60)).then([]);
    // Stashed (renewed by hand): the stash keeps the newer one.
    spec.given(undeployedWithStash(C30)).when(renewed('acme-30', C60)).then([event(C30, C60, 'stashed')]);
    expect(listedCertificates(fold([...undeployedWithStash(C30), event(C30, C60, 'stashed')]))).toEqual([{ certificateId: 'acme-60', role: 'stashed' }]);
    // Gone from the site, or not later: ignored.
    spec.given(HAS_OWN).when(renewed('acme-30', C60)).then([]);
    spec.given(HAS_ACME(C60)).when(renewed('acme-60', C30)).then([]);
    spec.given([]).when(renewed('acme-30', C60)).thenThrows(NotFoundError);
  });

  it('events carry ids and plain JSON only; the stream is site-{id}', () => {
    expect(siteStreams.site('s1')).toBe('site-s1');
    const events = siteDecider.decide(deploy('RestoreSite', ACME, C60), fold([]));
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
  });
});
