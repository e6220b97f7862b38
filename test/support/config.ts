import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/infra/config.js';

/** The problems loadConfig names for `env` (fails the test when it accepts it). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
