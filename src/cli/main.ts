import { Command } from 'commander';
import { isMlmonError } from '../errors.js';
import { registerStackCommands } from '../stack/index.js';
import { registerAlertTestCommands } from '../alerttest/index.js';
import { registerConsoleCommands } from '../console/index.js';
import { registerRemoteCommands } from '../remote/index.js';
import { registerNotificationCommands } from '../sink/index.js';
import { registerSloCommands } from '../slo/index.js';
import { registerExporterCommands } from '../exporter/index.js';
import { registerGatewayCommands } from '../gateway/index.js';
import { registerContainerCommands } from '../container/index.js';
import { registerKubernetesCommands } from '../kubernetes/index.js';
import { registerGrafanaCommands } from '../grafana/index.js';

// `mlmon status | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();
program.name('mlmon').description('SLO-first Prometheus monitoring stack for ML inference services').showHelpAfterError();

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
registerGrafanaCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (isMlmonError(e)) {
    process.stderr.write(`mlmon: ${e.format()}\n`);
    process.exit(1);
  }
  throw e;
}
