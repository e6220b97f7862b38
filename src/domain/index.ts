export * from './certificate/decider.js';
export * from './private-key/decider.js';
export * from './ca-certificate/decider.js';
export * from './ca-chain/decider.js';
export type { CertificateEvent } from './certificate/events.js';
export type { PrivateKeyEvent } from './private-key/events.js';
export type { CaCertificateEvent } from './ca-certificate/events.js';
export type { CaChainEvent } from './ca-chain/events.js';
