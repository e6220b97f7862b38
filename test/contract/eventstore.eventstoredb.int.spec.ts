import { describe } from 'vitest';
import { createEventStoreDbEventStore } from '../../src/infra/eventstore/eventstoredb.js';
import { describeEventStoreContract } from '../support/eventstore-contract.js';

// No EventStoreDB server can run on the development machines; docker-compose.yml provides one.
describe.skipIf(!process.env.EVENTSTORE_URL)('EventStoreDB adapter (EVENTSTORE_URL)', () => {
  describeEventStoreContract('eventstoredb', async () => {
    const store = createEventStoreDbEventStore(process.env.EVENTSTORE_URL ?? '');
    return { store, close: () => store.close() };
  });
});
