import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface SecretFinding {
  file: string;
  line: number;
  what: string;
}

/** Shapes of real credentials: these never belong in a repository or a log,
 * whoever wrote them. Test fixtures use obviously fake values that match none. */
export const SECRET_PATTERNS: ReadonlyArray<{ what: string; re: RegExp }> = [
  { what: 'Slack webhook URL', re: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{20,}/ },
  { what: 'Slack token', re: /\bxox[abposr]-[0-9A-Za-z-]{10,}/ },
  { what: 'private key', re: /-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----/ },
  { what: 'AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/ },
  { what: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { what: 'npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/ },
];

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'test-output', 'data']);

/** Text files under `root` (skipping dependencies, build output and data). */
export function textFiles(root: string, skipDirs: ReadonlySet<string> = SKIP_DIRS): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!skipDirs.has(name)) walk(p);
      } else if (st.isFile() && st.size < 5_000_000) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** The files git would commit from `root`: tracked ones plus untracked ones that
 * are not ignored. Git-ignored local files (`.env`, `docker/local/`) are meant to
 * hold real credentials and never leave the machine. Outside a git checkout, every
 * text file. */
export function repositoryFiles(root: string): string[] {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) return textFiles(root);
  return r.stdout
    .split('\0')
    .filter((f) => f !== '')
    .map((f) => join(root, f))
    .filter((p) => {
      try {
        const st = statSync(p);
        return st.isFile() && st.size < 5_000_000;
      } catch {
        return false; // deleted in the work tree, not yet in the index
      }
    });
}

/** Lines of `files` holding a credential shape or one of the `known` secret values. */
export function scanForSecrets(files: string[], known: string[] = [], root = '/'): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const values = known.filter((k) => k.length >= 8);
  for (const file of files) {
    let text: string;
    try {
      const buf = readFileSync(file);
      if (buf.includes(0)) continue; // binary (TSDB chunks, images)
      text = buf.toString('utf8');
    } catch {
      continue;
    }
    text.split('\n').forEach((line, i) => {
      for (const p of SECRET_PATTERNS) if (p.re.test(line)) findings.push({ file: relative(root, file), line: i + 1, what: p.what });
      for (const v of values) if (line.includes(v)) findings.push({ file: relative(root, file), line: i + 1, what: 'a known test secret' });
    });
  }
  return findings;
}
