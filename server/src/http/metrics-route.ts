import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../metrics/server-metrics.ts';

/** `GET /metrics`: Prometheus text exposition, for a scraper on the operator's network. */
export function registerMetricsRoute(app: FastifyInstance, metrics: ServerMetrics): void {
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.text();
  });
}
