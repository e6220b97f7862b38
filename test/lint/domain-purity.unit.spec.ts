import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const lint = async (code: string, filePath: string) => {
  const [result] = await new ESLint().lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}@${m.line}`);
};

describe('npm run lint keeps src/domain pure', () => {
  it('rejects I/O, infra imports, packages, the clock and randomness in src/domain', async () => {
    const rules = await lint(
      "import { readFile } from 'node:fs';\nimport { ids } from '../../infra/ids.js';\nimport { z } from 'zod';\nexport const f = () => [readFile, ids, z, new Date(), Math.random()];\n",
      'src/domain/shared/impure.ts',
    );
    for (const line of [1, 2, 3]) expect(rules).toContain(`no-restricted-imports@${line}`);
    expect(rules).toContain('no-restricted-globals@4');
    expect(rules).toContain('no-restricted-properties@4');
  });

  it('allows the same code outside src/domain and sibling imports inside it', async () => {
    expect(await lint("import { readFile } from 'node:fs';\nexport const f = () => [readFile, new Date()];\n", 'src/infra/whatever.ts')).toEqual([]);
    expect(await lint("import type { Event } from '../shared/event.js';\nexport type E = Event;\n", 'src/domain/certificate/x.ts')).toEqual([]);
  });
});
