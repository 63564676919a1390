import { get } from 'node:http';

const REQUEST_TIMEOUT_MS = 5_000;

export interface ProbeResponse {
  /** 0 when there was no answer (not listening, reset, timed out). */
  readonly status: number;
  readonly body: string;
}

/**
 * A plain GET without keep-alive: the connection closes with the answer, so a probe never lingers
 * in the server's socket or descriptor counts the benchmarks measure (fetch pools its connections).
 */
export function probe(url: string): Promise<ProbeResponse> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', () => resolve({ status: 0, body: '' }));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve({ status: 0, body: '' }));
  });
}

/**
 * Samples of a Prometheus text exposition by name; a labelled metric's samples are summed under
 * its name (`starcatch_inputs_total{verdict=…}` → one total).
 */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    values.set(match[1], (values.get(match[1]) ?? 0) + Number(match[3]));
  }
  return values;
}
