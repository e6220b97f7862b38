import type { Decider } from '../shared/decider.js';
import { IllegalStateError, NotFoundError } from '../shared/errors.js';
import type { JsonValue } from '../shared/event.js';
import type { AcmeServerCommand, FetchedDirectory } from './commands.js';
import type { AcmeServerDirectoryFetched, AcmeServerEvent } from './events.js';

export type AcmeServerState =
  | { status: 'absent' }
  | {
    status: 'registered';
    acmeServerId: string;
    name: string;
    directoryUrl: string;
    caBundlePem: string | null;
    directory: { [member: string]: JsonValue };
    directorySha256: string | null;
    externalAccountRequired: boolean;
    termsOfService: string | null;
  };

const directoryFetched = (acmeServerId: string, fetched: FetchedDirectory, previousSha256: string | null, now: string): AcmeServerDirectoryFetched => ({
  type: 'AcmeServerDirectoryFetched',
  data: { acmeServerId, ...fetched, previousSha256, fetchedAt: now },
});

export const acmeServerDecider: Decider<AcmeServerCommand, AcmeServerState, AcmeServerEvent> = {
  initialState: () => ({ status: 'absent' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'AcmeServerRegistered':
        return {
          status: 'registered',
          acmeServerId: event.data.acmeServerId,
          name: event.data.name,
          directoryUrl: event.data.directoryUrl,
          caBundlePem: event.data.caBundlePem,
          directory: {},
          directorySha256: null,
          externalAccountRequired: false,
          termsOfService: null,
        };
      case 'AcmeServerDirectoryFetched':
        if (state.status === 'absent') return state;
        return {
          ...state,
          directory: event.data.directory,
          directorySha256: event.data.directorySha256,
          externalAccountRequired: event.data.externalAccountRequired,
          termsOfService: event.data.termsOfService,
        };
      case 'AcmeServerDirectoryFetchFailed':
      case 'AcmeExchangeRecorded':
        return state;
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterAcmeServer':
        if (state.status === 'registered') {
          // The id comes from the directory URL: registering it again is the same fact.
          if (state.directoryUrl === command.directoryUrl) return [];
          throw new IllegalStateError(`ACME server ${command.acmeServerId} is registered with another directory URL`);
        }
        return [
          {
            type: 'AcmeServerRegistered',
            data: {
              acmeServerId: command.acmeServerId,
              name: command.name,
              directoryUrl: command.directoryUrl,
              caBundlePem: command.caBundlePem,
              registeredAt: command.now,
            },
          },
          ...command.exchanges,
          directoryFetched(command.acmeServerId, command.fetched, null, command.now),
        ];
      case 'RecordAcmeServerDirectoryFetch': {
        if (state.status === 'absent') throw new NotFoundError(`ACME server ${command.acmeServerId} not found`);
        const { result } = command;
        if (!result.ok) {
          return [...command.exchanges, { type: 'AcmeServerDirectoryFetchFailed', data: { acmeServerId: command.acmeServerId, failure: result.failure, failedAt: command.now } }];
        }
        // An unchanged directory is no news: nothing is appended, not even the GET.
        if (result.fetched.directorySha256 === state.directorySha256) return [];
        return [...command.exchanges, directoryFetched(command.acmeServerId, result.fetched, state.directorySha256, command.now)];
      }
      default: {
        const _exhaustive: never = command;
        return [];
      }
    }
  },
};
