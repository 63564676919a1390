/** Environment variables global-setup hands to the workers and to global-teardown. */
export const E2E_ENV = {
  baseUrl: 'STARCATCH_E2E_BASE_URL',
  serverPid: 'STARCATCH_E2E_SERVER_PID',
  dataDir: 'STARCATCH_E2E_DATA_DIR',
} as const;

/** Bearer token of the shared e2e server's operator routes (`/api/v1/admin/…`). */
export const E2E_ADMIN_TOKEN = 'e2e-operator-token-0123456789';

/**
 * Server settings of the shared e2e server. The delivery-time measurement sends 40 room messages
 * from three players within a few seconds, past the room chat budget a real player gets (5 at
 * once, 30 a minute), so the shared server allows more; a refused send shows as failed in the tab.
 */
export const E2E_SERVER_ENV: Readonly<Record<string, string>> = {
  ROOM_CHAT_BURST: '100',
  ROOM_CHAT_PER_MINUTE: '6000',
  // The fallback spec closes a tab's WebRTC peer from the server side through the operator route.
  ADMIN_TOKEN: E2E_ADMIN_TOKEN,
};
