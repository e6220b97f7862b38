import { runCli } from './program.js';

runCli(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`certledger: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
