/** A rehearsal of `docker build` without a Docker engine: the Dockerfile read
 * as the builder would, the image's /app assembled from exactly what it
 * copies (the sources through .dockerignore, the build stage's own compile
 * steps, only the production dependencies of package-lock.json), and each
 * service started from that folder with its image's ENTRYPOINT + CMD until
 * its HEALTHCHECK command passes. compose.test.ts already checks the stage
 * names, USER, `npm ci --omit=dev` and the allow-list; this checks what those
 * checks cannot: that the image would start. */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { OWN_SERVICES } from '../../src/container/index.js';
import { DEFAULT_PORTS } from '../../src/definition/index.js';
import { freePorts } from '../../src/net.js';
import { fromRepo } from '../../src/paths.js';
import { stopChild } from '../support/process.js';

const DOCKERFILE = fromRepo('docker', 'mlmon.Dockerfile');
const text = readFileSync(DOCKERFILE, 'utf8');

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  name: string;
  from: string;
  body: Instruction[];
}

/** Instructions with line continuations joined, comments dropped. */
function instructions(dockerfile: string): Instruction[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l)!;
      return { op: m[1]!.toUpperCase(), args: m[2]! };
    });
}

function stages(dockerfile: string): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const out: Stage[] = [];
  for (const ins of instructions(dockerfile)) {
    if (ins.op === 'ARG' && out.length === 0) {
      const [k, v] = ins.args.split('=');
      args[k!] = v ?? '';
    } else if (ins.op === 'FROM') {
      const m = /^(\S+)\s+AS\s+(\S+)$/i.exec(ins.args)!;
      out.push({ from: m[1]!.replace(/\$\{(\w+)\}/g, (_, n: string) => args[n] ?? ''), name: m[2]!, body: [] });
    } else out[out.length - 1]!.body.push(ins);
  }
  return { args, stages: out };
}

const parsed = stages(text);
const stageOf = (name: string) => parsed.stages.find((s) => s.name === name)!;

/** The instructions in force for a stage: its ancestors' (FROM another stage), then its own. */
function lineage(name: string): Instruction[] {
  const s = stageOf(name);
  const parent = parsed.stages.find((p) => p.name === s.from);
  return [...(parent ? lineage(parent.name) : []), ...s.body];
}

const jsonArray = (args: string) => JSON.parse(args) as string[];

/** COPY flags and operands: [--from=x] [--chown=y] src... dest */
function copyOf(ins: Instruction): { from: string | undefined; sources: string[]; dest: string } {
  const words = ins.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const rest = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: rest.slice(0, -1), dest: rest[rest.length - 1]! };
}

/** .dockerignore as the builder applies it: later lines win, `!` re-includes. */
function inContext(path: string): boolean {
  let included = true;
  for (const raw of readFileSync(fromRepo('.dockerignore'), 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/\/$/, '');
    const re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '(?:.*/)?')
        .replace(/\*\*/g, '.*')
        .replace(/\*/g, '[^/]*')}(?:/.*)?$`,
    );
    if (re.test(path.replace(/\/$/, ''))) included = negate;
  }
  return included;
}

test('every base image is pinned to a full version, and the rehearsal runs on that Node major', () => {
  const bases = new Set(parsed.stages.map((s) => s.from).filter((f) => !parsed.stages.some((p) => p.name === f)));
  assert.ok(bases.size > 0);
  for (const b of bases) assert.match(b, /^[\w./-]+:\d+\.\d+\.\d+[\w.-]*$/, `${b}: pinned to major.minor.patch`);
  const node = [...bases].find((b) => b.startsWith('node:'))!;
  assert.equal(node.split(':')[1]!.split('.')[0], process.versions.node.split('.')[0], 'the image and this test run the same Node major');
});

test('every COPY source from the build context exists in the repository and survives .dockerignore', () => {
  let n = 0;
  for (const s of parsed.stages) {
    for (const ins of s.body.filter((i) => i.op === 'COPY')) {
      const c = copyOf(ins);
      if (c.from) {
        assert.ok(
          parsed.stages.some((p) => p.name === c.from),
          `COPY --from=${c.from} names a stage`,
        );
        continue;
      }
      for (const src of c.sources) {
        n++;
        assert.ok(existsSync(fromRepo(src)), `${src} exists`);
        assert.ok(inContext(src), `${src} is in the build context`);
      }
    }
  }
  assert.ok(n >= 6, `${n} sources`);
  // The allow-list is not wider than it looks: what the images must not carry stays out.
  for (const p of [
    '.env',
    'data/x',
    'test/container/compose.test.ts',
    'docker/local/alertmanager/secrets/x',
    'node_modules/x',
    'config/prometheus/targets/custom/a.yml',
  ])
    assert.equal(inContext(p), false, p);
});

test('every service image runs as a non-root user and has a HEALTHCHECK', () => {
  for (const o of Object.values(OWN_SERVICES)) {
    const all = lineage(o!.target);
    const user = all.filter((i) => i.op === 'USER').pop();
    assert.ok(user && !/^(root|0)(:|$)/.test(user.args), `${o!.target}: USER ${user?.args}`);
    assert.ok(
      all.some((i) => i.op === 'HEALTHCHECK'),
      `${o!.target}: HEALTHCHECK`,
    );
  }
});

// --- The runtime layout, assembled and started -------------------------------

const tmp = mkdtempSync(join(tmpdir(), 'mlmon-build-rehearsal-'));
const app = join(tmp, 'app');
const running: ChildProcess[] = [];

/** `npm ci --omit=dev` from the lock file: every package not marked dev. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(fromRepo('package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev)
    .map(([path]) => path);
}

/** The build stage, step by step: its WORKDIR (/src) is a folder here, its COPYs
 * come from the repository, `npm ci` becomes a link to the repository's
 * node_modules, and every `npx tsc -p ...` runs as written. Any other step fails
 * the test, so a build step the rehearsal does not know is never skipped. */
function rehearseBuildStage(build: string): void {
  mkdirSync(build, { recursive: true });
  for (const ins of stageOf('build').body) {
    if (ins.op === 'COPY') {
      const c = copyOf(ins);
      for (const src of c.sources) {
        // As Docker does: a folder's contents go to the destination, a file into a destination ending in /.
        const from = fromRepo(src);
        const dest = join(build, c.dest);
        const target = c.dest.endsWith('/') && !statSync(from).isDirectory() ? join(dest, src.split('/').pop()!) : dest;
        mkdirSync(dirname(target), { recursive: true });
        cpSync(from, target, { recursive: true, dereference: true });
      }
    } else if (ins.op === 'RUN' && /^npm ci\b/.test(ins.args)) {
      symlinkSync(fromRepo('node_modules'), join(build, 'node_modules'), 'dir');
    } else if (ins.op === 'RUN' && /^npx tsc\b/.test(ins.args)) {
      const args = ins.args.split(/\s+/).slice(2);
      const tsc = spawnSync(process.execPath, [fromRepo('node_modules/typescript/bin/tsc'), ...args], { encoding: 'utf8', cwd: build });
      assert.equal(tsc.status, 0, `the image's build step \`${ins.args}\`: ${tsc.stdout}${tsc.stderr}`);
    } else if (ins.op === 'RUN') {
      assert.fail(`the build stage runs \`${ins.args}\`, which this rehearsal does not know how to run`);
    } else {
      assert.ok(['WORKDIR'].includes(ins.op), `build stage: ${ins.op} ${ins.args}`);
    }
  }
}

/** Builds /app as the runtime stage does: the build stage's compile, the deps stage's node_modules, the context's files. */
function assemble(): void {
  const build = join(tmp, 'build');
  rehearseBuildStage(build);
  const stageDirs: Record<string, string> = { build: join(build, ''), deps: join(tmp, 'deps') };
  mkdirSync(join(tmp, 'deps'), { recursive: true });
  for (const pkg of productionPackages()) {
    const src = fromRepo(pkg);
    if (existsSync(src)) cpSync(src, join(tmp, 'deps', pkg), { recursive: true, dereference: true });
  }
  mkdirSync(app, { recursive: true });
  for (const ins of lineage('gateway')) {
    if (ins.op !== 'COPY') continue;
    const c = copyOf(ins);
    for (const src of c.sources) {
      // Inside a stage: /src/dist/src (build) or /app/node_modules (deps).
      const from =
        c.from === 'build'
          ? join(stageDirs.build!, src.replace(/^\/src\//, ''))
          : c.from === 'deps'
            ? join(stageDirs.deps!, src.replace(/^\/app\//, ''))
            : fromRepo(src);
      const dest = join(app, c.dest);
      const target =
        c.dest.endsWith('/') || c.dest === './' ? (statSync(from).isDirectory() ? dest : join(dest, src.split('/').pop()!)) : dest;
      mkdirSync(dirname(target), { recursive: true });
      cpSync(from, target, { recursive: true, dereference: true });
    }
  }
}

before(() => assemble());

after(() => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

test('the runtime layout holds only production dependencies, and the code does not need a dev one', () => {
  assert.ok(existsSync(join(app, 'node_modules', 'fastify')));
  assert.ok(!existsSync(join(app, 'node_modules', 'typescript')), 'typescript is a dev dependency');
  assert.ok(existsSync(join(app, 'dist', 'src', 'cli', 'main.js')));
  assert.ok(!existsSync(join(app, 'dist', 'test')), 'no tests in the image');
  assert.ok(existsSync(join(app, 'bin', 'mlmon.js')));
});

for (const [component, o] of Object.entries(OWN_SERVICES)) {
  test(`the ${o!.target} image's command starts from that layout and passes its HEALTHCHECK`, async () => {
    const all = lineage(o!.target);
    const entrypoint = jsonArray(all.filter((i) => i.op === 'ENTRYPOINT').pop()!.args);
    const cmd = jsonArray(all.filter((i) => i.op === 'CMD').pop()!.args);
    const check = all.filter((i) => i.op === 'HEALTHCHECK').pop()!.args;
    const checkCmd = jsonArray(/CMD (\[.*\])$/.exec(check)![1]!);
    const env = Object.fromEntries(all.filter((i) => i.op === 'ENV').map((i) => i.args.split('=') as [string, string]));
    const workdir = all.filter((i) => i.op === 'WORKDIR').pop()!.args;
    assert.equal(workdir, '/app');

    // The image's ports become free loopback ports; /app and /data become folders here.
    const imagePorts = [...new Set([...cmd.join(' ').matchAll(/--(?:smtp-)?port (\d+)/g)].map((m) => m[1]!))];
    const free = await freePorts(imagePorts.length);
    const portMap = new Map(imagePorts.map((p, i) => [p, String(free[i])]));
    const data = join(tmp, `data-${o!.target}`);
    mkdirSync(data, { recursive: true });
    const local = (arg: string) =>
      arg === '0.0.0.0' ? '127.0.0.1' : (portMap.get(arg) ?? arg.replace(/^\/app(?=\/|$)/, app).replace(/^\/data(?=\/|$)/, data));
    const argv = [...entrypoint, ...cmd].map(local);
    assert.equal(argv[0], 'node');
    const log = join(tmp, `${o!.target}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, argv.slice(1), {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', HOME: tmp, ...env },
      stdio: ['ignore', fd, fd],
    });
    running.push(child);
    try {
      const probe = checkCmd.map((a) => a.replace(/127\.0\.0\.1:(\d+)/, (_, p: string) => `127.0.0.1:${portMap.get(p) ?? p}`));
      assert.equal(probe[0], 'node');
      // Like Docker during the start period: retry the check until it passes.
      const deadline = Date.now() + 30_000;
      let last = -1;
      while (Date.now() < deadline && child.exitCode === null) {
        last = spawnSync(process.execPath, probe.slice(1), { timeout: 5_000 }).status ?? -1;
        if (last === 0) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.equal(
        last,
        0,
        `${component}: HEALTHCHECK never passed (exit ${child.exitCode}); log:\n${readFileSync(log, 'utf8').slice(-2000)}`,
      );
      if (o!.target === 'console') {
        // Healthy is not enough for the console: every page's stylesheet and scripts come from the image too.
        const base = `http://127.0.0.1:${portMap.get(String(DEFAULT_PORTS.console))}`;
        for (const page of ['/slos', '/models', '/models/iris', '/alerts']) {
          const html = await (await fetch(base + page)).text();
          const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
          assert.ok(assets.length >= 2, `${page} links its assets`);
          for (const a of assets) {
            const res = await fetch(base + a);
            assert.equal(res.status, 200, `${page}: ${a}`);
            if (a.endsWith('.js'))
              for (const m of (await res.text()).matchAll(/from '\.\/([\w-]+\.js)'/g)) {
                assert.equal((await fetch(`${base}/assets/${m[1]!}`)).status, 200, `${a} imports ${m[1]!}`);
              }
          }
        }
      }
    } finally {
      await stopChild(child);
    }
  });
}
