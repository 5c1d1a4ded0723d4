/** Series that `/federate` exposes to a global Prometheus: the SLO recording
 * series and the firing alerts of each stack. */
export const FEDERATION_MATCHERS: readonly string[] = ['{__name__=~"slo:.*"}', '{__name__="ALERTS"}'];
