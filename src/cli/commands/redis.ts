import type { Command } from 'commander';
import { catchUp, CliError, progress, report, withStores, type GlobalOptions } from '../context.js';

export function redisCommands(program: Command, globals: () => GlobalOptions): void {
  const redis = program.command('redis').description('the Redis prime that nginx reads (REDIS_URL)');
  redis
    .command('prime')
    .description('write every domain of the catalog into the Redis prime (styles and TTLs as configured) and report the counts')
    .action(async () => {
      const options = globals();
      const { RedisNotEnabledError, runFullPrime } = await import('../../http/redis-prime.js');
      const result = await withStores(options, async (deps) => {
        await catchUp(deps);
        const total = Number((await deps.db.selectFrom('domains').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
        const bar = progress(options, 'priming', total);
        try {
          return await runFullPrime(deps, { actor: 'cli' }, (done) => bar.update(done));
        } catch (error) {
          if (error instanceof RedisNotEnabledError) throw new CliError('redis is not enabled: set REDIS_URL');
          throw error;
        } finally {
          bar.stop();
        }
      });
      report(options, result, () => [
        `primed ${result.domains} domains (${result.certificates} certificates), removed ${result.removed}, in ${result.elapsedMs} ms`,
      ]);
    });
}
