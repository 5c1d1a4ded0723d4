/** The scale-out room: the remote-write flags of `mlmon up`, and federation
 * into a global Prometheus. (Remote write itself is part of the stack
 * definition: src/definition/remote-write.ts.) */
export { FEDERATION_MATCHERS } from './conventions.js';
export { REMOTE_WRITE_ENV, remoteWriteFromOptions, type RemoteWriteCliOptions } from './options.js';
export { parseStackArgs, renderFederationConfig, type FederatedStack, type FederationOptions } from './federation.js';
export { registerRemoteCommands } from './cli.js';
