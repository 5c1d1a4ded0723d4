import type { Command } from 'commander';
import { stackPaths } from '../definition/index.js';
import { MlmonError } from '../errors.js';
import {
  ADMIN_PASSWORD_ENV,
  ADMIN_USER_ENV,
  adminCredentialsFromEnv,
  readAdminCredentials,
  readMountedAdminCredentials,
  type BasicCredentials,
} from '../upstream/index.js';

/** Where a service of ours finds the stack's admin login, which it demands
 * of its clients: the flags of `loginOptions`. */
export interface LoginFlags {
  dataDir: string;
  loginDir?: string;
  requireLogin?: boolean;
}

/** `--login-dir` and `--require-login`, for a service that asks for the stack's login. */
export function loginOptions(cmd: Command): Command {
  return cmd
    .option(
      '--login-dir <dir>',
      `folder holding admin-user and admin-password, mounted read-only (compose); default: ${ADMIN_USER_ENV}/${ADMIN_PASSWORD_ENV}, else <data-dir>/secrets/`,
    )
    .option('--require-login', 'refuse to start without the login, rather than serve without one (containers)');
}

/** The login, from the first source that has one: the mounted folder (compose),
 * the environment (a Kubernetes Secret), the stack's own secrets folder
 * (`mlmon up`). Without one, undefined, or a refusal under --require-login. */
export function resolveLogin(flags: LoginFlags, component: string, env: NodeJS.ProcessEnv = process.env): BasicCredentials | undefined {
  const login =
    (flags.loginDir !== undefined ? readMountedAdminCredentials(flags.loginDir) : undefined) ??
    adminCredentialsFromEnv(env) ??
    readAdminCredentials(stackPaths(flags.dataDir).secretsDir);
  if (!login && flags.requireLogin) {
    const where = flags.loginDir !== undefined ? `${flags.loginDir}/admin-password` : ADMIN_PASSWORD_ENV;
    throw new MlmonError('login_missing', `${component}: no admin login found (${where}); refusing to serve without one`, {
      hint:
        flags.loginDir !== undefined
          ? 'Run `mlmon compose configure` (it writes the login folder) and start the container again.'
          : `Give the container ${ADMIN_USER_ENV} and ${ADMIN_PASSWORD_ENV} (from a Secret).`,
    });
  }
  return login;
}
