import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../metrics/server-metrics.ts';

/** Where Prometheus scrapes: its default `metrics_path`. */
export const METRICS_PATH = '/metrics';

/** `GET /metrics`: Prometheus text exposition, for a scraper on the operator's network. */
export function registerMetricsRoute(app: FastifyInstance, metrics: ServerMetrics): void {
  app.get(METRICS_PATH, async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.text();
  });
}
