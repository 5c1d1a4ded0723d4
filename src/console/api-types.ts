/** The JSON shapes of the console's API (/api/...), as the server sends them
 * and the pages read them. Types only, with no import: the server modules
 * (Node) and the page scripts (browser, tsconfig.browser.json) both compile
 * against this one file, so a field renamed on one side fails the other's
 * type check. */

// ---- every answer -----------------------------------------------------------

/** Requests made to one upstream for this answer. */
export interface UpstreamUse {
  count: number;
  totalMs: number;
}

export interface Meta {
  /** ISO time of the evaluation. */
  fetchedAt: string;
  upstream: { prometheus: UpstreamUse; alertmanager: UpstreamUse; sink: UpstreamUse };
}

/** The body of every 4xx/5xx answer. */
export interface ApiErrorBody {
  error: { kind: 'upstream' | 'input' | 'internal'; message: string; upstream?: string };
}

/** Range-query results on one time grid: the x array every chart shares. */
export interface TimeGrid {
  start: number;
  end: number;
  step: number;
  /** Unix seconds from start to end by step. */
  times: number[];
}

/** A time series laid on the grid: one value per grid time, null where there is none. */
export type GridValues = Array<number | null>;

export interface Interval {
  from: number;
  to: number;
  /** True when the interval reaches the end of the grid (still going on). */
  ongoing: boolean;
}

export interface RangeView {
  name: string;
  seconds: number;
  choices: string[];
}

export interface FiringAlert {
  alertname: string;
  severity: string;
  labels: Record<string, string>;
}

// ---- GET /api/slos, /api/slos/:service/:slo ---------------------------------

export type AlertState = 'ok' | 'ticket' | 'page';

export interface BurnRateCell {
  window: string;
  seconds: number;
  value: number | null;
  /** The alert thresholds this window takes part in (as long or short window). */
  thresholds: number[];
}

export interface SloRow {
  id: string;
  service: string;
  slo: string;
  kind: string;
  description: string;
  objective: number;
  objectivePercent: number;
  errorBudget: number;
  period: string;
  periodSeconds: number;
  /** SLI over the whole period (ratio of good events), null without data. */
  sli: number | null;
  /** Share of the period's error budget left (1 = untouched, ≤ 0 = spent). */
  budgetRemaining: number | null;
  /** Time until the budget is spent at the current burn rate; null when not burning or unknown. */
  budgetTimeLeftSeconds: number | null;
  /** The burn-rate window the time left is computed from. */
  currentBurnWindow: string;
  burnRates: BurnRateCell[];
  alertState: AlertState;
  firing: FiringAlert[];
  detailUrl: string;
  /** How much of the period the SLI and budget cover: the whole period once the
   * counts are a period old, less on a young stack ("budget over the first 14 min
   * of 30d"). Null when Prometheus has no counts yet. */
  coverage: { seconds: number; ratio: number } | null;
  /** Tiles of the covered period that were never evaluated (Prometheus stopped,
   * iterations missed): the counts caught up with gaps up to the catch-up horizon,
   * but the page marks them. Null without counts. */
  tileGaps: { missing: number; expected: number; tileSeconds: number } | null;
}

export interface SloListAnswer extends Meta {
  profile: string;
  services: string[];
  slos: SloRow[];
}

export interface RuleView {
  type: 'recording' | 'alerting';
  name: string;
  expr: string;
  group: string;
  file: string;
  /** Opens the series (recording) or the alert condition (alerting) in Prometheus's graph page. */
  prometheusUrl: string;
}

export interface AlertEpisode extends Interval {
  alertname: string;
  severity: string;
  longWindow: string;
  shortWindow: string;
}

export interface SloDetail {
  slo: SloRow;
  range: RangeView;
  grid: TimeGrid;
  /** Every array below has one value per grid time (null = no data). */
  series: {
    sliShort: { name: string; window: string; values: GridValues };
    sliPeriod: { name: string; window: string; values: GridValues };
    budget: { name: string; values: GridValues };
    burn: Array<{ window: string; name: string; values: GridValues; thresholds: number[] }>;
  };
  tiers: Array<{ speed: string; burnRate: number; long: string; short: string; severity: string; budgetSpent: number }>;
  rules: RuleView[];
  /** Unavailable rules API (old Prometheus, or refused) leaves this message instead. */
  rulesNote: string | null;
  alerts: { firing: FiringAlert[]; recent: AlertEpisode[] };
}

export type SloDetailAnswer = Meta & SloDetail;

// ---- GET /api/models, /api/models/:model ------------------------------------

export interface DriftThresholds {
  psiModerate: number | null;
  psiMajor: number | null;
  ksPValue: number | null;
}

/** Health from the current figures, not only from alerts: a drift or quality
 * figure past its threshold shows before (or without) a firing alert.
 * `collecting`: predictions arrive, but no drift window has reached the model's
 * minimum size yet, so drift is not yet meaningful (the exporter publishes no PSI
 * below it); `no_data`: no prediction in any window. */
export type ModelHealth = 'ok' | 'warning' | 'critical' | 'collecting' | 'no_data';

/** One version's figures, for the side-by-side view of a rollout. */
export interface VersionSummary {
  version: string;
  windowSamples: number | null;
  maxFeaturePsi: number | null;
  maxPsiFeature: string | null;
  predictionDrift: number | null;
  datasetDriftShare: number | null;
  accuracy: Record<string, number | null>;
  mae: Record<string, number | null>;
  qualitySamples: Record<string, number | null>;
  referenceAccuracy: number | null;
  referenceMae: number | null;
}

export interface ModelSummary {
  model: string;
  /** classification or regression (from ml_model_info), null when unknown. */
  type: string | null;
  /** The version the headline figures are of: the one with the fullest drift window. */
  version: string | null;
  versions: VersionSummary[];
  health: ModelHealth;
  /** Why health is not ok, in words. */
  healthReasons: string[];
  ageSeconds: number | null;
  datasetDriftShare: number | null;
  maxFeaturePsi: number | null;
  maxPsiFeature: string | null;
  predictionDrift: number | null;
  /** Accuracy of the active version by window (`1h`, `1d`). */
  accuracy: Record<string, number | null>;
  referenceAccuracy: number | null;
  windowSamples: number | null;
  firing: FiringAlert[];
  detailUrl: string;
}

export interface ModelList {
  models: ModelSummary[];
  thresholds: DriftThresholds;
}

export type ModelListAnswer = Meta & ModelList;

export interface FeatureDrift {
  feature: string;
  psi: number | null;
  ks: number | null;
  pValue: number | null;
}

export interface ModelDetail {
  summary: ModelSummary;
  thresholds: DriftThresholds;
  range: RangeView;
  grid: TimeGrid;
  features: FeatureDrift[];
  /** PSI per feature over time: rows follow `features`, columns the grid. */
  psiHeatmap: GridValues[];
  datasetDriftShare: GridValues;
  /** Accuracy over time by version and window, with the reference of that version. */
  accuracy: Array<{ version: string; window: string; values: GridValues; reference: number | null; samples: number | null }>;
  /** Share of predictions per class over the mix window for each version, and the training mix of the active version. */
  predictionMix: { window: string; byVersion: Record<string, Record<string, number>>; training: Record<string, number> | null };
  labelDelay: { window: string; quantiles: Record<string, number | null>; pending: number | null };
  freshness: {
    ageSeconds: number | null;
    exporterComputeAgeSeconds: number | null;
    lastEventAgeSeconds: number | null;
    eventLagSeconds: number | null;
  };
}

export type ModelDetailAnswer = Meta & ModelDetail;

// ---- GET /api/alerts, POST /api/silences, GET /api/notifications -------------

export type AlertDisplayState = 'firing' | 'silenced' | 'inhibited' | 'unprocessed';

export interface AlertView {
  fingerprint: string;
  alertname: string;
  severity: string;
  category: string;
  service: string | null;
  state: AlertDisplayState;
  silencedBy: string[];
  inhibitedBy: string[];
  labels: Record<string, string>;
  summary: string;
  description: string;
  runbookUrl: string | null;
  startsAt: string;
  receivers: string[];
  generatorUrl: string | null;
  /** The console page about the thing alerting (an SLO or a model), when there is one. */
  consoleUrl: string | null;
}

export interface AlertsAnswer extends Meta {
  /** Alertmanager's own UI, as the browser reaches it. */
  alertmanagerUrl: string;
  silenceDurations: readonly string[];
  alerts: AlertView[];
}

export interface SilenceRequest {
  labels: Record<string, string>;
  duration: string;
  comment?: string;
  createdBy?: string;
}

export interface SilenceAnswer extends Meta {
  silenceId: string;
  endsAt: string;
  /** The new silence in Alertmanager's UI. */
  alertmanagerUrl: string;
}

/** The integrations the local sink records (the sink's own list must fit this one). */
export type NotificationIntegration = 'slack' | 'pagerduty' | 'email' | 'webhook';

/** One notification as the local sink recorded it. */
export interface NotificationView {
  id: string;
  /** ISO time of receipt. */
  time: string;
  integration: NotificationIntegration;
  channel: string;
  summary: string;
  status: string | undefined;
  /** The body exactly as it arrived (parsed). */
  payload: unknown;
}

export interface NotificationsAnswer extends Meta {
  /** False when the console runs without a sink. */
  configured: boolean;
  /** Newest first. */
  notifications: NotificationView[];
}
