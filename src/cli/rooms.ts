import type { Command } from 'commander';

/** What a room adds to the `mlmon` program. */
export type Registrar = (program: Command) => void;

/** Every room with commands, loaded only when a command of it runs: each
 * service process (`mlmon serve <component>`) then loads its own room and
 * what that room imports, not the whole program (the console does not load the
 * forest, the exporter not the mail parser). */
export const ROOMS = {
  stack: async () => (await import('../stack/index.js')).registerStackCommands,
  alerttest: async () => (await import('../alerttest/index.js')).registerAlertTestCommands,
  console: async () => (await import('../console/index.js')).registerConsoleCommands,
  remote: async () => (await import('../remote/index.js')).registerRemoteCommands,
  sink: async () => (await import('../sink/index.js')).registerNotificationCommands,
  slo: async () => (await import('../slo/index.js')).registerSloCommands,
  exporter: async () => (await import('../exporter/index.js')).registerExporterCommands,
  gateway: async () => (await import('../gateway/index.js')).registerGatewayCommands,
  container: async () => (await import('../container/index.js')).registerContainerCommands,
  kubernetes: async () => (await import('../kubernetes/index.js')).registerKubernetesCommands,
  grafana: async () => (await import('../grafana/index.js')).registerGrafanaCommands,
} satisfies Record<string, () => Promise<Registrar>>;

export type RoomName = keyof typeof ROOMS;

/** The room of each command: `serve <component>` by its component, the others by
 * their first word. test/cli/rooms.test.ts holds this table to what each room registers. */
export const COMMAND_ROOMS: Readonly<Record<string, RoomName>> = {
  up: 'stack',
  down: 'stack',
  status: 'stack',
  validate: 'stack',
  reload: 'stack',
  generate: 'stack',
  'test-alerts': 'alerttest',
  'serve console': 'console',
  federation: 'remote',
  'serve sink': 'sink',
  notifications: 'sink',
  slo: 'slo',
  'serve exporter': 'exporter',
  'serve gateway': 'gateway',
  fault: 'gateway',
  load: 'gateway',
  train: 'gateway',
  model: 'gateway',
  compose: 'container',
  kubernetes: 'kubernetes',
  grafana: 'grafana',
};

/** The rooms to load for these arguments (after `mlmon`): the command's own room,
 * or every room for help, a bare `mlmon` or a command this table does not know. */
export function roomsFor(args: readonly string[]): RoomName[] {
  const [first, second] = args;
  const key = first === 'serve' ? `serve ${second ?? ''}` : (first ?? '');
  const room = COMMAND_ROOMS[key];
  return room ? [room] : (Object.keys(ROOMS) as RoomName[]);
}
