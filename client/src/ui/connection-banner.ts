import { refusalText } from '../net/refusal-text.ts';
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
  let shownRefusal: NetState['socketRefusal'] = null;
  // The net store also changes with every measured round trip (20 times a second in a room); the
  // DOM is only touched when the socket status or the server's reason for refusing it changes.
  function render({ status, socketRefusal }: NetState): void {
    if (status === shown && socketRefusal === shownRefusal) return;
    shown = status;
    shownRefusal = socketRefusal;
    const down = status === 'connecting' || status === 'reconnecting';
    element.classList.toggle('is-visible', down);
    element.setAttribute('aria-hidden', String(!down));
    const waiting = status === 'reconnecting' ? 'Connection lost. Reconnecting…' : 'Connecting to the server…';
    // The server refuses sockets from this address for now (too many): say so instead of just "connecting".
    text.textContent = socketRefusal ? refusalText('connect', socketRefusal, waiting) : waiting;
  }

  render(net.getState());
  return { element, dispose: net.subscribe(render) };
}
