/** Environment variables global-setup hands to the workers and to global-teardown. */
export const E2E_ENV = {
  baseUrl: 'STARCATCH_E2E_BASE_URL',
  serverPid: 'STARCATCH_E2E_SERVER_PID',
  dataDir: 'STARCATCH_E2E_DATA_DIR',
} as const;
