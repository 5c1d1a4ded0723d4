/** The stack room: runs the stack of a data directory (render and validate the
 * run directory, start and supervise every process, stop, reload) and owns the
 * generated files of the repository. Only the CLI entry imports it. */
export { registerStackCommands } from './cli.js';
