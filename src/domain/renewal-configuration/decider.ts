import { issuerChoiceProblems, type IssuerChoice } from '../system-policy/policy.js';
import type { Decider } from '../shared/decider.js';
import { IllegalStateError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { AriChoice, CreateRenewalConfiguration, RenewalConfigurationCommand, StartRenewalAttempt } from './commands.js';
import { backoffMs, isDue, PRIMARY_FAILURES_BEFORE_BACKUP } from './due.js';
import type { CertificateFacts, RenewalConfigurationEvent, RenewalIdentifier } from './events.js';
import { isoToMs } from './time.js';

export type KnownRenewalConfiguration = {
  status: 'known';
  configurationId: string;
  identifiers: RenewalIdentifier[];
  uniqueFqdnSetId: string;
  primary: IssuerChoice;
  backup: IssuerChoice | null;
  isAutoRenew: boolean;
  isActive: boolean;
  replacesConfigurationId: string | null;
  replacedByConfigurationId: string | null;
  certificate: CertificateFacts | null;
  attempt: { attemptId: string; startedAt: string; useBackup: boolean } | null;
  consecutiveFailures: number;
  primaryFailures: number;
  nextAttemptAt: string | null;
  queueItemId: string | null;
};

export type RenewalConfigurationState = { status: 'absent' } | KnownRenewalConfiguration;

const known = (state: RenewalConfigurationState): KnownRenewalConfiguration => {
  if (state.status === 'absent') throw new NotFoundError('Renewal configuration not found');
  return state;
};

function validateCreate(command: CreateRenewalConfiguration): void {
  const problems: Record<string, string> = {
    ...issuerChoiceProblems(command.primary, '', command.unusableAccounts),
    ...(command.backup ? issuerChoiceProblems(command.backup, 'backup_', command.unusableAccounts) : {}),
  };
  if (command.identifiers.length === 0) problems.domain_names = 'names no domain';
  // RFC 8555 §8.4: a wildcard can only be proven over DNS.
  command.identifiers.forEach((i, index) => {
    if (i.value.startsWith('*.') && i.challengeType !== 'dns-01') problems[`identifiers.${index}`] = 'a wildcard needs dns-01';
  });
  if (command.backup && command.backup.accountId === command.primary.accountId) problems.backup_acme_account_id = 'must differ from the primary account';
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
}

const ariMs = (ari: AriChoice, certificate: CertificateFacts | null): number | null =>
  ari && certificate && ari.certificateId === certificate.certificateId ? isoToMs(ari.chosenRenewalTime) : null;

/** Whether the configuration is due now, by its certificate's lifetime or ARI choice, and past any backoff. */
export function dueNow(state: KnownRenewalConfiguration, now: string, ari: AriChoice): boolean {
  const facts = state.certificate
    ? { notBeforeMs: isoToMs(state.certificate.notBefore), notAfterMs: isoToMs(state.certificate.notAfter), ariChosenRenewalTimeMs: ariMs(ari, state.certificate) }
    : null;
  return isDue(facts, isoToMs(now), state.nextAttemptAt ? isoToMs(state.nextAttemptAt) : null);
}

/** Why an attempt may not start now (null: it may). The run treats any reason as "not mine". */
export function claimRefusal(state: RenewalConfigurationState, command: Pick<StartRenewalAttempt, 'trigger' | 'ari' | 'staleBefore' | 'now'>): string | null {
  if (state.status === 'absent') return 'the renewal configuration does not exist';
  if (!state.isActive) return 'the renewal configuration is not active';
  if (state.attempt && isoToMs(state.attempt.startedAt) >= isoToMs(command.staleBefore)) return 'an attempt is already running';
  if (command.trigger === 'manual') return null;
  // A queued item was due when queued; processing it renews whatever the clock says now.
  if (command.trigger === 'queue') return state.queueItemId ? null : 'not queued';
  if (!state.isAutoRenew) return 'the renewal configuration does not renew automatically';
  if (!dueNow(state, command.now, command.ari)) return 'not due';
  return null;
}

/** The backup takes over after repeated primary failures, until a success resets the count. */
export const usesBackup = (state: KnownRenewalConfiguration): boolean =>
  state.backup !== null && state.primaryFailures >= PRIMARY_FAILURES_BEFORE_BACKUP;

const addMs = (iso: string, ms: number, toIso: (ms: number) => string): string => toIso(isoToMs(iso) + ms);

function finish(state: RenewalConfigurationState, command: Extract<RenewalConfigurationCommand, { type: 'RecordRenewalSuccess' | 'RecordRenewalFailure' }>, toIso: (ms: number) => string): RenewalConfigurationEvent[] {
  const s = known(state);
  // A late report of an attempt that was taken over (or already recorded) changes nothing.
  if (!s.attempt || s.attempt.attemptId !== command.attemptId) return [];
  const useBackup = s.attempt.useBackup;
  if (command.type === 'RecordRenewalSuccess') {
    return [{ type: 'RenewalAttemptSucceeded', data: {
      configurationId: s.configurationId, attemptId: command.attemptId, orderId: command.orderId, certificate: command.certificate,
      replacesCertificateId: s.certificate && s.certificate.certificateId !== command.certificate.certificateId ? s.certificate.certificateId : null,
      useBackup, succeededAt: command.now,
    } }];
  }
  const consecutiveFailures = s.consecutiveFailures + 1;
  return [{ type: 'RenewalAttemptFailed', data: {
    configurationId: s.configurationId, attemptId: command.attemptId, orderId: command.orderId, useBackup, message: command.message,
    consecutiveFailures, primaryFailures: s.primaryFailures + (useBackup ? 0 : 1),
    nextAttemptAt: addMs(command.now, backoffMs(consecutiveFailures), toIso), failedAt: command.now,
  } }];
}

/** `toIso` renders epoch ms (the shell passes `ms => new Date(ms).toISOString()`). */
export function renewalConfigurationDecider(toIso: (ms: number) => string): Decider<RenewalConfigurationCommand, RenewalConfigurationState, RenewalConfigurationEvent> {
  return {
    initialState: () => ({ status: 'absent' }),
    evolve: evolveRenewalConfiguration,
    decide: (command, state) => {
      switch (command.type) {
        case 'CreateRenewalConfiguration': {
          if (state.status !== 'absent') return [];
          validateCreate(command);
          const { type: _t, unusableAccounts: _u, now, ...data } = command;
          return [{ type: 'RenewalConfigurationCreated', data: { ...data, createdAt: now } }];
        }
        case 'ReplaceRenewalConfiguration': {
          const s = known(state);
          if (s.replacedByConfigurationId === command.replacedByConfigurationId) return [];
          if (s.replacedByConfigurationId) throw new IllegalStateError(`Renewal configuration ${s.configurationId} was already edited into ${s.replacedByConfigurationId}`);
          return [{ type: 'RenewalConfigurationReplaced', data: { configurationId: s.configurationId, replacedByConfigurationId: command.replacedByConfigurationId, replacedAt: command.now } }];
        }
        case 'ActivateRenewalConfiguration': {
          const s = known(state);
          if (s.isActive) return [];
          if (s.replacedByConfigurationId) throw new IllegalStateError(`Renewal configuration ${s.configurationId} was edited into ${s.replacedByConfigurationId}; activate that one`);
          return [{ type: 'RenewalConfigurationActivated', data: { configurationId: s.configurationId, activatedAt: command.now } }];
        }
        case 'DeactivateRenewalConfiguration': {
          const s = known(state);
          return s.isActive ? [{ type: 'RenewalConfigurationDeactivated', data: { configurationId: s.configurationId, deactivatedAt: command.now } }] : [];
        }
        case 'StartRenewalAttempt': {
          if (claimRefusal(state, command) !== null) return [];
          const s = known(state);
          const useBackup = usesBackup(s);
          return [{ type: 'RenewalAttemptStarted', data: {
            configurationId: s.configurationId, attemptId: command.attemptId, trigger: command.trigger, useBackup,
            issuer: useBackup ? s.backup! : s.primary, startedAt: command.now,
          } }];
        }
        case 'RecordRenewalSuccess':
        case 'RecordRenewalFailure':
          return finish(state, command, toIso);
        case 'AdoptRenewalCertificate': {
          const s = known(state);
          const current = s.certificate;
          if (s.attempt || current?.certificateId === command.certificate.certificateId) return [];
          // Never step back to a certificate that ends sooner than the one already tracked.
          if (current && isoToMs(command.certificate.notAfter) <= isoToMs(current.notAfter)) return [];
          return [{ type: 'RenewalConfigurationCertificateAdopted', data: {
            configurationId: s.configurationId, certificate: command.certificate, replacesCertificateId: current?.certificateId ?? null, adoptedAt: command.now,
          } }];
        }
        case 'QueueRenewal': {
          const s = known(state);
          if (s.queueItemId || !s.isActive || s.attempt || !dueNow(s, command.now, command.ari)) return [];
          return [{ type: 'RenewalQueued', data: { configurationId: s.configurationId, queueItemId: command.queueItemId, queuedAt: command.now } }];
        }
        default: {
          const _exhaustive: never = command;
          return [];
        }
      }
    },
  };
}

export function evolveRenewalConfiguration(state: RenewalConfigurationState, event: RenewalConfigurationEvent): RenewalConfigurationState {
  if (event.type === 'RenewalConfigurationCreated') {
    const d = event.data;
    return {
      status: 'known', configurationId: d.configurationId, identifiers: d.identifiers, uniqueFqdnSetId: d.uniqueFqdnSetId, primary: d.primary,
      backup: d.backup, isAutoRenew: d.isAutoRenew, isActive: true, replacesConfigurationId: d.replacesConfigurationId, replacedByConfigurationId: null,
      certificate: d.certificate, attempt: null, consecutiveFailures: 0, primaryFailures: 0, nextAttemptAt: null, queueItemId: null,
    };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'RenewalConfigurationReplaced':
      return { ...state, isActive: false, replacedByConfigurationId: event.data.replacedByConfigurationId, queueItemId: null };
    case 'RenewalConfigurationActivated':
      return { ...state, isActive: true };
    case 'RenewalConfigurationDeactivated':
      // Deactivation cancels a queued renewal: nothing would ever process it.
      return { ...state, isActive: false, queueItemId: null };
    case 'RenewalAttemptStarted':
      return { ...state, attempt: { attemptId: event.data.attemptId, startedAt: event.data.startedAt, useBackup: event.data.useBackup } };
    case 'RenewalAttemptSucceeded':
      return { ...state, attempt: null, certificate: event.data.certificate, consecutiveFailures: 0, primaryFailures: 0, nextAttemptAt: null, queueItemId: null };
    case 'RenewalAttemptFailed':
      return {
        ...state, attempt: null, consecutiveFailures: event.data.consecutiveFailures, primaryFailures: event.data.primaryFailures,
        nextAttemptAt: event.data.nextAttemptAt, queueItemId: null,
      };
    case 'RenewalConfigurationCertificateAdopted':
      // A fresh certificate ends any backoff and a queued renewal: the next attempt is due by its lifetime.
      return { ...state, certificate: event.data.certificate, consecutiveFailures: 0, primaryFailures: 0, nextAttemptAt: null, queueItemId: null };
    case 'RenewalQueued':
      return { ...state, queueItemId: event.data.queueItemId };
    default:
      return state;
  }
}
