import { Counter, Registry } from 'prom-client';
import { SINK_INTEGRATIONS, type SinkIntegration } from './records.js';

/** The sink's own metrics (its own registry), so Prometheus can see notifications arrive. */
export function sinkMetrics(): {
  registry: Registry;
  received(integration: SinkIntegration): void;
  rejected(integration: SinkIntegration): void;
  dropped(records: number): void;
} {
  const registry = new Registry();
  const received = new Counter({
    name: 'mlmon_sink_notifications_total',
    help: 'Notifications recorded by the local notification sink, by integration.',
    labelNames: ['integration'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'mlmon_sink_rejected_total',
    help: 'Requests the sink refused as invalid for their protocol, by integration.',
    labelNames: ['integration'],
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'mlmon_sink_dropped_records_total',
    help: 'Oldest records dropped from the store by rotation (it keeps about two segments of 8 MiB).',
    registers: [registry],
  });
  for (const i of SINK_INTEGRATIONS) {
    received.inc({ integration: i }, 0);
    rejected.inc({ integration: i }, 0);
  }
  return {
    registry,
    received: (integration) => received.inc({ integration }),
    rejected: (integration) => rejected.inc({ integration }),
    dropped: (records) => dropped.inc(records),
  };
}
