import type { NetState, NetStore } from '../state/net-store.ts';
import { h } from './dom.ts';
import type { Screen } from './screen.ts';

/**
 * A strip at the top while the socket is not open. The CSS only reveals it after a short delay,
 * so a reconnect that takes a few milliseconds does not flash it.
 */
export function createConnectionBanner(net: NetStore): Screen {
  const text = h('span', { className: 'connection-banner__text' });
  const element = h(
    'div',
    { className: 'connection-banner', attrs: { role: 'status', 'aria-live': 'polite' } },
    h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }),
    text,
  );

  let shown: NetState['status'] | null = null;
  // The net store also changes with every measured round trip (20 times a second in a room); the
  // DOM is only touched when the socket status itself changes.
  function render({ status }: NetState): void {
    if (status === shown) return;
    shown = status;
    const down = status === 'connecting' || status === 'reconnecting';
    element.classList.toggle('is-visible', down);
    element.setAttribute('aria-hidden', String(!down));
    text.textContent = status === 'reconnecting' ? 'Connection lost. Reconnecting…' : 'Connecting to the server…';
  }

  render(net.getState());
  return { element, dispose: net.subscribe(render) };
}
