import { dataDirFrom } from '../definition/index.js';
import { MlmonError } from '../errors.js';
import type { FaultState } from './fault.js';
import { adminTokenPath, findAdminToken } from './token.js';

export interface FaultView {
  fault: FaultState;
  active: boolean;
}

export interface FaultAuth {
  /** The admin token; found by itself when left out (see findAdminToken). */
  token?: string;
  /** Data directory of the stack whose `secrets/admin-token` to use (default MLMON_DATA_DIR or ./data). */
  dataDir?: string;
}

/** Talk to a running gateway's /admin/fault; errors say what to do about them.
 * The bearer token comes from `auth.token`, MLMON_GATEWAY_ADMIN_TOKEN, or the
 * stack's `<data-dir>/secrets/admin-token`, in that order. */
export async function faultRequest(
  gateway: string,
  method: 'GET' | 'PUT' | 'DELETE',
  body?: unknown,
  auth: FaultAuth = {},
): Promise<FaultView> {
  const url = `${gateway.replace(/\/+$/, '')}/admin/fault`;
  const token = auth.token ?? findAdminToken(auth.dataDir === undefined ? {} : { dataDir: auth.dataDir });
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
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
      hint: 'Start the stack with `mlmon up --fault-injection` (the test profile has it on); a gateway run by hand takes `mlmon serve gateway --admin`.',
    });
  }
  if (res.status === 401) {
    throw new MlmonError(
      'fault_unauthorized',
      token ? 'the gateway refused the admin token' : 'the gateway needs an admin token and none was found',
      {
        location: url,
        hint: `Pass --data-dir of the stack (its token is ${adminTokenPath(dataDirFrom(auth.dataDir))}) or set MLMON_GATEWAY_ADMIN_TOKEN; the token changes at every \`mlmon up\`.`,
      },
    );
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
