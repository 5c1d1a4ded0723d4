/** Container mode: the compose file and the Prometheus/Alertmanager configs
 * it mounts, rendered from the same stack definition as the native stack. */
export { CADVISOR, IMAGES, NETWORK, OWN_SERVICES, SCRAPE_LABELS, metaLabel } from './conventions.js';
export { CONTAINER_ACCESS, containerSettings, rewriteAddresses, serviceOfPort } from './settings.js';
export { dockerSdScrape, renderContainerPrometheusConfig, scrapedComponents } from './prometheus.js';
export { renderContainerAlertmanagerConfig } from './alertmanager.js';
export { renderComposeFile } from './compose.js';
export { containerFiles, type ContainerFile } from './files.js';
export {
  COMPOSE_ADMIN_USER,
  COMPOSE_BLACKBOX_CONFIG,
  CONFIGURED_ALERTMANAGER_DIR,
  CONFIGURED_LOGIN_DIR,
  COMPOSE_VARIABLES,
  MOUNTS,
  composeVariable,
} from './conventions.js';
export { CONTAINER_SECRETS_DIR } from './alertmanager.js';
export { checkComposeCredentials, redactSecrets, SECRET_VARIABLES } from './credentials.js';
export { setDotEnvValues } from './dotenv-update.js';
export {
  CONFIGURED_DIR_MODE,
  CONFIGURED_FILE_MODE,
  composePathOf,
  configureCompose,
  describeConfigureResult,
  type ComposeConfigureOptions,
  type ComposeConfigureResult,
} from './configure.js';
export { registerContainerCommands } from './cli.js';
export { composeVariablesUsed, interpolateCompose } from './interpolate.js';
