/**
 * Reading a Prometheus text exposition (what `GET /metrics` answers) into metric families, and
 * writing the metrics table of docs/operations.md from them. Pure functions: `scripts/metrics-table.ts`
 * feeds them real scrapes, and `server/test/http/operator-metrics.test.ts` checks the document and
 * the Grafana dashboard against them.
 */

export interface MetricFamily {
  readonly name: string;
  /** `counter`, `gauge`, `histogram`, `summary` or `untyped`. */
  readonly type: string;
  readonly help: string;
  /** Label names seen on its samples, in order of first appearance; `le` and `quantile` left out. */
  readonly labels: readonly string[];
  /** The values seen for each label. */
  readonly labelValues: Readonly<Record<string, readonly string[]>>;
}

/** Labels that come with the type, not with the metric. */
const STRUCTURAL_LABELS = new Set(['le', 'quantile']);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/** Every metric family in a scrape, by name, in the order the scrape lists them. */
export function parseExposition(text: string): Map<string, MetricFamily> {
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  const labels = new Map<string, Map<string, Set<string>>>();
  const family = (sample: string): string => {
    if (types.has(sample)) return sample;
    for (const [name, type] of types) {
      if ((SUFFIXES[type] ?? []).some((suffix) => sample === `${name}${suffix}`)) return name;
    }
    return sample;
  };
  for (const line of text.split('\n')) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
    if (comment?.[2]) {
      const [, kind, name, rest = ''] = comment;
      if (kind === 'HELP') help.set(name, rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\'));
      else types.set(name, rest);
      if (!labels.has(name)) labels.set(name, new Map());
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!sample?.[1]) continue;
    const name = family(sample[1]);
    const seen = labels.get(name) ?? new Map<string, Set<string>>();
    labels.set(name, seen);
    for (const [, label, value] of (sample[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (!label || value === undefined || STRUCTURAL_LABELS.has(label)) continue;
      const values = seen.get(label) ?? new Set<string>();
      values.add(value);
      seen.set(label, values);
    }
  }
  const families = new Map<string, MetricFamily>();
  for (const [name, seen] of labels) {
    families.set(name, {
      name,
      type: types.get(name) ?? 'untyped',
      help: help.get(name) ?? '',
      labels: [...seen.keys()],
      labelValues: Object.fromEntries([...seen].map(([label, values]) => [label, [...values]])),
    });
  }
  return families;
}

/**
 * Every name a PromQL query may select from this scrape: each family's name and each sample name
 * (a histogram's `_bucket`, `_sum` and `_count` series).
 */
export function selectableNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const described = /^# (?:HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    const sample = line.startsWith('#') ? null : /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    const name = described?.[1] ?? sample?.[1];
    if (name) names.add(name);
  }
  return names;
}

/** PromQL words that are not metric names: functions, aggregations, keywords, binary operators. */
const PROMQL_WORDS = new Set([
  ...['abs', 'absent', 'absent_over_time', 'avg_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min'],
  ...['count_over_time', 'day_of_month', 'day_of_week', 'days_in_month', 'delta', 'deriv', 'exp', 'floor'],
  ...['histogram_quantile', 'histogram_count', 'histogram_sum', 'histogram_fraction', 'holt_winters', 'hour'],
  ...['idelta', 'increase', 'irate', 'label_join', 'label_replace', 'last_over_time', 'ln', 'log2', 'log10'],
  ...['max_over_time', 'min_over_time', 'minute', 'month', 'predict_linear', 'present_over_time'],
  ...['quantile_over_time', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sort', 'sort_desc', 'sqrt'],
  ...['stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'time', 'timestamp', 'vector', 'year'],
  ...['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk'],
  ...['quantile', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool'],
  ...['and', 'or', 'unless', 'atan2', 'inf', 'nan'],
  // Grafana's templating functions (`label_values(metric, label)`, `query_result(...)`).
  ...['label_values', 'label_names', 'metrics', 'query_result'],
]);

/**
 * The metric names a PromQL expression (or a Grafana `label_values(...)` query) selects. Label
 * matchers, grouping clauses, strings, ranges, numbers and Grafana variables (`$__rate_interval`)
 * are removed first; every identifier left that is not a PromQL word is a metric name.
 */
export function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?[a-zA-Z_][a-zA-Z0-9_:]*\}?/g, ' ')
    .replace(/\b\d+(\.\d+)?([eE][+-]?\d+)?[smhdwy]?\b/g, ' ');
  // label_values(metric, label): the second argument is a label name.
  const withoutLabelArgument = stripped.replace(/\blabel_values\s*\(([^,()]*),[^)]*\)/g, 'label_values($1)');
  const names = withoutLabelArgument.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(names.filter((name) => !PROMQL_WORDS.has(name.toLowerCase())))];
}

/** A metric's labels for the table: each name, with its values where the metric is the game's own and has few. */
function labelCell(family: MetricFamily, withValues: boolean): string {
  if (family.labels.length === 0) return '—';
  return family.labels
    .map((label) => {
      const values = family.labelValues[label] ?? [];
      if (!withValues || values.length === 0 || values.length > 8) return `\`${label}\``;
      return `\`${label}\`: ${values.map((value) => `\`${value}\``).join(', ')}`;
    })
    .join('; ');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown table of metric families: name, type, labels, meaning (the metric's HELP text). */
export function renderMetricsTable(families: readonly MetricFamily[], options: { labelValues: boolean }): string {
  const rows = families.map((family) => [
    `\`${family.name}\``,
    family.type,
    labelCell(family, options.labelValues),
    cell(family.help),
  ]);
  const header = ['metric', 'type', 'labels', 'meaning'];
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** Where the generated tables sit in docs/operations.md. */
export const TABLE_START = '<!-- metrics-table:start (written by `pnpm metrics:table`; do not edit by hand) -->';
export const TABLE_END = '<!-- metrics-table:end -->';

/** Metrics only a cluster node (`REDIS_URL` set) has. */
export const isClusterMetric = (name: string): boolean =>
  name.startsWith('starcatch_cluster_') || name.startsWith('starcatch_redis_');

/** The game's own metrics (`starcatch_*`), as opposed to the process metrics prom-client adds. */
export const isStarcatchMetric = (name: string): boolean => name.startsWith('starcatch_');

/**
 * The generated section of docs/operations.md: the game's metrics on every node, those of cluster
 * nodes, and the process metrics. `single` is a scrape of a lone server, `cluster` of a cluster node.
 */
export function renderMetricsSection(single: Map<string, MetricFamily>, cluster: Map<string, MetricFamily>): string {
  const everyNode = [...single.values()].filter((family) => isStarcatchMetric(family.name));
  const clusterOnly = [...cluster.values()].filter((family) => !single.has(family.name));
  const processMetrics = [...single.values()].filter((family) => !isStarcatchMetric(family.name));
  return [
    TABLE_START,
    '',
    `### Every server (${everyNode.length})`,
    '',
    renderMetricsTable(everyNode, { labelValues: true }),
    '',
    `### Cluster nodes only (\`REDIS_URL\` set; ${clusterOnly.length})`,
    '',
    renderMetricsTable(clusterOnly, { labelValues: true }),
    '',
    `### The process (prom-client's default metrics; ${processMetrics.length})`,
    '',
    renderMetricsTable(processMetrics, { labelValues: false }),
    '',
    TABLE_END,
  ].join('\n');
}

/** `document` with the text between the markers replaced by `section` (markers included). */
export function replaceSection(document: string, section: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('docs/operations.md has no metrics-table markers');
  return `${document.slice(0, start)}${section}${document.slice(end + TABLE_END.length)}`;
}

/** The generated section currently in `document`. */
export function currentSection(document: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('docs/operations.md has no metrics-table markers');
  return document.slice(start, end + TABLE_END.length);
}
