/** The compose file run without a Docker engine: each service a "container"
 * made of what the file says (its image's program and user, its command, its
 * bind mounts and named volumes at their container paths, its group_add), in
 * one private network namespace where the services reach each other by their
 * compose names on the default ports, as on the compose network. Built from
 * Linux namespaces (root only): a pid namespace whose end stops everything in
 * it, a network namespace, and per container a mount namespace chrooted into
 * an overlay of / (so nothing is created on the host). The images' programs
 * are Debian's builds of the same programs; ours run from this checkout,
 * mounted at /app as the image has it. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { repoRoot } from '../../src/paths.js';

export interface ComposeService {
  image?: string;
  user?: string;
  command?: string[];
  volumes?: string[];
  group_add?: Array<string | number>;
  healthcheck?: { test: string[] };
  labels?: Record<string, string>;
  ports?: string[];
}

/** The program of each upstream image, as Debian names it. */
const PROGRAMS: Readonly<Record<string, string>> = {
  'prom/prometheus': 'prometheus',
  'prom/alertmanager': 'prometheus-alertmanager',
  'prom/pushgateway': 'prometheus-pushgateway',
  'prom/node-exporter': 'prometheus-node-exporter',
  'prom/blackbox-exporter': 'prometheus-blackbox-exporter',
};
/** The prom/* images run as nobody; ours as node (docker/mlmon.Dockerfile). */
const NOBODY = 65534;
const NODE_UID = 1000;

export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function canRunNamespaces(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for network, pid and mount namespaces';
  // What the namespace does: loopback, a tmpfs and an overlay of / on it (gone with the mount namespace).
  const probe = mkdtempSync(join(tmpdir(), 'mlmon-ns-probe-'));
  const r = spawnSync(
    'unshare',
    [
      '-m',
      '-n',
      '-p',
      '--fork',
      '--kill-child',
      '--mount-proc',
      'sh',
      '-c',
      `set -e; ip link set lo up; mount --make-rprivate /; mount -t tmpfs tmpfs ${shq(probe)}; mkdir ${shq(`${probe}/u`)} ${shq(`${probe}/w`)} ${shq(`${probe}/r`)}; mount -t overlay overlay -o lowerdir=/,upperdir=${shq(`${probe}/u`)},workdir=${shq(`${probe}/w`)} ${shq(`${probe}/r`)}`,
    ],
    { encoding: 'utf8' },
  );
  rmSync(probe, { recursive: true, force: true });
  if (r.status !== 0) return `namespaces are not permitted here: ${r.stderr.trim()}`;
  const missing = [...Object.values(PROGRAMS), 'busybox', 'setpriv', 'nsenter'].filter(
    (p) => spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0,
  );
  return missing.length > 0 ? `missing programs: ${missing.join(', ')}` : undefined;
}

function imageName(svc: ComposeService): string {
  return (svc.image ?? '').replace(/:[^/]+$/, '');
}

function entrypoint(name: string, svc: ComposeService, override?: string[]): string[] {
  if (override) return override;
  const image = imageName(svc);
  const program = PROGRAMS[image];
  if (program) return [program];
  if (image.startsWith('mlmon/')) return ['node', '/app/bin/mlmon.js'];
  throw new Error(`${name}: no stand-in for image ${svc.image}`);
}

function userOf(svc: ComposeService): { uid: number; gid: number } {
  if (svc.user !== undefined) return { uid: Number(svc.user), gid: 0 };
  return imageName(svc).startsWith('prom/') ? { uid: NOBODY, gid: NOBODY } : { uid: NODE_UID, gid: NODE_UID };
}

export interface ComposeNamespace {
  /** The namespace's pid 1, as the host sees it. */
  initPid: number;
  root: string;
  logOf(service: string): string;
  /** An HTTP request to `service:port` inside the namespace (`port` must be forwarded). */
  http(port: number, path: string, init?: HttpInit): Promise<HttpAnswer>;
  /** Runs a shell command inside the namespace as the image's busybox would (applets on PATH). */
  shell(command: string): { code: number | null; output: string };
  /** Starts one more container (from a compose service) and waits for it to end; returns its output. */
  runOnce(name: string, svc: ComposeService, entry: string[]): { code: number | null; output: string };
  /** Ends the namespace (everything in it dies with its pid 1) and waits for it. */
  stop(): Promise<void>;
}

export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface NamespaceOptions {
  /** A scratch folder of the test (made 0711 so the containers' users reach their volumes). */
  dir: string;
  services: Record<string, ComposeService>;
  /** Which services to run. */
  run: string[];
  /** Host paths standing in for absolute bind sources (the Docker socket). */
  hostPaths?: Record<string, string>;
  /** Loopback ports made reachable from the test. */
  forward: number[];
  /** Compose names that resolve to the namespace's loopback. */
  hostnames: string[];
}

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

function mountsOf(name: string, svc: ComposeService, o: NamespaceOptions, owner: { uid: number; gid: number }): Mount[] {
  // Our images hold the built checkout at /app: this checkout stands in for it.
  const image = imageName(svc).startsWith('mlmon/') ? [{ source: repoRoot, target: '/app', readOnly: true }] : [];
  return [
    ...image,
    ...(svc.volumes ?? []).map((v) => {
      const [src, target, opts] = v.split(':') as [string, string, string | undefined];
      let source: string;
      if (src.startsWith('.')) source = resolve(repoRoot, src);
      else if (isAbsolute(src)) source = o.hostPaths?.[src] ?? src;
      else {
        // A named volume: a folder of the test, owned by the container's user (as a fresh volume takes the image folder's owner).
        source = join(o.dir, 'volumes', src);
        if (!existsSync(source)) {
          mkdirSync(source, { recursive: true });
          chownSync(source, owner.uid, owner.gid);
          chmodSync(source, 0o700);
        }
      }
      if (!existsSync(source)) throw new Error(`${name}: bind source ${source} does not exist`);
      return { source, target, readOnly: (opts ?? '').split(',').includes('ro') };
    }),
  ];
}

/** A container path with its symlinks resolved as the container sees them.
 * The containers' root is an overlay of the host's /, so the links are the
 * host's, but an absolute link must stay below the root: the image's /var/run
 * links to /run, and taken from the host it would mount over the host's /run. */
export function resolveInImage(target: string, image = '/'): string {
  const rest = target.split('/').filter(Boolean);
  const done: string[] = [];
  for (let hops = 0; rest.length > 0;) {
    const part = rest.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    let link: string | undefined;
    try {
      const at = join(image, ...done, part);
      if (lstatSync(at).isSymbolicLink()) link = readlinkSync(at);
    } catch {
      // Not in the image: the mount script creates it.
    }
    if (link === undefined) {
      done.push(part);
      continue;
    }
    if (++hops > 40) throw new Error(`${target}: too many symbolic links`);
    if (isAbsolute(link)) done.length = 0;
    rest.unshift(...link.split('/').filter(Boolean));
  }
  return `/${done.join('/')}`;
}

function containerScript(name: string, svc: ComposeService, o: NamespaceOptions, root: string, entry?: string[]): string {
  const user = userOf(svc);
  const lines = ['set -e'];
  for (const m of mountsOf(name, svc, o, user)) {
    const at = `${root}${resolveInImage(m.target)}`;
    const isDir = spawnSync('test', ['-d', m.source]).status === 0;
    // A mount point the image already has (a file of /app, itself a read-only mount) is used as it is.
    lines.push(`[ -e ${shq(at)} ] || ${isDir ? `mkdir -p ${shq(at)}` : `{ mkdir -p ${shq(dirname(at))} && touch ${shq(at)}; }`}`);
    lines.push(`mount ${m.source === '/' ? '--rbind' : '--bind'} ${shq(m.source)} ${shq(at)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${shq(at)}`);
  }
  const groups = (svc.group_add ?? []).map(String);
  const argv = [...entrypoint(name, svc, entry), ...(entry ? [] : (svc.command ?? []))];
  lines.push(
    `exec chroot ${shq(root)} setpriv --reuid=${user.uid} --regid=${user.gid} ${groups.length > 0 ? `--groups=${groups.join(',')}` : '--clear-groups'} -- ${argv.map(shq).join(' ')}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Starts the namespace and the services of `o.run`; resolves once the forwards listen. */
export async function startComposeNamespace(o: NamespaceOptions): Promise<ComposeNamespace> {
  const scratch = join(o.dir, 'ns');
  const root = join(scratch, 'root');
  mkdirSync(join(o.dir, 'logs'), { recursive: true });
  mkdirSync(join(o.dir, 'run'), { recursive: true });
  mkdirSync(join(o.dir, 'sockets'), { recursive: true });
  mkdirSync(scratch, { recursive: true });
  const logOf = (s: string) => join(o.dir, 'logs', `${s}.log`);
  const main = [
    'set -e',
    'ip link set lo up',
    'mount --make-rprivate /',
    `mount -t tmpfs tmpfs ${shq(scratch)}`,
    `mkdir ${shq(`${scratch}/u`)} ${shq(`${scratch}/w`)} ${shq(root)}`,
    `mount -t overlay overlay -o lowerdir=/,upperdir=${scratch}/u,workdir=${scratch}/w ${shq(root)}`,
    ...['proc', 'dev', 'sys'].map((d) => `mount --rbind /${d} ${shq(`${root}/${d}`)}`),
    `echo ${shq(`127.0.0.1 ${o.hostnames.join(' ')}`)} >> ${shq(`${root}/etc/hosts`)}`,
    `mkdir ${shq(`${root}/bbin`)} && chroot ${shq(root)} busybox --install -s /bbin`,
  ];
  for (const name of o.run) {
    const svc = o.services[name];
    if (!svc) throw new Error(`no service ${name} in the compose file`);
    const script = join(o.dir, 'run', `${name}.sh`);
    writeFileSync(script, containerScript(name, svc, o, root));
    main.push(`unshare -m sh ${shq(script)} > ${shq(logOf(name))} 2>&1 &`);
  }
  main.push(
    `node ${shq(join(repoRoot, 'dist', 'test', 'container', 'netns-forward.js'))} ${shq(join(o.dir, 'sockets'))} ${o.forward.join(' ')} > ${shq(logOf('forward'))} 2>&1 &`,
    'wait',
  );
  const mainScript = join(o.dir, 'run', 'namespace.sh');
  writeFileSync(mainScript, `${main.join('\n')}\n`);
  const out = openSync(logOf('namespace'), 'a');
  // --kill-child: if this process (or the test) dies, the namespace's pid 1 gets SIGKILL, and with it everything inside.
  const child: ChildProcess = spawn('unshare', ['-m', '-n', '-p', '--fork', '--kill-child', '--mount-proc', 'sh', mainScript], {
    stdio: ['ignore', out, out],
  });
  const unsharePid = child.pid!;
  const ended = new Promise<void>((r) => child.once('exit', () => r()));
  let initPid = 0;
  /** SIGKILL to the namespace's pid 1: the kernel kills everything else in it
   * before pid 1 is gone, and unshare, which waits for pid 1, exits after. */
  const end = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(initPid || unsharePid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await ended;
  };
  const deadline = Date.now() + 30_000;
  let ready = false;
  while (!ready && Date.now() < deadline && child.exitCode === null) {
    if (!initPid) {
      const kids = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim();
      if (kids) initPid = Number(kids.split(/\s+/)[0]);
    }
    ready = initPid > 0 && existsSync(logOf('forward')) && readFileSync(logOf('forward'), 'utf8').includes('ready');
    if (!ready) await new Promise((r) => setTimeout(r, 100));
  }
  if (!ready) {
    await end();
    const log = (f: string) => (existsSync(logOf(f)) ? readFileSync(logOf(f), 'utf8') : '');
    throw new Error(`the namespace did not start:\n${log('namespace')}${log('forward')}`);
  }
  const agents = new Map<number, Agent>();
  const agentFor = (port: number): Agent => {
    let a = agents.get(port);
    if (!a) {
      a = new Agent({ connect: { socketPath: join(o.dir, 'sockets', `${port}.sock`) } });
      agents.set(port, a);
    }
    return a;
  };
  const nsExec = (argv: string[]) => {
    const r = spawnSync('nsenter', ['-t', String(initPid), '-m', '-n', ...argv], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  };
  return {
    initPid,
    root,
    logOf,
    async http(port, path, init = {}) {
      const r = await request(`http://127.0.0.1:${port}${path}`, {
        dispatcher: agentFor(port),
        method: (init.method ?? 'GET') as 'GET',
        headers: init.headers ?? {},
        body: init.body ?? null,
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
      });
      return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
    },
    shell(command) {
      return nsExec(['chroot', root, '/bbin/sh', '-c', `PATH=/bbin; ${command}`]);
    },
    runOnce(name, svc, entry) {
      const script = join(o.dir, 'run', `${name}.sh`);
      writeFileSync(script, containerScript(name, svc, o, root, entry));
      return nsExec(['unshare', '-m', 'sh', script]);
    },
    async stop() {
      await Promise.all([...agents.values()].map((a) => a.close()));
      await end();
    },
  };
}
