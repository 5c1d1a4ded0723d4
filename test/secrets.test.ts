import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isMlmonError } from '../src/errors.js';
import { ensurePrivateDir, newToken, readSecretFile, removeSecretFile, writeSecretFile } from '../src/secrets.js';

const base = mkdtempSync(join(tmpdir(), 'mlmon-secrets-'));
after(() => rmSync(base, { recursive: true, force: true }));
const refused = (e: unknown) => isMlmonError(e) && e.code === 'unsafe_secret_path';

describe('secret files', () => {
  it('are written 0600 in a 0700 folder, and read back', () => {
    const dir = join(base, 'a', 'secrets');
    writeSecretFile(dir, 'token', 'abc\n');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o600);
    assert.equal(readSecretFile(dir, 'token'), 'abc\n');
    assert.equal(readSecretFile(dir, 'missing'), undefined);
    removeSecretFile(dir, 'token');
    assert.equal(readSecretFile(dir, 'token'), undefined);
  });

  it('a loose folder of our own is tightened to 0700', () => {
    const dir = join(base, 'loose');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    ensurePrivateDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('a symlink planted at the target is replaced, never followed', () => {
    const dir = join(base, 'b');
    ensurePrivateDir(dir);
    const victim = join(base, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'token'));
    assert.throws(() => readSecretFile(dir, 'token'), refused);
    writeSecretFile(dir, 'token', 'new');
    assert.equal(readFileSync(victim, 'utf8'), 'precious', 'the symlink target is untouched');
    assert.ok(!lstatSync(join(dir, 'token')).isSymbolicLink());
    assert.equal(readSecretFile(dir, 'token'), 'new');
  });

  it('a secrets folder that is a symlink is refused', () => {
    const real = join(base, 'elsewhere');
    mkdirSync(real, { mode: 0o700 });
    const link = join(base, 'c-secrets');
    symlinkSync(real, link);
    assert.throws(() => writeSecretFile(link, 'token', 'x'), refused);
  });

  it('names are plain file names', () => {
    assert.throws(() => writeSecretFile(join(base, 'd'), '../escape', 'x'), /plain file name/);
  });

  it(
    'a folder or a file owned by another user is refused',
    { skip: process.getuid?.() !== 0 ? 'needs root to chown to another user' : false },
    () => {
      const dir = join(base, 'foreign');
      mkdirSync(dir, { mode: 0o700 });
      chownSync(dir, 65534, 65534);
      assert.throws(() => writeSecretFile(dir, 'token', 'x'), refused);
      const mine = join(base, 'mine');
      writeSecretFile(mine, 'token', 'x');
      chownSync(join(mine, 'token'), 65534, 65534);
      assert.throws(() => readSecretFile(mine, 'token'), refused);
    },
  );

  it('tokens are 256 random bits, URL-safe', () => {
    const a = newToken();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, newToken());
  });
});
