/* Share of the gateway's CPU spent on instrumentation, from a V8 CPU profile.
 *
 * Throughput ratios between two runs swing by several percent on a shared machine
 * (predict.ts --aa shows the spread between two identical gateways). A sampling
 * profile of one instrumented gateway under load does not: every sample falls in
 * the same run, and the figure is the share of busy samples whose stack is in the
 * instrumentation (the metric families, GatewayMetrics, prom-client, and the
 * fastify hook runner that calls the onResponse hook). */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A frame belongs to the instrumentation when it is one of these. */
export function isInstrumentationFrame(f: ProfileNode['callFrame']): boolean {
  return (
    f.url.includes('/src/metrics/') ||
    f.url.endsWith('/src/gateway/metrics.js') ||
    f.url.includes('/node_modules/prom-client/') ||
    (f.url.endsWith('/fastify/lib/hooks.js') && f.functionName === 'hookRunner')
  );
}

export interface ProfileShare {
  busyMs: number;
  instrumentationMs: number;
  /** instrumentationMs / busyMs, in percent. */
  percent: number;
}

/** Busy time (every sample but idle) and the part of it with an instrumentation frame on the stack. */
export function instrumentationShare(file: string): ProfileShare {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inInstrumentation = new Map<number, boolean>();
  const flagged = (id: number): boolean => {
    const known = inInstrumentation.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const up = parent.get(id);
    const v = node !== undefined && (isInstrumentationFrame(node.callFrame) || (up !== undefined && flagged(up)));
    inInstrumentation.set(id, v);
    return v;
  };
  let busy = 0;
  let instr = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    busy += dt;
    if (flagged(id)) instr += dt;
  });
  return { busyMs: busy / 1000, instrumentationMs: instr / 1000, percent: busy > 0 ? (instr / busy) * 100 : 0 };
}
