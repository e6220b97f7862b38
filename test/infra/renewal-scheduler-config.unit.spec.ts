import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/infra/config.js';

describe('CERTLEDGER_RENEWAL_SCHEDULER', () => {
  it('is off by default, on when asked, and refuses anything else', () => {
    expect(loadConfig({}).renewalScheduler).toBe(false);
    expect(loadConfig({ CERTLEDGER_RENEWAL_SCHEDULER: 'on' }).renewalScheduler).toBe(true);
    expect(loadConfig({ CERTLEDGER_RENEWAL_SCHEDULER: 'off' }).renewalScheduler).toBe(false);
    expect(() => loadConfig({ CERTLEDGER_RENEWAL_SCHEDULER: 'yes' })).toThrow(ConfigError);
  });
});
