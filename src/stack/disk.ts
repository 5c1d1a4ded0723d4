import { statfsSync } from 'node:fs';

export interface DiskSpace {
  availBytes: number;
  sizeBytes: number;
  /** Share of the filesystem still free for unprivileged writes (0..1). */
  freeRatio: number;
}

/** Free space of the filesystem holding `dir`. */
export function diskSpace(dir: string): DiskSpace {
  const s = statfsSync(dir);
  const sizeBytes = s.blocks * s.bsize;
  const availBytes = s.bavail * s.bsize;
  return { availBytes, sizeBytes, freeRatio: sizeBytes > 0 ? availBytes / sizeBytes : 0 };
}

const MiB = 1024 * 1024;

/** A warning when the data directory is nearly full: under 10% (the threshold of
 * the NodeDiskSpaceLow alert) or under 512 MiB, where a TSDB compaction or WAL
 * segment may no longer fit. */
export function diskWarning(d: DiskSpace): string | undefined {
  if (d.freeRatio < 0.1 || d.availBytes < 512 * MiB) {
    return (
      `the data directory's disk is nearly full: ${formatBytes(d.availBytes)} free of ${formatBytes(d.sizeBytes)} (${(100 * d.freeRatio).toFixed(1)}%). ` +
      'Prometheus stops writing when it is full: free space, lower --retention-size, or move --data-dir.'
    );
  }
  return undefined;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * MiB) return `${(n / (1024 * 1024 * MiB)).toFixed(1)} TiB`;
  if (n >= 1024 * MiB) return `${(n / (1024 * MiB)).toFixed(1)} GiB`;
  return `${(n / MiB).toFixed(0)} MiB`;
}
