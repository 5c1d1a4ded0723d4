import { Command } from 'commander';
import { isMlmonError } from '../errors.js';
import { registerStackCommands } from '../stack/cli.js';

const program = new Command();
program
  .name('mlmon')
  .description('SLO-first Prometheus monitoring stack for ML inference services')
  .showHelpAfterError();

// Each room registers its own commands; this file only wires them together.
registerStackCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (isMlmonError(e)) {
    process.stderr.write(`mlmon: ${e.format()}\n`);
    process.exit(1);
  }
  throw e;
}
