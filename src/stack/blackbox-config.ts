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
