/** Container mode: the compose file and the Prometheus/Alertmanager configs
 * it mounts, rendered from the same stack definition as the native stack. */
export { CADVISOR, IMAGES, NETWORK, OWN_SERVICES, SCRAPE_LABELS, metaLabel } from './conventions.js';
export { containerSettings, rewriteAddresses, serviceOfPort } from './settings.js';
export { dockerSdScrape, renderContainerPrometheusConfig, scrapedComponents } from './prometheus.js';
export { renderContainerAlertmanagerConfig } from './alertmanager.js';
export { renderComposeFile } from './compose.js';
export { containerFiles, type ContainerFile } from './files.js';
