/** The console room: a web console of SLOs, model health and alerts, served by the stack. */
export { startConsole, DEFAULT_REFRESH_SECONDS, type ConsoleOptions, type ConsoleServer } from './server.js';
export { registerConsoleCommands } from './cli.js';
export { sloDetailUrl } from './slo-list.js';
export { modelDetailUrl } from './models.js';
