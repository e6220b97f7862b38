import type { Command } from 'commander';
import { loadConfig } from '../../infra/config.js';
import { CliError, report, withStores, type GlobalOptions } from '../context.js';

type RotateOptions = { newKey?: boolean };

/** `certledger keys …`: the key vault's master key (rotation, status). */
export function keysCommands(program: Command, globals: () => GlobalOptions): void {
  const keys = program.command('keys').description('the key vault: master key rotation, status, crypto-shredding');

  keys
    .command('shred <privateKeyId>')
    .description('destroy a private key for good: its certificates are deactivated first, their history stays')
    .requiredOption('--reason <text>', 'why (recorded in the event log)')
    .action(async (privateKeyId: string, values: { reason: string }) => {
      const options = globals();
      const { shredKey } = await import('../../http/lifecycle-marks.js');
      const outcome = await withStores(options, async (deps) => shredKey(deps, privateKeyId, { reason: values.reason, actor: 'cli' }));
      report(options, outcome, () => [
        outcome.changed ? `shredded private key ${privateKeyId}` : `private key ${privateKeyId} was shredded already`,
        ...outcome.deactivated_certificate_ids.map((id) => `deactivated certificate ${id}`),
      ]);
    });

  keys
    .command('status')
    .description('vault entries per master key (current, previous, unknown) and how many are shredded')
    .action(async () => {
      const options = globals();
      const { loadMasterKey, masterKeySource } = await import('../../infra/key-vault/master-key.js');
      const { vaultKeyCounts } = await import('../../infra/key-vault/rotate.js');
      const counts = await withStores(options, async (deps, config) => vaultKeyCounts(deps.db, await loadMasterKey(masterKeySource(config))));
      report(options, { master_keys: counts }, () =>
        counts.length === 0 ? ['the vault is empty'] : counts.map((c) => `${c.masterKeyId} ${c.role}: ${c.entries} keys, ${c.shredded} shredded`));
    });

  keys
    .command('rotate')
    .description('wrap every private key\'s data key under the current master key; events and key ciphertexts stay as they are')
    .option('--new-key', 'embedded default only: replace data/master.key by a new random key first (the old one is kept in master.key.previous until every entry moved)')
    .action(async (values: RotateOptions) => {
      const options = globals();
      const { dropPreviousKeysFile, loadMasterKey, masterKeySource, replaceMasterKeyFile } = await import('../../infra/key-vault/master-key.js');
      const { rewrapVault } = await import('../../infra/key-vault/rotate.js');
      const source = masterKeySource(loadConfig());
      if (values.newKey) {
        if (!source.dataDir || source.configured) {
          throw new CliError('--new-key replaces the data folder\'s master.key; with a configured key, set CERTLEDGER_MASTER_KEY to the new key and CERTLEDGER_MASTER_KEY_PREVIOUS to the old one, restart every process, then run `certledger keys rotate`', 2);
        }
        await replaceMasterKeyFile(source.dataDir);
      }
      const outcome = await withStores(options, async (deps) => {
        const master = await loadMasterKey(source);
        return { master: master.id, ...(await rewrapVault(deps.db, master)) };
      });
      const complete = outcome.unknown.length === 0 && outcome.damaged.length === 0;
      if (complete && source.dataDir && !source.configured) await dropPreviousKeysFile(source.dataDir);
      report(options, { ...outcome, complete }, () => [
        `rewrapped ${outcome.rewrapped} keys under master key ${outcome.master}; ${outcome.current} keys are under it now`,
        ...outcome.unknown.map((u) => `left ${u.entries} keys under master key ${u.masterKeyId}: neither current nor previous (add it to CERTLEDGER_MASTER_KEY_PREVIOUS)`),
        ...outcome.damaged.map((id) => `left private key ${id}: its data key does not unwrap (damaged entry)`),
        ...(complete && source.configured && source.previous ? ['every key is under the current master key: CERTLEDGER_MASTER_KEY_PREVIOUS can go'] : []),
      ]);
      if (!complete) throw new CliError('some keys were not rewrapped (see above)', 3);
    });
}
