/** The one client of the stack's upstream APIs (Prometheus, Alertmanager, the
 * notification sink) and the admin credentials they demand: every caller (the
 * console, the alert tests, the supervisor, the CLI, the tests) goes through it,
 * so each request carries the credentials the same way. */
export {
  ADMIN_PASSWORD_ENV,
  ADMIN_PASSWORD_FILE,
  ADMIN_USER_ENV,
  ADMIN_USER_FILE,
  DEFAULT_ADMIN_USER,
  WEB_CONFIG_FILE,
  adminCredentialsFromEnv,
  adminPasswordPath,
  authHeaders,
  basicAuthorization,
  ensureAdminCredentials,
  readAdminCredentials,
  readMountedAdminCredentials,
  renderWebConfig,
  type AdminCredentialFiles,
  type BasicCredentials,
} from './credentials.js';
export {
  PrometheusClient,
  matchers,
  prometheusGraphUrl,
  sampleValue,
  type InstantSample,
  type Labels,
  type ClientOptions,
  type PrometheusAlert,
  type PrometheusRule,
  type RangeSeries,
} from './prometheus.js';
export { AlertmanagerClient, exactMatchers, type AmAlert, type AmSilence, type NewSilence, type SilenceMatcher } from './alertmanager.js';
export { newRequestLog, requestJson, UpstreamError, type RequestLog, type UpstreamName, type UpstreamRequest } from './request.js';
export { trustCertificate } from './trust.js';
