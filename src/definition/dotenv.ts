import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** Variables of a `.env` file layered under the process environment: a variable
 * already set in the environment wins over the file. Returns the merged copy. */
export function withDotEnv(file: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!existsSync(file)) return env;
  const fromFile = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const [k, v] of Object.entries(fromFile)) {
    if (merged[k] === undefined || merged[k] === '') merged[k] = v;
  }
  return merged;
}
