/** The model-health dashboard, for every registered model (`model` and
 * `version` variables, read from the exporter's `ml_model_info`): feature
 * drift (PSI heat map and per-feature lines, KS / chi-square p-values), the
 * dataset drift share, prediction drift, accuracy or regression error against
 * the reference, the prediction mix, label delay and freshness. Every
 * threshold is the one the exporter publishes per model (`ml_drift_threshold`,
 * `ml_alert_threshold`), drawn as a dashed series, so the lines follow the
 * per-model tuning the alerts use. Pure. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { modelDetailUrl } from '../console/index.js';
import { METRIC } from '../exporter/index.js';
import { CONSOLE_VARIABLE, SEVERITY_COLOUR } from './conventions.js';
import { buildDashboard, queryVariable } from './frame.js';
import { heatmap, stat, table, timeseries, type PanelLink } from './panels.js';
import { requireAlert, type AlertFacts } from './rules.js';

export interface ModelDashboardInput {
  alerts: ReadonlyMap<string, AlertFacts>;
  consoleUrl: string;
}

const RATE = '[$__rate_interval]';
const MV = 'model="$model",version=~"$version"';
const M = 'model="$model"';
/** A published threshold, drawn as its own series. */
const THRESHOLD_LEGEND = (what: string) => `alert line: ${what}`;

export function modelHealthDashboard(input: ModelDashboardInput): Dashboard {
  const consoleLink: PanelLink = {
    title: 'Console: model page',
    url: `\${${CONSOLE_VARIABLE}}${modelDetailUrl('MODEL').replace('MODEL', '${model}')}`,
  };
  const runbook = (...names: string[]): PanelLink[] => [
    consoleLink,
    ...names.map((n) => ({ title: `Runbook: ${n}`, url: requireAlert(input.alerts, n, 'runbook').runbookUrl ?? '' })),
  ];
  const warn = SEVERITY_COLOUR[requireAlert(input.alerts, 'FeatureDrift', 'runbook').severity] ?? 'orange';
  // Every published threshold series is drawn dashed in the alerts' colour.
  const alertLines = { [`^${THRESHOLD_LEGEND('')}`]: warn };
  const psiMajor = `max(${METRIC.driftThreshold}{${M},method="psi",level="major"})`;
  return buildDashboard({
    key: 'modelHealth',
    title: 'mlmon · Model health',
    about:
      'One registered model (pick the model and version above): feature drift as a PSI heat map and per feature against the major-drift line, KS / chi-square p-values against their line, the share of drifted features, prediction drift, accuracy (classification) or MAE / RMSE (regression) against the reference and the alert line, the prediction mix, label delay and pending labels, model age and time since the last event. Every line is the threshold the exporter publishes for this model.',
    from: '6h',
    consoleUrl: input.consoleUrl,
    variables: [
      queryVariable('model', 'Model', `label_values(${METRIC.modelInfo}, model)`),
      queryVariable('version', 'Version', `label_values(${METRIC.modelInfo}{${M}}, version)`, { includeAll: true }),
    ],
    sections: [
      {
        row: 'Drift',
        panels: [
          heatmap({
            title: 'Feature drift (PSI) heat map',
            description:
              'Population stability index of each feature over time (one row per feature), against the reference of its version; redder is more drifted.',
            queries: [{ expr: `max by (feature) (${METRIC.featureDrift}{${MV},method="psi"})`, legend: '{{feature}}', format: 'heatmap' }],
            links: runbook('FeatureDrift'),
            w: 12,
            h: 9,
          }),
          timeseries({
            title: 'Feature drift (PSI) by feature',
            description:
              'PSI of each feature and version; the dashed lines are the moderate and major drift thresholds the exporter publishes for this model (FeatureDrift fires above the major one).',
            queries: [
              { expr: `${METRIC.featureDrift}{${MV},method="psi"}`, legend: '{{feature}} {{version}}' },
              { expr: `max by (level) (${METRIC.driftThreshold}{${M},method="psi"})`, legend: THRESHOLD_LEGEND('PSI {{level}}') },
            ],
            unit: 'none',
            min: 0,
            fixedColours: alertLines,
            links: runbook('FeatureDrift'),
            w: 12,
            h: 9,
          }),
          timeseries({
            title: 'KS / chi-square p-values',
            description:
              'p-value of the two-sample test of each feature (Kolmogorov-Smirnov for numeric, chi-square for categorical) against the reference; below the dashed line the difference is significant.',
            queries: [
              { expr: `${METRIC.featureDriftPValue}{${MV}}`, legend: '{{feature}} {{method}} {{version}}' },
              { expr: `max(${METRIC.driftThreshold}{${M},method="ks",level="p_value"})`, legend: THRESHOLD_LEGEND('p-value') },
            ],
            unit: 'none',
            min: 0,
            max: 1,
            fixedColours: alertLines,
            links: runbook('FeatureDrift'),
            w: 8,
            h: 8,
          }),
          timeseries({
            title: 'Dataset drift share',
            description: 'Share of the model’s features currently called drifted, per version.',
            queries: [{ expr: `${METRIC.datasetDriftShare}{${MV}}`, legend: '{{version}}' }],
            unit: 'percentunit',
            min: 0,
            max: 1,
            links: runbook('FeatureDrift'),
            w: 8,
            h: 8,
          }),
          timeseries({
            title: 'Prediction drift (PSI)',
            description:
              'Drift of the predicted-class (or predicted-value) mix in the drift window against the reference; PredictionDrift fires above the dashed major line.',
            queries: [
              { expr: `${METRIC.predictionDrift}{${MV},method="psi"}`, legend: '{{version}}' },
              { expr: psiMajor, legend: THRESHOLD_LEGEND('PSI major') },
            ],
            unit: 'none',
            min: 0,
            fixedColours: alertLines,
            links: runbook('PredictionDrift'),
            w: 8,
            h: 8,
          }),
        ],
      },
      {
        row: 'Quality',
        panels: [
          timeseries({
            title: 'Accuracy against the reference',
            description:
              'Share of correct predictions among those labelled in each window, the held-out accuracy at training, and the alert line (reference minus the allowed drop). Classification models only: empty for a regression model.',
            queries: [
              { expr: `${METRIC.accuracy}{${MV}}`, legend: '{{version}} over {{window}}' },
              { expr: `${METRIC.referenceAccuracy}{${MV}}`, legend: 'reference {{version}}' },
              {
                expr: `${METRIC.referenceAccuracy}{${MV}} - on (model) group_left () ${METRIC.alertThreshold}{${M},threshold="accuracy_drop"}`,
                legend: THRESHOLD_LEGEND('{{version}}'),
              },
            ],
            unit: 'percentunit',
            max: 1,
            fixedColours: alertLines,
            links: runbook('ModelAccuracyBelowReference'),
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Regression error against the reference',
            description:
              'Mean absolute and root mean square error of the labelled predictions in each window, the errors at training, and the alert line (reference MAE raised by the allowed increase). Regression models only: empty for a classifier.',
            queries: [
              { expr: `${METRIC.mae}{${MV}}`, legend: 'MAE {{version}} over {{window}}' },
              { expr: `${METRIC.rmse}{${MV}}`, legend: 'RMSE {{version}} over {{window}}' },
              { expr: `${METRIC.referenceMae}{${MV}}`, legend: 'reference MAE {{version}}' },
              {
                expr: `${METRIC.referenceMae}{${MV}} * on (model) group_left () (1 + ${METRIC.alertThreshold}{${M},threshold="error_increase"})`,
                legend: THRESHOLD_LEGEND('MAE {{version}}'),
              },
            ],
            unit: 'none',
            min: 0,
            links: runbook('ModelErrorAboveReference'),
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Prediction mix',
            description: 'Predictions per second by predicted class (classification) or in total (regression), per version.',
            queries: [{ expr: `sum by (version, class) (rate(${METRIC.predictions}{${MV}}${RATE}))`, legend: '{{version}} {{class}}' }],
            unit: 'ops',
            stacked: true,
            min: 0,
            links: runbook('NoPredictionsObserved'),
            w: 12,
            h: 8,
          }),
          timeseries({
            title: 'Label delay and pending labels',
            description:
              'Median and 90th percentile of the time from a prediction to its ground-truth label, and predictions still waiting for one.',
            queries: [
              { expr: `histogram_quantile(0.5, sum by (le) (rate(${METRIC.groundTruthDelay}_bucket{${M}}${RATE})))`, legend: 'p50 delay' },
              { expr: `histogram_quantile(0.9, sum by (le) (rate(${METRIC.groundTruthDelay}_bucket{${M}}${RATE})))`, legend: 'p90 delay' },
              { expr: `sum(${METRIC.groundTruthPending}{${M}})`, legend: 'pending labels' },
            ],
            unit: 's',
            min: 0,
            links: runbook('GroundTruthNotArriving'),
            w: 12,
            h: 8,
          }),
        ],
      },
      {
        row: 'Freshness',
        panels: [
          stat({
            title: 'Versions',
            description: 'Versions of the model in the registry and their type.',
            queries: [{ expr: `count by (version, type) (${METRIC.modelInfo}{${M}})`, legend: '{{version}} ({{type}})', instant: true }],
            unit: 'none',
            links: [consoleLink],
            w: 6,
            h: 6,
          }),
          timeseries({
            title: 'Model age',
            description: 'Time since each version was trained; ModelStale fires above the dashed line published for this model.',
            queries: [
              { expr: `time() - ${METRIC.lastTrained}{${MV}}`, legend: '{{version}}' },
              { expr: `max(${METRIC.alertThreshold}{${M},threshold="stale_seconds"})`, legend: THRESHOLD_LEGEND('stale') },
            ],
            unit: 's',
            min: 0,
            fixedColours: alertLines,
            links: runbook('ModelStale'),
            w: 9,
            h: 6,
          }),
          timeseries({
            title: 'Time since the last event',
            description: 'Time since the exporter last saw a prediction of this model; NoPredictionsObserved fires above the dashed line.',
            queries: [
              { expr: `time() - ${METRIC.lastModelEvent}{${M}}`, legend: 'since last event' },
              { expr: `max(${METRIC.alertThreshold}{${M},threshold="no_events_seconds"})`, legend: THRESHOLD_LEGEND('no events') },
            ],
            unit: 's',
            min: 0,
            fixedColours: alertLines,
            links: runbook('NoPredictionsObserved'),
            w: 9,
            h: 6,
          }),
          table({
            title: 'Drift window',
            description: 'Predictions in the drift window of each version, and the minimum the drift alerts wait for.',
            queries: [
              { expr: `${METRIC.windowSamples}{${MV}}`, legend: '{{version}}', instant: true, format: 'table' },
              {
                expr: `max(${METRIC.alertThreshold}{${M},threshold="min_window_samples"})`,
                legend: 'minimum',
                instant: true,
                format: 'table',
              },
            ],
            links: runbook('FeatureDrift'),
            w: 24,
            h: 5,
          }),
        ],
      },
    ],
  });
}
