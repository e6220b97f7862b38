import type { Decider } from '../shared/decider.js';
import { IllegalStateError, NotFoundError, ValidationError } from '../shared/errors.js';
import type {
  DeploySite, RecordSiteCertificateIssued, RecordSiteCertificateIssueFailed, RecordSiteCertificateRenewed, RedeploySite, RestoreSite, SiteCommand,
  UnstashSiteCertificate,
} from './commands.js';
import type { SiteEvent } from './events.js';
import { planBackup, planDeployment, unstashOrDiscard, type DeployOperation, type PlanStep } from './rules.js';
import { isoToMs } from '../renewal-configuration/time.js';
import { evolveSite, NOTHING, type KnownSite, type SiteState, type TlsWish } from './state.js';

export type { SiteState } from './state.js';

const known = (state: SiteState): KnownSite => {
  if (state.status === 'absent') throw new NotFoundError('Site not found');
  return state;
};

const OPERATION: Record<(DeploySite | RedeploySite | RestoreSite)['type'], DeployOperation> = {
  DeploySite: 'deploy', RedeploySite: 'redeploy', RestoreSite: 'restore',
};

function normalizeHostNames(hostNames: readonly string[]): string[] {
  const names = [...new Set(hostNames.map((n) => n.trim().toLowerCase()).filter((n) => n.length > 0))].sort();
  if (names.length === 0) throw new ValidationError({ host_names: 'names no host' });
  return names;
}

const sameWish = (a: TlsWish, b: TlsWish): boolean =>
  a.kind === b.kind && (a.kind !== 'own' || (b.kind === 'own' && a.certificateId === b.certificateId));

/** Plan steps to facts. keepCurrent, ignoreGiven and leaveUndeployed change nothing, so they record nothing. */
function stepEvents(siteId: string, steps: readonly PlanStep[], now: string, issue: { attemptId: string; hostNames: string[] } | null): SiteEvent[] {
  return steps.flatMap((s): SiteEvent[] => {
    switch (s.step) {
      case 'stashCurrent': return [{ type: 'SiteCertificateStashed', data: { siteId, certificate: s.certificate, reason: s.reason, stashedAt: now } }];
      case 'discardExpiredStashed': return [{ type: 'SiteStashedCertificateDiscarded', data: { siteId, certificate: s.certificate, reason: 'expired', discardedAt: now } }];
      case 'unstash': return [{ type: 'SiteCertificateUnstashed', data: { siteId, certificate: s.certificate, unstashedAt: now } }];
      case 'useGiven': return [{ type: 'SiteAcmeCertificateAssigned', data: { siteId, certificate: s.certificate, source: 'given', attemptId: null, assignedAt: now } }];
      case 'useOwn': return [{ type: 'SiteOwnCertificateAssigned', data: { siteId, certificateId: s.certificateId, assignedAt: now } }];
      case 'obtainNow': return issue ? [{ type: 'SiteAcmeIssueStarted', data: { siteId, ...issue, startedAt: now } }] : [];
      case 'serveWithoutTls': return [{ type: 'SiteServedWithoutTls', data: { siteId, reason: 'wished', attemptId: null, message: null, servedAt: now } }];
      case 'keepCurrent': case 'ignoreGiven': case 'leaveUndeployed': return [];
      default: {
        const _exhaustive: never = s;
        return [];
      }
    }
  });
}

function decideDeploy(command: DeploySite | RedeploySite | RestoreSite, state: SiteState): SiteEvent[] {
  const hostNames = normalizeHostNames(command.hostNames);
  if (command.wish.kind === 'own' && command.wish.certificateId.trim() === '') throw new ValidationError({ certificate_id: 'is required for an own certificate' });
  if (command.type === 'RedeploySite') known(state);
  const site = state.status === 'absent' ? null : state;
  const operation = OPERATION[command.type];
  const changed = !site || site.status === 'undeployed' || site.hostNames.join() !== hostNames.join() || !sameWish(site.wish, command.wish);
  const plan = planDeployment({
    operation, wish: command.wish, given: command.given, current: site?.current ?? NOTHING, stash: site?.stash ?? [], now: command.now,
  });
  // Under the site lock, an order still pending when the next deploy comes is a dead one: start
  // afresh, unless this is the same command retried. SiteDeployed supersedes it anyway.
  const issueRunning = !changed && site?.pendingIssue?.attemptId === command.issueAttemptId;
  const deployed: SiteEvent[] = changed
    ? [{ type: 'SiteDeployed', data: { siteId: command.siteId, operation, hostNames, wish: command.wish, deployedAt: command.now } }]
    : [];
  return [...deployed, ...stepEvents(command.siteId, plan.steps, command.now, issueRunning ? null : { attemptId: command.issueAttemptId, hostNames })];
}

function decideUnstash(command: UnstashSiteCertificate, state: SiteState): SiteEvent[] {
  const site = known(state);
  const stashed = site.stash.find((c) => c.certificateId === command.certificateId);
  if (!stashed) return [];
  const step = unstashOrDiscard(stashed, command.now);
  if (step.step === 'unstash' && (site.status !== 'deployed' || site.wish.kind !== 'acme')) {
    throw new IllegalStateError(`Site ${site.siteId} does not want an ACME certificate now; deploy it with one instead`);
  }
  const replaced: PlanStep[] = step.step === 'unstash' && site.current.kind === 'acme'
    ? [{ step: 'stashCurrent', certificate: { certificateId: site.current.certificateId, notAfter: site.current.notAfter }, reason: 'replacedByUnstashed' }]
    : [];
  return stepEvents(site.siteId, [...replaced, step], command.now, null);
}

function decideIssued(command: RecordSiteCertificateIssued, state: SiteState): SiteEvent[] {
  const site = known(state);
  const { siteId } = site;
  if (site.pendingIssue?.attemptId === command.attemptId) {
    return [{ type: 'SiteAcmeCertificateAssigned', data: { siteId, certificate: command.certificate, source: 'issued', attemptId: command.attemptId, assignedAt: command.now } }];
  }
  const id = command.certificate.certificateId;
  if ((site.current.kind === 'acme' && site.current.certificateId === id) || site.stash.some((c) => c.certificateId === id)) return [];
  // A superseded order still cost a rate limit: keep what it issued for a later deploy.
  return [{ type: 'SiteCertificateStashed', data: { siteId, certificate: command.certificate, reason: 'issuedAfterSuperseded', stashedAt: command.now } }];
}

function decideIssueFailed(command: RecordSiteCertificateIssueFailed, state: SiteState): SiteEvent[] {
  const site = known(state);
  if (site.pendingIssue?.attemptId !== command.attemptId) return [];
  return [{ type: 'SiteServedWithoutTls', data: { siteId: site.siteId, reason: 'acmeIssueFailed', attemptId: command.attemptId, message: command.message, servedAt: command.now } }];
}

function decideRenewed(command: RecordSiteCertificateRenewed, state: SiteState): SiteEvent[] {
  const site = known(state);
  const { certificate, replacesCertificateId } = command;
  const current = site.current.kind === 'acme' && site.current.certificateId === replacesCertificateId
    ? { certificateId: site.current.certificateId, notAfter: site.current.notAfter }
    : null;
  const previous = current ?? site.stash.find((c) => c.certificateId === replacesCertificateId) ?? null;
  if (!previous || previous.certificateId === certificate.certificateId) return [];
  if (isoToMs(certificate.notAfter) <= isoToMs(previous.notAfter)) return [];
  return [{ type: 'SiteCertificateRenewed', data: {
    siteId: site.siteId, previous, certificate, role: current ? 'current' : 'stashed', renewedAt: command.now,
  } }];
}

export const siteDecider: Decider<SiteCommand, SiteState, SiteEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve: evolveSite,
  decide: (command, state) => {
    switch (command.type) {
      case 'DeploySite':
      case 'RedeploySite':
      case 'RestoreSite':
        return decideDeploy(command, state);
      case 'UndeploySite': {
        const site = known(state);
        if (site.status === 'undeployed') return [];
        const plan = planDeployment({ operation: 'undeploy', current: site.current, stash: site.stash, now: command.now });
        return [...stepEvents(site.siteId, plan.steps, command.now, null), { type: 'SiteUndeployed', data: { siteId: site.siteId, undeployedAt: command.now } }];
      }
      case 'BackUpSite': {
        const site = known(state);
        const exportedCertificateId = site.status === 'deployed' ? planBackup(site.current).exportCertificateId : null;
        return [{ type: 'SiteBackedUp', data: { siteId: site.siteId, exportedCertificateId, backedUpAt: command.now } }];
      }
      case 'UnstashSiteCertificate':
        return decideUnstash(command, state);
      case 'RecordSiteCertificateIssued':
        return decideIssued(command, state);
      case 'RecordSiteCertificateIssueFailed':
        return decideIssueFailed(command, state);
      case 'RecordSiteCertificateRenewed':
        return decideRenewed(command, state);
      default: {
        const _exhaustive: never = command;
        return [];
      }
    }
  },
};

/** The attempt the command layer must run now ("needs an ACME certificate now"), if any. */
export const pendingIssue = (state: SiteState): { attemptId: string; hostNames: string[] } | null =>
  state.status === 'deployed' && state.pendingIssue ? { attemptId: state.pendingIssue.attemptId, hostNames: state.hostNames } : null;
