/** A small Docker Engine API on loopback: the endpoints Prometheus's docker
 * service discovery calls (version negotiation, the container list with its
 * daemon-side filters, the network list), answering from fixed fixtures and
 * recording every request, so a test can see what a real Prometheus asked. */
import { createServer, type Server } from 'node:http';

export interface FakeNetwork {
  name: string;
  id: string;
  labels?: Record<string, string>;
}

export interface FakePort {
  port: number;
  type?: 'tcp' | 'udp';
  /** Published on the host (PublicPort/IP in the API). */
  published?: boolean;
}

export interface FakeContainer {
  /** Without the leading slash the API adds. */
  name: string;
  labels: Record<string, string>;
  /** Network name → IP address of the container on it. */
  networks: Record<string, string>;
  ports: FakePort[];
}

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface FakeDocker {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

/** The API version announced by /_ping; the client then prefixes every path with it. */
export const FAKE_API_VERSION = '1.41';

function hex(seed: string, length: number): string {
  let h = 2166136261;
  let out = '';
  while (out.length < length) {
    for (const c of `${seed}${out.length}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

/** `filters` as the Docker client sends it: {"label":{"k=v":true}} (older
 * clients) or {"label":["k=v"]}. Only the label filter is implemented;
 * another filter is an error, so a client relying on one is noticed. */
function labelFilters(raw: string | undefined): string[] {
  if (!raw) return [];
  const parsed = JSON.parse(raw) as Record<string, Record<string, boolean> | string[]>;
  const out: string[] = [];
  for (const [name, values] of Object.entries(parsed)) {
    if (name !== 'label') throw new Error(`fake docker: filter ${name} is not implemented`);
    out.push(...(Array.isArray(values) ? values : Object.keys(values).filter((k) => values[k])));
  }
  return out;
}

function matchesLabel(c: FakeContainer, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return filter in c.labels;
  return c.labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

function containerJson(c: FakeContainer, networks: FakeNetwork[]): Record<string, unknown> {
  const nets = Object.entries(c.networks);
  return {
    Id: hex(c.name, 64),
    Names: [`/${c.name}`],
    Image: 'example/image:1',
    ImageID: `sha256:${hex(`${c.name}-image`, 64)}`,
    Command: 'serve',
    Created: 1_700_000_000,
    Ports: c.ports.map((p) => ({
      PrivatePort: p.port,
      Type: p.type ?? 'tcp',
      ...(p.published ? { PublicPort: p.port, IP: '127.0.0.1' } : {}),
    })),
    Labels: c.labels,
    State: 'running',
    Status: 'Up 5 minutes (healthy)',
    HostConfig: { NetworkMode: nets[0]?.[0] ?? 'none' },
    NetworkSettings: {
      Networks: Object.fromEntries(
        nets.map(([name, ip]) => {
          const n = networks.find((x) => x.name === name);
          if (!n) throw new Error(`fake docker: container ${c.name} on unknown network ${name}`);
          return [
            name,
            {
              NetworkID: n.id,
              EndpointID: hex(`${c.name}-${name}`, 64),
              Gateway: '',
              IPAddress: ip,
              IPPrefixLen: 24,
              MacAddress: '02:42:00:00:00:01',
            },
          ];
        }),
      ),
    },
    Mounts: [],
  };
}

function networkJson(n: FakeNetwork): Record<string, unknown> {
  return {
    Name: n.name,
    Id: n.id,
    Created: '2026-01-01T00:00:00Z',
    Scope: 'local',
    Driver: 'bridge',
    EnableIPv6: false,
    Internal: false,
    Attachable: false,
    Ingress: false,
    Labels: n.labels ?? {},
  };
}

/** Listens on a loopback TCP port, or on a unix socket path (as the daemon does). */
export async function startFakeDocker(listen: number | string, containers: FakeContainer[], networks: FakeNetwork[]): Promise<FakeDocker> {
  const requests: FakeRequest[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    requests.push({ method: req.method ?? 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams) });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'api-version': FAKE_API_VERSION,
        ostype: 'linux',
        'docker-experimental': 'false',
      });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    };
    // Version negotiation: the client reads API-Version from /_ping.
    if (u.pathname === '/_ping') {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'api-version': FAKE_API_VERSION,
        ostype: 'linux',
        'docker-experimental': 'false',
      });
      res.end(req.method === 'HEAD' ? undefined : 'OK');
      return;
    }
    const path = u.pathname.replace(/^\/v\d+\.\d+/, '');
    try {
      if (path === '/version')
        return send(200, { ApiVersion: FAKE_API_VERSION, MinAPIVersion: '1.12', Version: '24.0.0-fake', Os: 'linux', Arch: 'amd64' });
      if (path === '/containers/json') {
        const filters = labelFilters(u.searchParams.get('filters') ?? undefined);
        return send(
          200,
          containers.filter((c) => filters.every((f) => matchesLabel(c, f))).map((c) => containerJson(c, networks)),
        );
      }
      if (path === '/networks') return send(200, networks.map(networkJson));
      send(404, { message: `fake docker: no such endpoint ${u.pathname}` });
    } catch (e) {
      send(500, { message: (e as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (typeof listen === 'string') server.listen(listen, () => resolve());
    else server.listen(listen, '127.0.0.1', () => resolve());
  });
  return {
    url: typeof listen === 'string' ? `unix://${listen}` : `http://127.0.0.1:${listen}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
