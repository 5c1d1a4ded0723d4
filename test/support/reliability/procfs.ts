import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Listener {
  pid: number;
  address: string;
  port: number;
}

/** Decodes the hex address of /proc/net/tcp (little-endian IPv4) or tcp6. */
export function decodeProcAddress(hex: string): string {
  if (hex.length === 8) {
    const b = Buffer.from(hex, 'hex');
    return `${b[3]}.${b[2]}.${b[1]}.${b[0]}`;
  }
  // IPv6: four little-endian 32-bit words.
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = Buffer.concat(words.map((w) => Buffer.from(w, 'hex').reverse()));
  if (bytes.subarray(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  const full = groups.join(':');
  if (full === '0:0:0:0:0:0:0:0') return '::';
  if (full === '0:0:0:0:0:0:0:1') return '::1';
  return full;
}

/** Sockets in LISTEN state from a /proc/net/tcp{,6} text: inode → address:port. */
export function parseListening(text: string): Map<string, { address: string; port: number }> {
  const out = new Map<string, { address: string; port: number }>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue; // 0A = TCP_LISTEN
    const [addr, port] = (f[1] ?? '').split(':');
    if (!addr || !port) continue;
    out.set(f[9] as string, { address: decodeProcAddress(addr), port: parseInt(port, 16) });
  }
  return out;
}

/** Every TCP socket the given processes listen on, from procfs (no `ss` needed). */
export function listenersOf(pids: number[]): Listener[] {
  const sockets = new Map<string, { address: string; port: number }>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const [k, v] of parseListening(readFileSync(f, 'utf8'))) sockets.set(k, v);
    } catch {
      /* no IPv6 */
    }
  }
  const out: Listener[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      const s = m ? sockets.get(m[1] as string) : undefined;
      if (s) out.push({ pid, ...s });
    }
  }
  return out;
}

/** Resident set size of a process in bytes (VmRSS), undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
