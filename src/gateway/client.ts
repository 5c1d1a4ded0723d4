import { MlmonError } from '../errors.js';
import type { FaultState } from './fault.js';

export interface FaultView {
  fault: FaultState;
  active: boolean;
}

/** Talk to a running gateway's /admin/fault; errors say what to do about them. */
export async function faultRequest(gateway: string, method: 'GET' | 'PUT' | 'DELETE', body?: unknown): Promise<FaultView> {
  const url = `${gateway.replace(/\/+$/, '')}/admin/fault`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  } catch (e) {
    const cause = (e as Error).cause as Error | undefined;
    throw new MlmonError('gateway_unreachable', `cannot reach the gateway: ${cause?.message ?? (e as Error).message}`, {
      location: url,
      hint: 'Is the stack up (`mlmon status`)? Pass --gateway URL for another gateway.',
    });
  }
  const text = await res.text();
  if (res.status === 404) {
    throw new MlmonError('fault_disabled', 'the gateway has no fault control', {
      location: url,
      hint: 'Start it with --admin or MLMON_GATEWAY_ADMIN=1 (the test profile of `mlmon up` does).',
    });
  }
  if (!res.ok) {
    let detail = text;
    try {
      const j = JSON.parse(text) as { field?: string; message?: string };
      detail = `${j.field ? `${j.field}: ` : ''}${j.message ?? text}`;
    } catch {
      /* not JSON: show as is */
    }
    throw new MlmonError('fault_refused', `the gateway refused: HTTP ${res.status} ${detail}`, { location: url });
  }
  return JSON.parse(text) as FaultView;
}
