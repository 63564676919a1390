import './styles.css';
import { SOCKET_PATH } from '@starcatch/shared';
import { createApp } from './app.ts';
import { installDebugHandle, wantsDebugHandle } from './debug-handle.ts';
import { conditionsFromSearch } from './net/impaired-link.ts';
import { mountAppView } from './ui/app-view.ts';

/** Boots the client: stores and network, the debug handle when wanted, a remembered session, then the UI. */
function boot(): void {
  const root = document.getElementById('app');
  if (!root) throw new Error('index.html has no #app element');
  const search = new URLSearchParams(window.location.search);
  const debug = wantsDebugHandle(import.meta.env.MODE, window.location.search);
  const app = createApp({
    storage: browserStorage(),
    fetch: window.fetch.bind(window),
    socketEndpoint: SOCKET_PATH,
    webrtc: search.get('rtc') !== 'off',
    // `?relay=1` (debug pages only): WebRTC through the TURN server or not at all.
    ...(debug && search.get('relay') === '1' && { iceTransportPolicy: 'relay' as const }),
    // `?lag=150&jitter=20&loss=5`: play through a simulated bad network (F3 changes it live).
    impairment: conditionsFromSearch(window.location.search),
  });
  if (debug) installDebugHandle(window, app);
  // Resumed before the view mounts, so a room link in the address bar finds a connection to join with.
  app.resume();
  mountAppView(root, app);
}

/** `localStorage`, or null where reading it throws (storage disabled, some privacy modes). */
function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

boot();
