/**
 * What operators are given about `/metrics` stays true: every query of the Grafana dashboard
 * (`deploy/grafana/starcatch-dashboard.json`) names metrics that a real scrape has (a cluster
 * node's for the cluster panels), and the metrics tables of docs/operations.md (written by
 * `pnpm metrics:table`) list exactly the metrics a scrape has, with their types, labels and help.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  currentSection,
  isClusterMetric,
  isStarcatchMetric,
  type MetricFamily,
  metricNamesOf,
  parseExposition,
  renderMetricsTable,
  selectableNames,
} from '../../../scripts/metrics/exposition.ts';
import { clusterServices, useCluster } from '../cluster/use-cluster.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const DASHBOARD = resolve(REPO_ROOT, 'deploy', 'grafana', 'starcatch-dashboard.json');
const OPERATIONS = resolve(REPO_ROOT, 'docs', 'operations.md');
const STALE = 'docs/operations.md is out of date with /metrics: run `pnpm metrics:table`';
/** Grafana's reference to the dashboard's data source variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own `${variable}` syntax, not a template string.
const DATASOURCE_UID = '${datasource}';

interface Query {
  /** Where in the dashboard: the panel's title, or the variable's name. */
  readonly where: string;
  readonly query: string;
}

interface Panel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly datasource?: { readonly uid?: string };
  readonly targets?: readonly { readonly expr?: string; readonly refId?: string }[];
  readonly panels?: readonly Panel[];
}

interface Dashboard {
  readonly panels: readonly Panel[];
  readonly templating: {
    readonly list: readonly { name: string; type: string; query?: string | { query?: string }; definition?: string }[];
  };
}

/** Every panel, rows' nested panels included. */
function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

/** Every PromQL query of the dashboard: the panels' targets and the query variables. */
function queriesOf(dashboard: Dashboard): Query[] {
  const queries: Query[] = [];
  for (const panel of allPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      queries.push({ where: `panel "${panel.title}" ${target.refId}`, query: target.expr ?? '' });
    }
  }
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
    queries.push({ where: `variable $${variable.name}`, query });
    if (variable.definition)
      queries.push({ where: `variable $${variable.name} (definition)`, query: variable.definition });
  }
  return queries;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('metric names in PromQL', () => {
  it('are what is left once functions, labels, ranges, grouping and variables are taken out', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.99, sum by (le, instance) (rate(starcatch_tick_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))',
      ),
    ).toEqual(['starcatch_tick_duration_seconds_bucket']);
    expect(metricNamesOf('label_values(starcatch_sockets, instance)')).toEqual(['starcatch_sockets']);
    expect(metricNamesOf('sum(rate(a_total[5m])) / on (instance) group_left b_p99_seconds * 100')).toEqual([
      'a_total',
      'b_p99_seconds',
    ]);
    expect(metricNamesOf('max without (kind) (x{kind="up"} offset 1h) > bool 0.5e3')).toEqual(['x']);
  });
});

describe('the dashboard and docs/operations.md against real scrapes', () => {
  // A cluster node of its own (Redis and PostgreSQL from the test setup) for the cluster metrics.
  const cluster = useCluster(['metrics-node']);
  let server: TestServer;
  let single: string;
  let dashboard: Dashboard;
  let operations: string;

  beforeAll(async () => {
    server = await startTestServer();
    // Some traffic, so that everything a scrape can show is there.
    await server.signIn('Metrics');
    single = await scrape(server.httpUrl);
    dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
    operations = currentSection(await readFile(OPERATIONS, 'utf8'));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('every panel queries Prometheus through the $datasource variable, with unique ids', () => {
    const panels = allPanels(dashboard.panels);
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const charts = panels.filter((panel) => panel.type !== 'row');
    expect(charts.length).toBeGreaterThan(10);
    for (const panel of charts) {
      expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE_UID);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr?.trim(), panel.title).toBeTruthy();
    }
  });

  it('every query of the dashboard names only metrics a lone server has (cluster metrics aside)', () => {
    const names = selectableNames(single);
    const queries = queriesOf(dashboard);
    expect(queries.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const { where, query } of queries) {
      const selected = metricNamesOf(query);
      expect(selected.length, `${where} selects no metric: ${query}`).toBeGreaterThan(0);
      for (const name of selected) if (!isClusterMetric(name) && !names.has(name)) missing.push(`${where}: ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it.skipIf(clusterServices() !== null)(
    'every cluster metric the dashboard queries is in a cluster node’s scrape',
    async () => {
      const names = selectableNames(await scrape(cluster.node(0).httpUrl));
      const clusterQueries = queriesOf(dashboard).flatMap(({ where, query }) =>
        metricNamesOf(query)
          .filter(isClusterMetric)
          .map((name) => ({ where, name })),
      );
      expect(clusterQueries.length).toBeGreaterThanOrEqual(5);
      expect(clusterQueries.filter(({ name }) => !names.has(name))).toEqual([]);
    },
  );

  it('docs/operations.md lists every metric of a lone server: the game’s with their type, labels and help', () => {
    const families = [...parseExposition(single).values()];
    const game = families.filter((family) => isStarcatchMetric(family.name));
    expect(game.length).toBeGreaterThan(10);
    expect(operations, STALE).toContain(renderMetricsTable(game, { labelValues: true }));
    const documented = [...operations.matchAll(/^\| `([a-z_:][a-z0-9_:]*)` \|/gm)].map((match) => match[1]);
    const processMetrics = families.filter((family) => !isStarcatchMetric(family.name)).map((family) => family.name);
    expect(
      processMetrics.filter((name) => !documented.includes(name)),
      STALE,
    ).toEqual([]);
    // Nothing listed that the server no longer has (cluster metrics are checked on a cluster node).
    const known = new Set(families.map((family: MetricFamily) => family.name));
    expect(
      documented.filter((name) => name !== undefined && !known.has(name) && !isClusterMetric(name)),
      STALE,
    ).toEqual([]);
  });

  it.skipIf(clusterServices() !== null)('docs/operations.md lists the cluster node’s own metrics', async () => {
    const families = parseExposition(await scrape(cluster.node(0).httpUrl));
    const clusterOnly = [...families.values()].filter((family) => !parseExposition(single).has(family.name));
    expect(clusterOnly.map((family) => family.name).every(isClusterMetric)).toBe(true);
    expect(clusterOnly.length).toBeGreaterThanOrEqual(5);
    expect(operations, STALE).toContain(renderMetricsTable(clusterOnly, { labelValues: true }));
  });
});
