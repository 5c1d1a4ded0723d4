import type { Command } from 'commander';
import { DATA_DIR_ENV, DEFAULT_DATA_DIR } from '../definition/index.js';

/** Commander argument parser for a repeatable option: every occurrence is kept, in order. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The `--data-dir` option every command that reads or runs a stack takes:
 * the flag, else MLMON_DATA_DIR, else ./data. */
export function dataDirOption(cmd: Command, what = 'data directory of the stack (TSDB, logs, state)'): Command {
  return cmd.option('--data-dir <dir>', `${what}; env ${DATA_DIR_ENV}`, process.env[DATA_DIR_ENV] || DEFAULT_DATA_DIR);
}
