import { Command, CommanderError } from 'commander';
import { nginxCommands } from './commands/nginx.js';
import { sitesCommands } from './commands/sites.js';
import { registerProjectionCommands } from './commands/projections.js';
import { registerEventsCommands } from './commands/events.js';
import { redisCommands } from './commands/redis.js';
import { importCommands } from './commands/import.js';
import { keysCommands } from './commands/keys.js';
import { renewCommand } from './commands/renew.js';
import { ValidationError } from '../domain/shared/errors.js';
import { CliError, type GlobalOptions } from './context.js';

/**
 * `certledger <command>`: works on the configured stores directly (the same environment
 * variables as the server; see README). Returns the exit code.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('certledger')
    .description('central TLS certificate manager: the operator\'s command line')
    .option('--json', 'print results as JSON (for scripts)')
    .option('-v, --verbose', 'log progress to stderr')
    .showHelpAfterError()
    .exitOverride();
  const globals = () => program.opts<GlobalOptions>();
  program
    .command('serve')
    .description('run the service (the same as npm start)')
    .action(async () => {
      await import('../main.js');
      // main.js keeps the process alive and exits by itself on SIGINT/SIGTERM.
      await new Promise(() => undefined);
    });
  redisCommands(program, globals);
  registerEventsCommands(program, globals);
  registerProjectionCommands(program, globals);
  importCommands(program, globals, (code) => (exitCode = code));
  nginxCommands(program, globals, (code) => (exitCode = code));
  sitesCommands(program, globals);
  keysCommands(program, globals);
  renewCommand(program, globals, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors were already printed by commander.
      return error.exitCode;
    }
    if (error instanceof ValidationError) {
      // The same field names as the API's 400 answers.
      process.stderr.write(`certledger: ${Object.entries(error.fields).map(([field, problem]) => `${field}: ${problem}`).join('; ')}\n`);
      return 2;
    }
    const message = error instanceof CliError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`certledger: ${message.split('\n')[0]}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
