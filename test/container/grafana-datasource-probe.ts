/** Run as Grafana's container would (its user, its provisioning and login
 * mounts): reads the provisioned datasource, expands `$__file{...}` and
 * `$VAR` as Grafana's provisioning does, and asks the datasource's Prometheus
 * what Grafana's proxy asks (a POST query, basic auth when the datasource has
 * it), then once more without the login. Prints one JSON line. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface Datasource {
  uid: string;
  url: string;
  basicAuth?: boolean;
  basicAuthUser?: string;
  secureJsonData?: { basicAuthPassword?: string };
  jsonData?: { httpMethod?: string };
}

/** Grafana's expansion of provisioning values: $__file{path}, $__env{NAME}, $NAME / ${NAME}. */
function expand(value: string): string {
  return value
    .replace(/\$__file\{([^}]+)\}/g, (_m, path: string) => readFileSync(path, 'utf8').trim())
    .replace(/\$__env\{([^}]+)\}/g, (_m, name: string) => process.env[name] ?? '')
    .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => process.env[name] ?? '');
}

const file = process.argv[2] ?? '/etc/grafana/provisioning/datasources/mlmon.yaml';
const doc = parse(readFileSync(file, 'utf8')) as { datasources: Datasource[] };
const ds = doc.datasources[0]!;
const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
let passwordRead = false;
if (ds.basicAuth) {
  const password = expand(ds.secureJsonData?.basicAuthPassword ?? '');
  passwordRead = password.length > 0;
  headers.authorization = `Basic ${Buffer.from(`${expand(ds.basicAuthUser ?? '')}:${password}`).toString('base64')}`;
}
const query = async (h: Record<string, string>) => {
  const r = await fetch(`${ds.url}/api/v1/query`, { method: ds.jsonData?.httpMethod ?? 'GET', headers: h, body: 'query=up' });
  const body = (await r.json().catch(() => ({}))) as { data?: { result?: unknown[] } };
  return { status: r.status, series: body.data?.result?.length ?? 0 };
};
const { authorization: _a, ...anonymous } = headers;
const withLogin = await query(headers);
const withoutLogin = await query(anonymous);
process.stdout.write(
  `${JSON.stringify({ uid: ds.uid, url: ds.url, basicAuth: ds.basicAuth === true, passwordRead, withLogin, withoutLogin })}\n`,
);
