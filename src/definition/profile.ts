/** `production` uses the SLO periods of the spec; `test` shrinks every period
 * and window so that alerts fire within minutes (the alert tests use it). */
export type Profile = 'production' | 'test';

/** The test profile divides every period by this factor: 30d becomes 12h and the
 * 1h/5m page pair becomes 1m/20s. The SLO generator and the hand-written rules'
 * scaling (rule-scaling.ts) both use it. */
export const TEST_PROFILE_FACTOR = 60;
