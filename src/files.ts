import { randomBytes } from 'node:crypto';
import { chmod, open, rename, rm, type FileHandle } from 'node:fs/promises';

/** Writes through a temp file beside `path` and renames it over `path`, so a
 * reader (or a crash) sees the old file or the new one, never half of one.
 * `mode` is applied to the new file whatever the umask; `fsync` flushes it to
 * disk before the rename, for state that must survive a power cut. */
export async function writeFileAtomic(path: string, content: string, opts: { mode?: number; fsync?: boolean } = {}): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await open(tmp, 'w', opts.mode ?? 0o666);
    try {
      await fh.writeFile(content);
      if (opts.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.mode !== undefined) await chmod(tmp, opts.mode);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** `path` opened for reading, or undefined when it does not exist (a file
 * another process may remove or has yet to create); other errors are thrown. */
export async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
