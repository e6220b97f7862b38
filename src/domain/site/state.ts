import type { SiteEvent } from './events.js';

/** A certificate as the site sees it: its id and when it stops being worth serving. */
export type CertificateRef = { certificateId: string; /** ISO-8601 UTC */ notAfter: string };

/** What the site wants. */
export type TlsWish = { kind: 'none' } | { kind: 'acme' } | { kind: 'own'; certificateId: string };

/** What the site serves now. `nothing`: never deployed, or undeployed. */
export type CurrentTls =
  | { kind: 'nothing' }
  | { kind: 'none' }
  | { kind: 'own'; certificateId: string }
  | ({ kind: 'acme' } & CertificateRef);

export type PendingIssue = { attemptId: string; startedAt: string };

export type KnownSite = {
  status: 'deployed' | 'undeployed';
  siteId: string;
  /** Lower-case, sorted, de-duplicated. */
  hostNames: string[];
  wish: TlsWish;
  current: CurrentTls;
  /** ACME certificates kept for a later deploy but not renewed, in the order they were stashed. */
  stash: CertificateRef[];
  /** The synchronous ACME order the command layer is running for this site. */
  pendingIssue: PendingIssue | null;
};

export type SiteState = { status: 'absent' } | KnownSite;

export const NOTHING: CurrentTls = { kind: 'nothing' };

/** Renewal run: only the ACME certificate the site serves is renewed; stashed ones are not. */
export function renewableCertificateIds(state: SiteState): string[] {
  if (state.status !== 'deployed' || state.current.kind !== 'acme') return [];
  return [state.current.certificateId];
}

/** Certificate listings show stashed certificates too, marked as such. */
export function listedCertificates(state: SiteState): { certificateId: string; role: 'current' | 'stashed' }[] {
  if (state.status === 'absent') return [];
  const current = state.current.kind === 'acme' || state.current.kind === 'own'
    ? [{ certificateId: state.current.certificateId, role: 'current' as const }]
    : [];
  return [...current, ...state.stash.map((c) => ({ certificateId: c.certificateId, role: 'stashed' as const }))];
}

const withoutCertificate = (stash: readonly CertificateRef[], certificateId: string): CertificateRef[] =>
  stash.filter((c) => c.certificateId !== certificateId);

export function evolveSite(state: SiteState, event: SiteEvent): SiteState {
  if (event.type === 'SiteDeployed') {
    const { siteId, hostNames, wish } = event.data;
    // A new wish or new names make any running order moot: its late result is stashed, not served.
    if (state.status === 'absent') return { status: 'deployed', siteId, hostNames, wish, current: NOTHING, stash: [], pendingIssue: null };
    return { ...state, status: 'deployed', hostNames, wish, pendingIssue: null };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'SiteUndeployed':
      return { ...state, status: 'undeployed', current: NOTHING, pendingIssue: null };
    case 'SiteAcmeCertificateAssigned':
      return { ...state, current: { kind: 'acme', ...event.data.certificate }, pendingIssue: null };
    case 'SiteOwnCertificateAssigned':
      return { ...state, current: { kind: 'own', certificateId: event.data.certificateId }, pendingIssue: null };
    case 'SiteCertificateStashed': {
      const { certificate } = event.data;
      const current = state.current.kind === 'acme' && state.current.certificateId === certificate.certificateId ? NOTHING : state.current;
      return { ...state, current, stash: [...withoutCertificate(state.stash, certificate.certificateId), certificate] };
    }
    case 'SiteCertificateUnstashed':
      return {
        ...state, current: { kind: 'acme', ...event.data.certificate },
        stash: withoutCertificate(state.stash, event.data.certificate.certificateId), pendingIssue: null,
      };
    case 'SiteStashedCertificateDiscarded':
      return { ...state, stash: withoutCertificate(state.stash, event.data.certificate.certificateId) };
    case 'SiteAcmeIssueStarted':
      return { ...state, pendingIssue: { attemptId: event.data.attemptId, startedAt: event.data.startedAt } };
    case 'SiteServedWithoutTls':
      return { ...state, current: { kind: 'none' }, pendingIssue: null };
    case 'SiteCertificateRenewed': {
      const { previous, certificate, role } = event.data;
      if (role === 'current') {
        return state.current.kind === 'acme' && state.current.certificateId === previous.certificateId
          ? { ...state, current: { kind: 'acme', ...certificate } }
          : state;
      }
      return { ...state, stash: state.stash.map((c) => (c.certificateId === previous.certificateId ? certificate : c)) };
    }
    case 'SiteBackedUp':
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}
