/** Sets variables in the text of a `.env` file (pure): an existing
 * assignment (also `export NAME=`) is replaced in place, so comments, order
 * and every other line, secrets included, stay exactly as the user wrote
 * them; a missing one is appended under `comment`. */
export function setDotEnvValues(text: string, values: Record<string, string>, comment: string): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const missing = new Map(Object.entries(values));
  // Every assignment of a name is replaced: with duplicates, the last one wins when parsed.
  const out = lines.map((line) => {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    const v = name !== undefined && Object.hasOwn(values, name) ? values[name] : undefined;
    if (name === undefined || v === undefined) return line;
    missing.delete(name);
    return `${name}=${v}`;
  });
  if (missing.size > 0) {
    if (out.length > 0 && out[out.length - 1] !== '') out.push('');
    out.push(`# ${comment}`);
    for (const [k, v] of missing) out.push(`${k}=${v}`);
  }
  return `${out.join('\n')}\n`;
}
