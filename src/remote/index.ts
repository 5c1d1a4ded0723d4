/** The scale-out room: remote write to long-term storage, and federation
 * into a global Prometheus. */
export type { QueueSettings, RemoteWriteAuth, RemoteWriteSettings } from './settings.js';
export { DEFAULT_QUEUE, FEDERATION_MATCHERS, FORWARDED_SERIES } from './conventions.js';
export { forwardedNameRegex, renderRemoteWrite } from './render.js';
export { REMOTE_WRITE_ENV, remoteWriteFromOptions, type RemoteWriteCliOptions } from './options.js';
export { parseStackArgs, renderFederationConfig, type FederatedStack, type FederationOptions } from './federation.js';
export { registerRemoteCommands } from './cli.js';
