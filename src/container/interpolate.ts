/** Compose's variable interpolation, the part our compose file uses:
 * `${NAME}`, `${NAME:-default}` (unset or empty), `${NAME-default}` (unset),
 * `${NAME:?message}` (required: unset or empty is an error) and `$$` for a literal dollar. Pure; lets tests see the file as
 * `docker compose config` would without a Docker engine or the compose plugin. */
const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-|:\?)([^}]*))?\}/g;

export function interpolateCompose(text: string, env: Record<string, string | undefined>): string {
  return text.replace(REFERENCE, (whole, name: string | undefined, op: string | undefined, fallback: string | undefined) => {
    if (name === undefined) return '$';
    const v = env[name];
    if (op === ':-') return v === undefined || v === '' ? (fallback ?? '') : v;
    if (op === '-') return v === undefined ? (fallback ?? '') : v;
    if (op === ':?') {
      if (v === undefined || v === '') throw new Error(`required variable ${name} is missing a value: ${fallback ?? ''}`);
      return v;
    }
    return v ?? '';
  });
}

/** Every variable the text reads, with the default it gives (if any). */
export function composeVariablesUsed(text: string): Map<string, string | undefined> {
  const used = new Map<string, string | undefined>();
  for (const m of text.matchAll(REFERENCE)) {
    // A required variable (`:?`) has no default; its text is the error message.
    if (m[1] !== undefined) used.set(m[1], m[2] === ':?' ? undefined : m[3]);
  }
  return used;
}
