import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ChatEntry } from './chat-log.ts';
import type { PendingChat } from './pending-chat.ts';

/**
 * The two chats a tab can see: the lobby's (while signed in) and the current room's (emptied when
 * the tab leaves or enters another room), plus the messages it sent that are not confirmed yet.
 */
export interface ChatState {
  readonly lobby: readonly ChatEntry[];
  readonly room: readonly ChatEntry[];
  readonly pending: readonly PendingChat[];
}

export type ChatStore = StoreApi<ChatState>;

export const EMPTY_CHAT: ChatState = { lobby: [], room: [], pending: [] };

export function createChatStore(): ChatStore {
  return createStore<ChatState>()(() => EMPTY_CHAT);
}
