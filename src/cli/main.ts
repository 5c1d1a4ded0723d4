import { Command } from 'commander';
import { isMlmonError } from '../errors.js';
import { ROOMS, roomsFor } from './rooms.js';

// `mlmon status | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();
program.name('mlmon').description('SLO-first Prometheus monitoring stack for ML inference services').showHelpAfterError();

try {
  // Each room registers its own commands; this file only wires in the room(s) the command needs (rooms.ts).
  for (const room of roomsFor(process.argv.slice(2))) (await ROOMS[room]())(program);
  await program.parseAsync(process.argv);
} catch (e) {
  if (isMlmonError(e)) {
    process.stderr.write(`mlmon: ${e.format()}\n`);
    process.exit(1);
  }
  throw e;
}
