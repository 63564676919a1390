import { CHAT_BODY_MAX_LENGTH } from '@starcatch/shared';
import type { Actions } from '../app.ts';
import type { ChatEntry } from '../state/chat-log.ts';
import type { ChatState, ChatStore } from '../state/chat-store.ts';
import type { ChatScope, PendingChat } from '../state/pending-chat.ts';
import { h, paintPlayerColor } from './dom.ts';
import type { Screen } from './screen.ts';

export interface ChatPanelDeps {
  readonly chat: ChatStore;
  readonly scope: ChatScope;
  /** Heading and accessible name of the message list, e.g. "Lobby chat". */
  readonly title: string;
  readonly placeholder: string;
  /** The signed-in player, whose lines are marked. */
  readonly youId: string;
  /** A player's colour if they are around (online or in the room); chat messages carry none. */
  readonly colorOf: (userId: string) => string | null;
  /** Re-renders the names when the colours it knows change. */
  readonly subscribeColors: (listener: () => void) => () => void;
  readonly actions: Pick<Actions, 'sendChat' | 'retryChat' | 'discardChat'>;
}

/** How close to the bottom (px) still counts as "reading the latest", so new lines scroll into view. */
const STICK_TO_BOTTOM_PX = 48;

/**
 * A chat: the stored messages, then this tab's unconfirmed ones (sending…, or failed with Retry and
 * Discard), then the input. Every piece of player text goes in as a text node, never as HTML.
 */
export function createChatPanel(deps: ChatPanelDeps): Screen {
  const { chat, scope, title, youId } = deps;
  const headingId = `chat-heading-${scope}`;
  const log = h('ol', { className: 'chat-log' });
  const pendingList = h('ol', { className: 'chat-log chat-log--pending' });
  const empty = h('p', { className: 'chat-empty' }, 'No messages yet. Say hello!');
  const scroller = h(
    'div',
    { className: 'chat-scroll', attrs: { role: 'log', 'aria-label': title, 'aria-live': 'polite', tabindex: '0' } },
    empty,
    log,
    pendingList,
  );

  const input = h('input', {
    className: 'chat-input',
    attrs: {
      type: 'text',
      name: 'message',
      autocomplete: 'off',
      enterkeyhint: 'send',
      placeholder: deps.placeholder,
      'aria-label': `Message for ${title.toLowerCase()}`,
      'aria-describedby': `chat-hint-${scope}`,
    },
  });
  const counter = h('span', { className: 'chat-count' });
  const sendButton = h('button', { className: 'button button--send', attrs: { type: 'submit' } }, 'Send');
  const form = h('form', { className: 'chat-form' }, input, sendButton);
  const hint = h(
    'p',
    { className: 'chat-hint' },
    h('span', { attrs: { id: `chat-hint-${scope}` } }, 'Press Enter to send. Text only.'),
    counter,
  );

  const element = h(
    'section',
    { className: `panel panel--chat panel--chat-${scope}`, attrs: { 'aria-labelledby': headingId } },
    h('header', { className: 'panel__head' }, h('h2', { className: 'panel__title', attrs: { id: headingId } }, title)),
    scroller,
    form,
    hint,
  );

  function updateCounter(): void {
    const length = [...input.value.trim()].length;
    const over = length > CHAT_BODY_MAX_LENGTH;
    counter.textContent = `${length}/${CHAT_BODY_MAX_LENGTH}`;
    counter.classList.toggle('is-over', over);
    counter.classList.toggle('is-near', !over && length > CHAT_BODY_MAX_LENGTH * 0.9);
    sendButton.disabled = over || length === 0;
  }
  input.addEventListener('input', updateCounter);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value;
    if (sendButton.disabled) return;
    input.value = '';
    updateCounter();
    // The message shows as pending at once; a failure stays visible there with Retry.
    deps.actions.sendChat(text).catch(() => {});
    input.focus();
  });
  updateCounter();

  /** Rendered lines by message id, so live traffic only appends. */
  const rendered = new Map<number, HTMLLIElement>();

  function nearBottom(): boolean {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICK_TO_BOTTOM_PX;
  }

  function renderLog(entries: readonly ChatEntry[]): void {
    const lastRendered = log.lastElementChild as HTMLLIElement | null;
    const lastId = lastRendered ? Number(lastRendered.dataset.id) : Number.NEGATIVE_INFINITY;
    const appendOnly = entries.every((entry) => rendered.has(entry.id) || entry.id > lastId);
    if (!appendOnly) {
      rendered.clear();
      log.replaceChildren();
    }
    const keep = new Set(entries.map((entry) => entry.id));
    for (const [id, line] of rendered) {
      if (keep.has(id)) continue;
      line.remove();
      rendered.delete(id);
    }
    for (const entry of entries) {
      if (rendered.has(entry.id)) continue;
      const line = messageLine(entry, entry.user_id === youId, deps.colorOf(entry.user_id));
      rendered.set(entry.id, line);
      log.append(line);
    }
    empty.hidden = entries.length > 0;
  }

  function renderPending(pending: readonly PendingChat[]): void {
    pendingList.replaceChildren(
      ...pending
        .filter((entry) => entry.scope === scope)
        .map((entry) =>
          pendingLine(entry, deps.colorOf(youId), {
            retry: () => deps.actions.retryChat(entry.localId).catch(() => {}),
            discard: () => deps.actions.discardChat(entry.localId).catch(() => {}),
          }),
        ),
    );
  }

  let previous: ChatState | null = null;
  function render(state: ChatState): void {
    const stick = previous === null || nearBottom();
    if (state[scope] !== previous?.[scope]) renderLog(state[scope]);
    if (state.pending !== previous?.pending) renderPending(state.pending);
    previous = state;
    if (stick) scroller.scrollTop = scroller.scrollHeight;
  }

  function repaintNames(): void {
    for (const line of log.children) {
      const name = line.querySelector<HTMLElement>('.chat-line__name');
      const userId = (line as HTMLElement).dataset.userId;
      if (name && userId) paintName(name, deps.colorOf(userId));
    }
  }

  render(chat.getState());
  const unsubscribeChat = chat.subscribe(render);
  const unsubscribeColors = deps.subscribeColors(repaintNames);
  return {
    element,
    dispose() {
      unsubscribeChat();
      unsubscribeColors();
    },
  };
}

function messageLine(entry: ChatEntry, isYou: boolean, color: string | null): HTMLLIElement {
  const name = h('span', { className: 'chat-line__name' }, entry.nickname);
  paintName(name, color);
  const time = new Date(entry.inserted_at);
  const line = h(
    'li',
    { className: isYou ? 'chat-line chat-line--you' : 'chat-line' },
    h(
      'time',
      { className: 'chat-line__time', attrs: { datetime: entry.inserted_at } },
      Number.isNaN(time.getTime())
        ? ''
        : time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false }),
    ),
    name,
    h('span', { className: 'chat-line__body' }, entry.body),
  );
  line.dataset.id = String(entry.id);
  line.dataset.userId = entry.user_id;
  return line;
}

function pendingLine(
  entry: PendingChat,
  color: string | null,
  on: { retry: () => void; discard: () => void },
): HTMLLIElement {
  const name = h('span', { className: 'chat-line__name' }, 'You');
  paintName(name, color);
  const failed = entry.status === 'failed';
  const status = h(
    'span',
    { className: 'chat-line__status', attrs: { role: failed ? 'alert' : 'status' } },
    failed ? (entry.error ?? 'Not delivered.') : 'sending…',
  );
  const line = h(
    'li',
    { className: `chat-line chat-line--you chat-line--${entry.status}` },
    h('span', { className: 'chat-line__time', attrs: { 'aria-hidden': 'true' } }, failed ? '!' : '…'),
    name,
    h('span', { className: 'chat-line__body' }, entry.body),
    status,
  );
  line.dataset.localId = entry.localId;
  if (failed) {
    const retry = h('button', { className: 'link-button', attrs: { type: 'button' } }, 'Retry');
    const discard = h('button', { className: 'link-button link-button--muted', attrs: { type: 'button' } }, 'Discard');
    retry.addEventListener('click', on.retry);
    discard.addEventListener('click', on.discard);
    line.append(h('span', { className: 'chat-line__actions' }, retry, discard));
  }
  return line;
}

function paintName(name: HTMLElement, color: string | null): void {
  if (color) paintPlayerColor(name, color);
  else name.style.removeProperty('--player-color');
}
