import type { RecordedEvent } from '../../infra/eventstore/port.js';

/** What one event touched, straight from its data, and what it teaches about ids later events carry alone. */
export type Touches = {
  names: string[];
  orders: string[];
  /** Subjects whose names (and order) the event touched: `certificate:<id>`, `order:<id>`… */
  subjects: string[];
  learn: Learnt[];
};

export type Learnt = { subject: string; names?: string[]; orderId?: string };

/** Streams whose earlier events also get the refs a subject learns later (a certificate's import gets its order). */
export const subjectStreams: Record<string, string> = {
  certificate: 'certificate-',
  privateKey: 'privateKey-',
  renewal: 'renewalConfiguration-',
};

/** Every event type the audit indexes: all of them (test/audit/touches.unit.spec.ts checks against src/domain). */
export const AUDIT_EVENT_TYPES: readonly string[] = [
  'AcmeAccountChecked', 'AcmeAccountContactUpdated', 'AcmeAccountCreated', 'AcmeAccountDeactivated', 'AcmeAccountKeyClaimed',
  'AcmeAccountKeyRolledOver', 'AcmeAccountOperationFailed', 'AcmeAccountOrderDefaultsChanged', 'AcmeAccountRegistered',
  'AcmeAuthorizationDeactivated', 'AcmeAuthorizationSynced', 'AcmeCertificateDownloaded', 'AcmeCertificateRevoked',
  'AcmeChallengePolled', 'AcmeChallengePrepared', 'AcmeChallengeSynced', 'AcmeChallengeTriggered', 'AcmeDnsRecordRemoved',
  'AcmeDnsRecordSet', 'AcmeExchangeRecorded', 'AcmeOrderCreated', 'AcmeOrderFinalized', 'AcmeOrderMarkedInvalid',
  'AcmeOrderRateLimited', 'AcmeOrderRetried', 'AcmeOrderStepFailed', 'AcmeOrderSubmitted', 'AcmeOrderSynced',
  'AcmeRevocationFailed', 'AcmeServerDefaultChanged', 'AcmeServerDirectoryFetchFailed', 'AcmeServerDirectoryFetched',
  'AcmeServerRegistered', 'AriRenewalInfoFetchFailed', 'AriRenewalInfoFetched', 'AutocertAttemptFailed',
  'AutocertAttemptStarted', 'AutocertAttemptSucceeded', 'CaCertificateImported', 'CaCertificateIssuerReconciled',
  'CaChainImported', 'CertificateActivated', 'CertificateExpiryAlertRaised', 'CertificateChainLinked', 'CertificateDeactivated', 'CertificateImported',
  'CertificateRevocationMarked', 'ChainPreferencePolicySet', 'DomainActivated', 'DomainDeactivated',
  'DomainQueueBatchClaimed', 'DomainQueueBatchFailed', 'DomainQueueBatchOrdered', 'DomainQueued', 'KeyCycleKeyAssigned',
  'NginxCacheExpired', 'PrivateKeyCompromiseMarked', 'PrivateKeyImported', 'PrivateKeyShredded', 'RenewalAttemptFailed', 'RenewalAttemptStarted',
  'RedisPrimeWritten', 'RenewalAttemptSucceeded', 'RenewalConfigurationActivated', 'RenewalConfigurationCertificateAdopted', 'RenewalConfigurationCreated',
  'RenewalConfigurationDeactivated', 'RenewalConfigurationReplaced', 'RenewalQueued', 'SiteAcmeCertificateAssigned',
  'SiteAcmeIssueStarted', 'SiteBackedUp', 'SiteCertificateRenewed', 'SiteCertificateStashed', 'SiteCertificateUnstashed', 'SiteDeployed',
  'SiteOwnCertificateAssigned', 'SiteServedWithoutTls', 'SiteStashedCertificateDiscarded', 'SiteUndeployed', 'SystemPolicySet',
];

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const name = (value: string) => value.toLowerCase();
const streamId = (streamName: string, category: string) =>
  streamName.startsWith(`${category}-`) ? streamName.slice(category.length + 1) : undefined;

/**
 * By field convention rather than one case per type, so a new event that carries `domainNames` or
 * an `orderId` is indexed without a change here. Only the learning rules name types.
 */
export function touchesOf(event: RecordedEvent): Touches {
  const d = event.data;
  const names = new Set<string>();
  const orders = new Set<string>();
  const subjects = new Set<string>();
  const learn: Learnt[] = [];

  const domainName = str(d.domainName);
  if (domainName) names.add(name(domainName));
  for (const n of strings(d.domainNames)) names.add(name(n));
  for (const n of strings(d.hostNames)) names.add(name(n));
  if (Array.isArray(d.identifiers)) {
    for (const identifier of d.identifiers) {
      const value = str((identifier as { value?: unknown } | null)?.value);
      if (value) names.add(name(value));
    }
  }
  // AcmeChallengePrepared: a string; AcmeAuthorizationSynced: {type, value}.
  const identifier = str(d.identifier) ?? str((d.identifier as { value?: unknown } | null | undefined)?.value);
  if (identifier && event.type.startsWith('Acme')) names.add(name(identifier));

  const orderIds = [str(d.orderId), str(d.newOrderId), streamId(event.streamName, 'acmeOrder')].filter((v): v is string => !!v);
  for (const id of orderIds) {
    orders.add(id);
    subjects.add(`order:${id}`);
  }
  const certificateId = str(d.certificateId) ?? str((d.certificate as { certificateId?: unknown } | null | undefined)?.certificateId);
  if (certificateId) subjects.add(`certificate:${certificateId}`);
  const configurationId = str(d.configurationId);
  if (configurationId) subjects.add(`renewal:${configurationId}`);
  const setId = str(d.uniqueFqdnSetId);
  if (setId) subjects.add(`fqdnSet:${setId}`);
  // Only a key's own events resolve through the key: a shared key must not pull an order's finalize into other domains.
  const privateKeyId = str(d.privateKeyId);
  if (privateKeyId && event.type.startsWith('PrivateKey')) subjects.add(`privateKey:${privateKeyId}`);

  // A site's events name its hosts only when deployed: the rest resolve through the site.
  const siteId = streamId(event.streamName, 'site');
  if (siteId) subjects.add(`site:${siteId}`);

  const own = [...names].sort();
  switch (event.type) {
    case 'CertificateImported':
      if (certificateId) learn.push({ subject: `certificate:${certificateId}`, names: own });
      if (setId) learn.push({ subject: `fqdnSet:${setId}`, names: own });
      if (privateKeyId) learn.push({ subject: `privateKey:${privateKeyId}`, names: own });
      break;
    case 'AcmeOrderCreated':
      if (orderIds[0]) learn.push({ subject: `order:${orderIds[0]}`, names: own });
      if (setId) learn.push({ subject: `fqdnSet:${setId}`, names: own });
      break;
    case 'AcmeCertificateDownloaded':
    case 'AutocertAttemptSucceeded':
    case 'RenewalAttemptSucceeded':
      if (certificateId && str(d.orderId)) learn.push({ subject: `certificate:${certificateId}`, orderId: str(d.orderId) });
      break;
    case 'SiteDeployed':
      if (siteId) learn.push({ subject: `site:${siteId}`, names: own });
      break;
    case 'RenewalConfigurationCreated':
      if (configurationId) learn.push({ subject: `renewal:${configurationId}`, names: own });
      break;
  }
  return { names: own, orders: [...orders], subjects: [...subjects], learn };
}
