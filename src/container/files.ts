import { stringify } from 'yaml';
import { renderBlackboxConfig, withStackProbeModule, type StackSettings } from '../definition/index.js';
import { renderContainerAlertmanagerConfig } from './alertmanager.js';
import { renderComposeFile } from './compose.js';
import { COMPOSE_BLACKBOX_CONFIG, CONTAINER_HEADER } from './conventions.js';
import { renderContainerPrometheusConfig } from './prometheus.js';
import { containerSettings } from './settings.js';

export interface ContainerFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

function yamlFile(value: unknown): string {
  return `# ${CONTAINER_HEADER}\n${stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** The committed files of container mode (pure). */
export function containerFiles(s: StackSettings = containerSettings()): ContainerFile[] {
  return [
    { path: 'docker-compose.yml', content: yamlFile(renderComposeFile(s)) },
    { path: 'docker/prometheus/prometheus.yml', content: yamlFile(renderContainerPrometheusConfig(s)) },
    { path: 'docker/alertmanager/alertmanager.yml', content: renderContainerAlertmanagerConfig(s) },
    {
      path: COMPOSE_BLACKBOX_CONFIG,
      content: `# ${CONTAINER_HEADER}\n${withStackProbeModule(yamlFile(renderBlackboxConfig()), s.access)}`,
    },
  ];
}
