import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackPaths, StackSettings } from './settings.js';

/** The Alertmanager configuration for a run directory. */
export async function alertmanagerSource(s: StackSettings, _p: StackPaths): Promise<string> {
  const committed = join(s.configDir, 'alertmanager', 'alertmanager.yml');
  if (existsSync(committed)) return readFileSync(committed, 'utf8');
  return 'route:\n  receiver: default\nreceivers:\n  - name: default\n';
}
