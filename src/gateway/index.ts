// The gateway room: the inference HTTP service, its metrics, the fault control client and the load generator.
import type { GatewayOptions, GatewayTimeouts } from './server.js';
export type { Gateway, GatewayOptions, GatewayTimeouts } from './server.js';

/** Start the gateway. Its server (fastify, the model) loads here, on first use: the
 * rooms that only need its tokens or constants never load it. */
export async function startGateway(
  opts: GatewayOptions & { timeouts?: Partial<GatewayTimeouts> },
): Promise<{ url: string; close(): Promise<void> }> {
  return (await import('./server.js')).startGateway(opts);
}
export { REJECT_REASONS, MAX_BATCH } from './input.js';
export type { RejectReason } from './input.js';
export type { FaultState } from './fault.js';
export { runLoad, sampleRow } from './load.js';
export type { LoadOptions, LoadSummary } from './load.js';
export { faultRequest } from './client.js';
export type { FaultView } from './client.js';
export { registerGatewayCommands } from './cli.js';
export { ADMIN_TOKEN_ENV, ADMIN_TOKEN_FILE, adminTokenPath, createAdminToken, findAdminToken, removeAdminToken } from './token.js';
export type { FaultAuth } from './client.js';
