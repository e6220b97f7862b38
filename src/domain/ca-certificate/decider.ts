import type { Decider } from '../shared/decider.js';
import { IllegalStateError } from '../shared/errors.js';
import type { CaCertificateCommand, ImportCaCertificate } from './commands.js';
import type { CaCertificateEvent, CaCertificateImported } from './events.js';

export type CaCertificateState =
  | { status: 'absent' }
  | { status: 'known'; caCertificateId: string; issuerCaCertificateId: string | null };

/** Optional fields only when present, so the stored JSON holds no nulls for "not given". */
const importedData = (command: ImportCaCertificate): CaCertificateImported['data'] => {
  const { extensions: ext } = command;
  return {
    ...command.facts,
    caCertificateId: command.caCertificateId,
    isSelfSigned: command.isSelfSigned,
    importedAt: command.now,
    ...(command.source ? { source: command.source } : {}),
    ...(command.sourceUrl ? { sourceUrl: command.sourceUrl } : {}),
    ...(ext ? { aiaCaIssuersUrls: [...ext.aiaCaIssuersUrls] } : {}),
    ...(ext?.subjectKeyId ? { subjectKeyId: ext.subjectKeyId } : {}),
    ...(ext?.authorityKeyId ? { authorityKeyId: ext.authorityKeyId } : {}),
  };
};

export const caCertificateDecider: Decider<CaCertificateCommand, CaCertificateState, CaCertificateEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'CaCertificateImported':
        return { status: 'known', caCertificateId: event.data.caCertificateId, issuerCaCertificateId: null };
      case 'CaCertificateIssuerReconciled':
        if (state.status !== 'known') return state;
        return { ...state, issuerCaCertificateId: event.data.issuerCaCertificateId };
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'ImportCaCertificate':
        // Known already (by fingerprint, through the id): the first import's source stays.
        if (state.status !== 'absent') return [];
        return [{ type: 'CaCertificateImported', data: importedData(command) }];
      case 'ReconcileCaCertificateIssuer':
        if (state.status === 'absent') throw new IllegalStateError(`CA certificate ${command.caCertificateId} is not known`);
        if (command.issuerCaCertificateId === command.caCertificateId) {
          throw new IllegalStateError('a CA certificate cannot be reconciled with itself');
        }
        if (state.issuerCaCertificateId === command.issuerCaCertificateId) return [];
        return [{
          type: 'CaCertificateIssuerReconciled',
          data: {
            caCertificateId: command.caCertificateId,
            issuerCaCertificateId: command.issuerCaCertificateId,
            url: command.url,
            reconciledAt: command.now,
          },
        }];
      default: {
        const _exhaustive: never = command;
        return [];
      }
    }
  },
};
