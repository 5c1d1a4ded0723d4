import type { Command } from 'commander';

/** The shared `mlmon serve` command: each room adds its component under it
 * (`serve gateway`, `serve exporter`, ...), whichever registers first creates it. */
export function serveCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'serve') ??
    program.command('serve').description('run one component of the stack in the foreground (the supervisor runs these)')
  );
}
