/**
 * certificate-if-needed (peter_sslers' /api/domain/certificate-if-needed.json): autocert with full
 * control — the account, key technology and key policy may be named, else the
 * `certificate-if-needed` system policy gives them. Each name is reported on its own:
 * the domain `new|existing|blocklisted` and the certificate `exists|new|fail`. A new certificate
 * gets a renewal configuration (renewal-link.ts).
 */
import type { KeyPolicy } from '../../domain/acme-order/key-cycle.js';
import type { NameRules } from '../../domain/autocert/name-rules.js';
import { ValidationError } from '../../domain/shared/errors.js';
import type { SystemPolicyValues } from '../../domain/system-policy/policy.js';
import type { AcmeOrderDeps } from '../acme-order/deps.js';
import { activateDomain } from '../domain/activate-domain.js';
import type { CommandContext } from '../handle.js';
import { catalogDomain } from './catalog-domain.js';
import { issueSynchronously } from './issue.js';
import { requestedName, verdictOf } from './names.js';
import { issuerOf, policyValues, type IssuerSelection } from './policy.js';
import { keepRenewed } from './renewal-link.js';

export type CertificateIfNeededInput = {
  domainNames: string[];
  accountId?: string;
  keyTechnology?: string;
  keyPolicy?: KeyPolicy;
  profile?: string;
};

export type DomainResult = {
  domainName: string;
  domainStatus: 'new' | 'existing' | 'blocklisted';
  /** null for a blocklisted name: nothing was tried. */
  certificateStatus: 'exists' | 'new' | 'fail' | null;
  domainId: string | null;
  certificateId: string | null;
  orderId: string | null;
  /** The configuration that keeps a new certificate renewed (renewal-link.ts). */
  renewalConfigurationId: string | null;
  /** Why a blocklisted name was refused, or why the order failed. */
  reason: string | null;
};

export async function certificateIfNeeded(
  deps: AcmeOrderDeps & { autocertNames?: NameRules },
  input: CertificateIfNeededInput,
  context: CommandContext = {},
): Promise<DomainResult[]> {
  if (input.domainNames.length === 0) throw new ValidationError({ domain_name: 'at least one domain name is required' });
  const names = [...new Set(input.domainNames.map((n) => requestedName(n)))];
  // Every name is judged before anything is read or written.
  const verdicts = new Map(names.map((n) => [n, verdictOf(n, deps.autocertNames)]));

  const { issuer, policy } = await selectIssuer(deps, input);
  const results: DomainResult[] = [];
  for (const domainName of names) {
    const verdict = verdicts.get(domainName)!;
    if (verdict !== 'allowed') {
      results.push({ domainName, domainStatus: 'blocklisted', certificateStatus: null, domainId: null, certificateId: null, orderId: null, renewalConfigurationId: null, reason: verdict });
      continue;
    }
    const known = await catalogDomain(deps.db, domainName);
    if (known && !known.isActive) {
      // Asking for a certificate for a deactivated name is asking for it to be served again.
      const marked = await activateDomain(deps, known.id, { reason: 'certificate-if-needed', actor: context.actor ?? 'certificate-if-needed' }, context);
      if (marked.position !== null) await deps.projections.waitFor(marked.position, { timeoutMs: 30_000 });
    }
    const current = known ? await catalogDomain(deps.db, domainName) : null;
    const domainStatus = known ? 'existing' : 'new';
    if (current?.hasCertificate) {
      results.push({ domainName, domainStatus, certificateStatus: 'exists', domainId: current.id, certificateId: await servedCertificate(deps, domainName), orderId: null, renewalConfigurationId: null, reason: null });
      continue;
    }
    const issued = await issueSynchronously(deps, [domainName], issuer, context);
    let renewalConfigurationId: string | null = null;
    if (issued.ok) {
      const head = await deps.store.headPosition();
      await deps.projections.waitFor(head, { timeoutMs: 30_000 });
      renewalConfigurationId = (await keepRenewed(deps, [domainName], issuer, { name: 'certificate-if-needed', values: policy }, context))?.configurationId ?? null;
    }
    const after = await catalogDomain(deps.db, domainName);
    results.push(issued.ok
      ? { domainName, domainStatus, certificateStatus: 'new', domainId: after?.id ?? null, certificateId: issued.certificateId, orderId: issued.orderId, renewalConfigurationId, reason: null }
      : { domainName, domainStatus, certificateStatus: 'fail', domainId: after?.id ?? null, certificateId: null, orderId: issued.orderId, renewalConfigurationId, reason: issued.reason });
  }
  return results;
}

async function selectIssuer(deps: AcmeOrderDeps, input: CertificateIfNeededInput): Promise<{ issuer: IssuerSelection; policy: SystemPolicyValues | null }> {
  const policy = await policyValues(deps.store, 'certificate-if-needed');
  const fromPolicy = !input.accountId && policy ? issuerOf(policy) : null;
  const accountId = input.accountId ?? fromPolicy?.accountId;
  if (!accountId) throw new ValidationError({ acme_account_id: 'name an ACME account, or set the `certificate-if-needed` system policy' });
  return {
    issuer: {
      accountId,
      keyTechnology: input.keyTechnology ?? fromPolicy?.keyTechnology,
      keyPolicy: input.keyPolicy ?? fromPolicy?.keyPolicy,
      ...((input.profile ?? fromPolicy?.profile) ? { profile: input.profile ?? fromPolicy?.profile } : {}),
    },
    policy,
  };
}

async function servedCertificate(deps: AcmeOrderDeps, domainName: string): Promise<string | null> {
  const row = await deps.db.selectFrom('domains').select(['certificate_latest_multi_id', 'certificate_latest_single_id']).where('domain_name', '=', domainName).executeTakeFirst();
  return row?.certificate_latest_single_id ?? row?.certificate_latest_multi_id ?? null;
}
