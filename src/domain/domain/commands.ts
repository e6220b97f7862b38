import type { LifecycleMark } from '../certificate/lifecycle-mark.js';

/**
 * A domain exists in the catalog once a certificate names it; its stream holds only the marks.
 * The handler resolves name or id against the read model and refuses an unknown domain.
 */
type DomainMark = LifecycleMark & { domainId: string; domainName: string };

export type ActivateDomain = DomainMark & { type: 'ActivateDomain' };
export type DeactivateDomain = DomainMark & { type: 'DeactivateDomain' };

export type DomainCommand = ActivateDomain | DeactivateDomain;
