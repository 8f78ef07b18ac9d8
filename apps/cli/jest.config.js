module.exports = {
  ...require('../../jest.config.base.js'),
  // Two workers, not jest's default of cores - 1: the CLI's end-to-end files spend their time in `tasam` child
  // processes, and its tests run last in `pnpm test` (its build is the last in turbo's graph), so with one worker
  // the run ended on one busy core beside an idle one. Only a hang fails a test (wide timeouts), so a few test
  // processes more than cores cost no failures.
  maxWorkers: 2,
};
