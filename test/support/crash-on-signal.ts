// Preloaded into `node dist/main.js` by test/fault/log-flush.fault-spec.ts (node --import): on SIGUSR2 the
// process fails the way a bug would, outside any request, so the service's own fatal-error
// handling is what runs. CRASH_WITH=rejection makes it an unhandled promise rejection.
process.on('SIGUSR2', () => {
  setImmediate(() => {
    const error = new Error('kaput: crash requested by the test');
    if (process.env.CRASH_WITH === 'rejection') void Promise.reject(error);
    else throw error;
  });
});
