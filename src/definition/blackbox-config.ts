import { parse, stringify } from 'yaml';
import { STACK_AUTH_PROBE_MODULE } from './scrape-jobs.js';
import type { StackAccess } from './settings.js';

/** The user's blackbox.yml with one module added: the stack's own probe of
 * Prometheus and Alertmanager, which demand the admin credentials (pure). */
export function withStackProbeModule(blackboxYml: string, access: StackAccess | undefined): string {
  if (!access) return blackboxYml;
  let doc: { modules?: Record<string, unknown> };
  try {
    doc = (parse(blackboxYml) ?? {}) as { modules?: Record<string, unknown> };
  } catch {
    // Not YAML: left as written, for the blackbox exporter's own check to report with its line.
    return blackboxYml;
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) return blackboxYml;
  doc.modules = {
    ...(doc.modules ?? {}),
    [STACK_AUTH_PROBE_MODULE]: {
      prober: 'http',
      timeout: '5s',
      http: {
        method: 'GET',
        preferred_ip_protocol: 'ip4',
        basic_auth: { username: access.username, password_file: access.passwordFile },
        ...(access.tls ? { tls_config: { ca_file: access.tls.certFile } } : {}),
      },
    },
  };
  return stringify(doc, { lineWidth: 0 });
}

/** Blackbox exporter modules used by the `blackbox` scrape job (pure). */
export function renderBlackboxConfig(): Record<string, unknown> {
  return {
    modules: {
      http_2xx: {
        prober: 'http',
        timeout: '5s',
        http: {
          valid_status_codes: [],
          method: 'GET',
          preferred_ip_protocol: 'ip4',
          ip_protocol_fallback: true,
          follow_redirects: true,
        },
      },
      // For HTTPS targets: fails on an invalid chain; probe_ssl_earliest_cert_expiry feeds the TLS expiry alert.
      https_2xx: {
        prober: 'http',
        timeout: '5s',
        http: { method: 'GET', fail_if_not_ssl: true, preferred_ip_protocol: 'ip4' },
      },
      tcp_connect: {
        prober: 'tcp',
        timeout: '5s',
        tcp: { preferred_ip_protocol: 'ip4' },
      },
    },
  };
}
