/** Value of one sample line of the exposition text; undefined when the series is absent. */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !(want.length === 0 && line.startsWith(name + ' '))) continue;
    const brace = line.indexOf('}');
    const labelText = brace === -1 ? '' : line.slice(name.length + 1, brace);
    const parts = labelText === '' ? [] : labelText.split(',');
    if (want.every((w) => parts.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
