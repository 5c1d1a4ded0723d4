import { Command } from 'commander';
import { isMlmonError } from '../errors.js';
import { registerStackCommands } from '../stack/cli.js';
import { registerAlertTestCommands } from '../alerttest/cli.js';
import { registerConsoleCommands } from '../console/cli.js';
import { registerRemoteCommands } from '../remote/cli.js';
import { registerNotificationCommands } from '../sink/cli.js';
import { registerSloCommands } from '../slo/cli.js';
import { registerExporterCommands } from '../exporter/cli.js';
import { registerGatewayCommands } from '../gateway/cli.js';
import { registerContainerCommands } from '../container/index.js';
import { registerKubernetesCommands } from '../kubernetes/index.js';

// `mlmon status | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();
program
  .name('mlmon')
  .description('SLO-first Prometheus monitoring stack for ML inference services')
  .showHelpAfterError();

// Each room registers its own commands; this file only wires them together.
registerStackCommands(program);
registerAlertTestCommands(program);
registerConsoleCommands(program);
registerRemoteCommands(program);
registerNotificationCommands(program);
registerSloCommands(program);
registerExporterCommands(program);
registerGatewayCommands(program);
registerContainerCommands(program);
registerKubernetesCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (isMlmonError(e)) {
    process.stderr.write(`mlmon: ${e.format()}\n`);
    process.exit(1);
  }
  throw e;
}
