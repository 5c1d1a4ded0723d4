// The house rules of src/: each room (a folder, or a single file at the top of
// src/) sits on a floor and imports only rooms on lower floors, and only
// through their door (index.ts). `npm run lint` checks them; a new room gets a
// floor here. The floors follow what each room is for: small shared pieces at
// the ground, the stack definition above them, the services and renderers in
// the middle, the code that runs the whole stack and the CLI entry at the top.
const FLOORS = [
  ['errors', 'paths', 'files', 'net', 'client'],
  ['duration', 'secrets'],
  ['definition', 'metrics', 'events', 'drift', 'upstream'],
  ['commandline', 'slo', 'alerting'],
  ['model', 'remote', 'sink', 'container'],
  ['gateway', 'exporter'],
  ['console'],
  ['alerttest', 'grafana'],
  ['kubernetes'],
  ['stack'],
  ['cli'],
];

const roomPath = (room) => `^src/${room}(/|\\.ts$)`;
const floorOf = new Map(FLOORS.flatMap((rooms, floor) => rooms.map((r) => [r, floor])));

const upward = [...floorOf].map(([room, floor]) => {
  const sameOrHigher = [...floorOf].filter(([r, f]) => f >= floor && r !== room).map(([r]) => r);
  return {
    name: `floor-${room}`,
    comment: `${room} is on floor ${floor}: it may import only rooms on lower floors`,
    severity: 'error',
    from: { path: roomPath(room) },
    to: { path: sameOrHigher.length ? `^src/(${sameOrHigher.join('|')})(/|\\.ts$)` : '^$' },
  };
});

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'room-without-floor',
      comment: 'every room of src/ has a floor in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: `^src/(${[...floorOf.keys()].join('|')})(/|\\.ts$)` },
    },
    {
      name: 'through-the-door',
      comment: 'another room is entered through its index.ts, never a file inside it',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'no-circular',
      comment: 'modules do not import each other in a circle',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-from-tests',
      comment: 'production code never imports test code',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
