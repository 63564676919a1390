import {
  MAX_IMPAIRMENT_JITTER_MS,
  MAX_IMPAIRMENT_LAG_MS,
  MAX_IMPAIRMENT_LOSS_PERCENT,
  type NetworkConditions,
  type NetworkImpairment,
  parseNetworkConditions,
} from '@starcatch/shared';
import { h } from './dom.ts';
import type { Screen } from './screen.ts';

/** One-click conditions: the rows of the netcode benchmark (docs/netcode.md). */
const PRESETS: readonly { readonly label: string; readonly conditions: NetworkConditions }[] = [
  { label: 'Off', conditions: { lagMs: 0, jitterMs: 0, lossPercent: 0 } },
  { label: '50 ms · 1 %', conditions: { lagMs: 50, jitterMs: 10, lossPercent: 1 } },
  { label: '150 ms · 5 %', conditions: { lagMs: 150, jitterMs: 20, lossPercent: 5 } },
  { label: '300 ms · 10 %', conditions: { lagMs: 300, jitterMs: 40, lossPercent: 10 } },
];

/**
 * The live part of the F3 overlay: the simulated bad network this tab plays through (round trip,
 * jitter, loss), editable while playing. It is shown and hidden with the overlay; the figures it
 * changes are the overlay's to show.
 */
export function createImpairmentPanel(impairment: NetworkImpairment): Screen & { show(visible: boolean): void } {
  const field = (name: string, label: string, max: number, unit: string): HTMLInputElement => {
    const input = h('input', {
      className: 'impairment__input',
      attrs: { type: 'number', name, min: '0', max: String(max), step: '1', inputmode: 'numeric' },
    });
    input.setAttribute('aria-label', `${label} (${unit})`);
    return input;
  };
  const lag = field('lag', 'Added round trip', MAX_IMPAIRMENT_LAG_MS, 'ms');
  const jitter = field('jitter', 'Jitter', MAX_IMPAIRMENT_JITTER_MS, 'ms');
  const loss = field('loss', 'Loss', MAX_IMPAIRMENT_LOSS_PERCENT, '%');
  const problem = h('span', { className: 'impairment__problem', attrs: { role: 'alert' } });
  const presets = PRESETS.map(({ label, conditions }) => {
    const button = h('button', { className: 'impairment__preset', attrs: { type: 'button' } }, label);
    button.addEventListener('click', () => {
      impairment.conditions = conditions;
    });
    return button;
  });
  const element = h(
    'form',
    { className: 'impairment', attrs: { 'aria-label': 'Simulated network' } },
    h('span', { className: 'impairment__title' }, 'Simulated network'),
    h('label', { className: 'impairment__field' }, 'lag ', lag, ' ms'),
    h('label', { className: 'impairment__field' }, '± ', jitter, ' ms'),
    h('label', { className: 'impairment__field' }, 'loss ', loss, ' %'),
    h('span', { className: 'impairment__presets' }, ...presets),
    problem,
  );
  element.hidden = true;

  const render = (conditions: NetworkConditions): void => {
    lag.value = String(conditions.lagMs);
    jitter.value = String(conditions.jitterMs);
    loss.value = String(conditions.lossPercent);
    problem.textContent = '';
  };
  const apply = (): void => {
    const parsed = parseNetworkConditions({ lag: lag.value, jitter: jitter.value, loss: loss.value });
    if (parsed.ok) impairment.conditions = parsed.conditions;
    else problem.textContent = parsed.message;
  };
  for (const input of [lag, jitter, loss]) input.addEventListener('change', apply);
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  // Keys typed here are numbers, not steering or the sound toggle.
  element.addEventListener('keydown', (event) => {
    if (event.code !== 'F3') event.stopPropagation();
  });
  render(impairment.conditions);
  const unsubscribe = impairment.subscribe(render);

  return {
    element,
    show(visible) {
      element.hidden = !visible;
    },
    dispose() {
      unsubscribe();
    },
  };
}
