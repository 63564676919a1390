import { get } from 'node:http';

const SCRAPE_TIMEOUT_MS = 5000;

/**
 * One unlabelled gauge from the server's Prometheus `GET /metrics`, or undefined when the endpoint
 * is missing or unreachable (a server at its descriptor limit cannot accept the scrape either).
 */
export function readGauge(metricsUrl: string, name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = get(metricsUrl, { agent: false, timeout: SCRAPE_TIMEOUT_MS }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(undefined);
        return;
      }
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => {
        const line = text.split('\n').find((l) => l.startsWith(`${name} `));
        const value = line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
        resolve(Number.isFinite(value) ? value : undefined);
      });
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}
