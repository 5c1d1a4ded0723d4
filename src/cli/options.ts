/** Commander argument parser for a repeatable option: every occurrence is kept, in order. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
