/** Secret files (tokens, passwords, credentials) under a private folder that
 * only this user can enter. Everything here refuses to follow a symlink or to
 * trust a folder or file another user owns: a local user who plants
 * `secrets/admin-token -> /home/you/.bashrc`, or creates `secrets/` first,
 * gets a clear refusal instead of our secret or our write. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, join } from 'node:path';
import { MlmonError } from './errors.js';

/** Longest secret file we read: a token, a password or a small config. */
const MAX_SECRET_BYTES = 1024 * 1024;

const myUid = (): number | undefined => process.getuid?.();

function refuse(path: string, what: string): MlmonError {
  return new MlmonError('unsafe_secret_path', `${path}: ${what}; refusing to use it for secrets`, {
    hint: 'Remove it (or give the data directory to this user) and start again; secrets live only in a folder you own.',
  });
}

/** Makes sure `dir` is a real folder (not a symlink) owned by this user, mode
 * 0700, creating it (and its parents) when missing. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw refuse(dir, 'is a symbolic link');
  if (!st.isDirectory()) throw refuse(dir, 'is not a directory');
  const uid = myUid();
  if (uid !== undefined && st.uid !== uid) throw refuse(dir, `is owned by uid ${st.uid}, not by this user (uid ${uid})`);
  if ((st.mode & 0o777) !== 0o700) {
    // fchmod on a descriptor opened without following links: no window for a
    // swap between the check above and the change.
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    try {
      fchmodSync(fd, 0o700);
    } finally {
      closeSync(fd);
    }
  }
}

function checkName(name: string): void {
  if (name !== basename(name) || name === '' || name === '.' || name === '..') {
    throw new MlmonError('bad_secret_name', `secret file name "${name}" must be a plain file name`);
  }
}

/** Writes `content` to `<dir>/<name>` owner-only (0600), atomically: a new file
 * is created exclusively (O_EXCL, O_NOFOLLOW) beside the target, flushed, and
 * renamed over it, so a planted symlink at the target is replaced, never
 * followed, and a reader sees the old secret or the new one. */
export function writeSecretFile(dir: string, name: string, content: string): string {
  checkName(name);
  ensurePrivateDir(dir);
  const path = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    const buf = Buffer.from(content);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return path;
}

/** The content of `<dir>/<name>`, or undefined when it does not exist. A
 * symlink, a non-regular file, or a file of another user is refused. */
export function readSecretFile(dir: string, name: string): string | undefined {
  checkName(name);
  const uid = myUid();
  return readSecretAt(join(dir, name), (path, st) => {
    if (uid !== undefined && st.uid !== uid) throw refuse(path, `is owned by uid ${st.uid}, not by this user (uid ${uid})`);
  });
}

/** A secret another user wrote for us: a file mounted read-only into a
 * container (compose bind mount), owned by the operator on the host and
 * readable through a group. The owner check of readSecretFile cannot hold
 * there; what still holds: no symlink is followed, it is a regular file of a
 * secret's size, and nobody but its owner may write it. Undefined when absent. */
export function readMountedSecretFile(path: string): string | undefined {
  return readSecretAt(path, (at, st) => {
    if ((st.mode & 0o022) !== 0) throw refuse(at, `may be written by others (mode ${(st.mode & 0o777).toString(8)})`);
  });
}

/** Reads `path` without following a symlink: undefined when absent; a link, a
 * non-regular file, one over MAX_SECRET_BYTES, or one `trust` refuses is an error. */
function readSecretAt(path: string, trust: (path: string, st: Stats) => void): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw refuse(path, 'is a symbolic link');
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw refuse(path, 'is not a regular file');
    trust(path, st);
    if (st.size > MAX_SECRET_BYTES) throw refuse(path, `is ${st.size} bytes, more than a secret file holds`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Removes `<dir>/<name>` if present (a symlink there is removed, not followed). */
export function removeSecretFile(dir: string, name: string): void {
  checkName(name);
  rmSync(join(dir, name), { force: true });
}

/** A fresh random token: 256 bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time check of an `Authorization: Bearer <token>` header. Both sides
 * are hashed first so their lengths match and the length of the token leaks nothing. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1] as string), digest(token));
}
