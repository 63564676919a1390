/** How `pnpm dev` and `pnpm cluster` show their children's output in a terminal. */

/** pino's numeric levels. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Whether to colour: a terminal, and no `NO_COLOR`. */
export const color = process.stdout.isTTY && !process.env.NO_COLOR;

/** `text` in the ANSI colour `code` when colouring. */
export const paint = (code: number, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

/**
 * A pino JSON line as "INFO  message key=value" (a line that is not JSON as it is), without the
 * fields a terminal does not need: `time`, `hostname`, and those named in `omit`.
 */
export function formatPinoLine(line: string, omit: readonly string[] = []): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, msg, time: _time, hostname: _hostname, ...rest } = entry;
  const label = LEVELS[Number(level)] ?? String(level);
  const extra = Object.entries(rest)
    .filter(([key]) => !omit.includes(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const levelText = paint(Number(level) >= 50 ? 31 : Number(level) >= 40 ? 33 : 2, label.padEnd(5));
  return `${levelText} ${String(msg ?? '')}${extra ? paint(2, ` ${extra}`) : ''}`;
}
