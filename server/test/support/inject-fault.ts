/**
 * Preloaded (`node --import`) by tests of the fatal-error policy, never by the server itself: on
 * SIGUSR2 the process fails as a bug would, with an uncaught exception (INJECT_FAULT unset or
 * `exception`) or a rejected promise nobody handles (`rejection`).
 */
process.on('SIGUSR2', () => {
  if (process.env.INJECT_FAULT === 'rejection') {
    void Promise.reject(new Error('injected unhandled rejection'));
    return;
  }
  setImmediate(() => {
    throw new Error('injected uncaught exception');
  });
});
