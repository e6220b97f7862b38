import type { Event } from '../shared/event.js';

type Mark = { domainId: string; domainName: string; reason: string; actor: string };

export type DomainActivated = Event<'DomainActivated', Mark & { activatedAt: string }>;

/** nginx is no longer given a certificate for it; its certificates and recents stay as they are. */
export type DomainDeactivated = Event<'DomainDeactivated', Mark & { deactivatedAt: string }>;

export type DomainEvent = DomainActivated | DomainDeactivated;
