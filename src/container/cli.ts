import { join } from 'node:path';
import type { Command } from 'commander';
import { MlmonError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { CONFIGURED_ALERTMANAGER_DIR, CONFIGURED_LOGIN_DIR } from './conventions.js';
import { configureCompose, describeConfigureResult } from './configure.js';
import { containerSettings } from './settings.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

function parseGid(v: string): number {
  if (!/^\d+$/.test(v)) throw new MlmonError('bad_option', `--gid ${v}: expected a numeric group id`, { hint: 'e.g. --gid "$(id -g)"' });
  return Number(v);
}

/** `mlmon compose configure`: a separate command rather than an option of
 * `generate`, because generate writes committed files that `--check`
 * compares, while this writes one machine's secrets into a git-ignored folder. */
export function registerContainerCommands(program: Command): void {
  const compose = program.command('compose').description('Docker Compose: per-machine configuration of the compose stack');
  compose
    .command('configure')
    .description(
      "write the compose stack's login (MLMON_ADMIN_PASSWORD of .env, or a random one) and its Alertmanager config with the credentials of .env (Slack, PagerDuty, email, heartbeat) into git-ignored folders, and point docker-compose.yml at them (compose refuses to start before)",
    )
    .option('--env-file <file>', 'the .env to read credentials from (the environment wins) and to update', join(repoRoot, '.env'))
    .option(
      '--out <dir>',
      'Alertmanager folder to write (mounted read-only as /etc/alertmanager/config)',
      join(repoRoot, CONFIGURED_ALERTMANAGER_DIR),
    )
    .option('--login-dir <dir>', 'login folder to write (mounted read-only as /etc/mlmon/login)', join(repoRoot, CONFIGURED_LOGIN_DIR))
    .option(
      '--gid <gid>',
      'host group allowed to read the secrets (given to the Alertmanager container); default: your primary group',
      parseGid,
    )
    .option('--no-update-env', 'do not write the compose variables to the .env file; print them instead')
    .action(async (o: { envFile: string; out: string; loginDir: string; gid?: number; updateEnv: boolean }) => {
      const r = await configureCompose({
        envFile: o.envFile,
        outDir: o.out,
        loginDir: o.loginDir,
        composeDir: repoRoot,
        templatesDir: join(repoRoot, 'config', 'alertmanager', 'templates'),
        settings: containerSettings(),
        ...(o.gid !== undefined ? { gid: o.gid } : {}),
        updateEnvFile: o.updateEnv,
      });
      for (const line of describeConfigureResult(r, o.envFile)) say(line);
    });
}
