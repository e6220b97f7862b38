import { describe, expect, it } from 'vitest';
import { isoWeek, slotFor, type KeyRequest } from '../../src/commands/acme/key-policy.js';
import { keyCycleDecider, resolveKeyPolicy, type AssignKeyCycleKey } from '../../src/domain/acme-order/key-cycle.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(keyCycleDecider);
const request: KeyRequest = { policy: 'account_daily', accountId: 'acc-1', uniqueFqdnSetId: 'set-1', keyTechnology: 'EC_P256' };
const at = new Date('2026-11-25T10:00:00.000Z'); // a Wednesday, ISO week 48

describe('key cycle slots', () => {
  it('puts orders of one account, technology and day in one slot, and other accounts elsewhere', () => {
    const slot = slotFor('account_daily', request, at)!;
    expect(slot).toEqual({ slotKey: 'account_daily/acc-1/EC_P256/2026-11-25', validUntil: new Date('2026-11-26T00:00:00.000Z'), accountId: 'acc-1' });
    expect(slotFor('account_daily', { ...request, accountId: 'acc-2' }, at)!.slotKey).not.toBe(slot.slotKey);
    expect(slotFor('account_daily', { ...request, keyTechnology: 'RSA_2048' }, at)!.slotKey).not.toBe(slot.slotKey);
    expect(slotFor('account_daily', request, new Date('2026-11-25T23:59:59.000Z'))!.slotKey).toBe(slot.slotKey);
  });

  it('shares global slots across accounts', () => {
    expect(slotFor('global_daily', request, at)!.slotKey).toBe(slotFor('global_daily', { ...request, accountId: 'acc-2' }, at)!.slotKey);
    expect(slotFor('global_weekly', request, at)).toEqual({ slotKey: 'global_weekly/EC_P256/2026-W48', validUntil: new Date('2026-11-30T00:00:00.000Z'), accountId: null });
  });

  it('reuses a key for a name set for a year, and never slots single_use', () => {
    const slot = slotFor('single_use__reuse_1_year', request, at)!;
    expect(slot.slotKey).toBe('single_use__reuse_1_year/acc-1/set-1/EC_P256');
    expect(slot.validUntil.toISOString()).toBe('2027-11-25T10:00:00.000Z');
    expect(slotFor('single_use', request, at)).toBeNull();
  });

  it('numbers ISO weeks across year ends', () => {
    expect(isoWeek(new Date('2026-12-31T12:00:00Z')).key).toBe('2026-W53');
    expect(isoWeek(new Date('2027-01-03T12:00:00Z')).key).toBe('2026-W53');
    expect(isoWeek(new Date('2027-01-04T12:00:00Z')).key).toBe('2027-W01');
    expect(isoWeek(new Date('2025-12-29T00:00:00Z'))).toEqual({ key: '2026-W01', ends: new Date('2026-01-05T00:00:00Z') });
  });

  it('resolves account_default to the account setting', () => {
    expect(resolveKeyPolicy('account_default', 'account_weekly')).toBe('account_weekly');
    expect(resolveKeyPolicy('account_default', null)).toBe('single_use');
    expect(resolveKeyPolicy('global_daily', 'account_weekly')).toBe('global_daily');
  });
});

describe('key cycle decider', () => {
  const assign = (candidateKeyId: string, now: string, replacing: string | null = null): AssignKeyCycleKey => ({
    type: 'AssignKeyCycleKey', slotKey: 's', policy: 'account_daily', accountId: 'acc-1', keyTechnology: 'EC_P256', candidateKeyId, replacing,
    validUntil: '2026-11-26T00:00:00.000Z', now,
  });
  const assigned = keyCycleDecider.decide(assign('k1', '2026-11-25T10:00:00.000Z'), keyCycleDecider.initialState());

  it('assigns a key to an empty slot and keeps it while it serves', () => {
    expect(assigned).toEqual([{ type: 'KeyCycleKeyAssigned', data: {
      slotKey: 's', policy: 'account_daily', accountId: 'acc-1', keyTechnology: 'EC_P256', privateKeyId: 'k1', assignedAt: '2026-11-25T10:00:00.000Z', validUntil: '2026-11-26T00:00:00.000Z',
    } }]);
    spec.given(assigned).when(assign('k2', '2026-11-25T11:00:00.000Z')).then([]);
  });

  it('replaces the key the caller found unfit (compromised, shredded), and only that one', () => {
    const state = assigned.reduce(keyCycleDecider.evolve, keyCycleDecider.initialState());
    expect(keyCycleDecider.decide(assign('k2', '2026-11-25T11:00:00.000Z', 'k1'), state)[0]?.data.privateKeyId).toBe('k2');
    // Another order replaced it first: the slot's new key stands.
    spec.given([...assigned, ...keyCycleDecider.decide(assign('k2', '2026-11-25T11:00:00.000Z', 'k1'), state)]).when(assign('k3', '2026-11-25T11:00:01.000Z', 'k1')).then([]);
  });

  it('assigns again once the key stops serving', () => {
    const nextDay = { ...assign('k2', '2026-11-26T00:00:00.000Z'), validUntil: '2026-11-27T00:00:00.000Z' };
    const state = assigned.reduce(keyCycleDecider.evolve, keyCycleDecider.initialState());
    expect(keyCycleDecider.decide(nextDay, state).map((e) => e.data.privateKeyId)).toEqual(['k2']);
  });
});
