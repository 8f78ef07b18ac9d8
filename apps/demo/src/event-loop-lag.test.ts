import { EventLoopLag } from './event-loop-lag';

describe('EventLoopLag', () => {
  it('has recorded a block of the event loop by the time the I/O that waited behind it is read', async () => {
    const lag = new EventLoopLag(60_000, 5);
    try {
      // Block the loop for at least 100 ms (a synchronous model run), then let one turn of I/O through.
      const until = Date.now() + 100;
      while (Date.now() < until) {
        // busy: the loop is blocked
      }
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 0));
      // A lower bound only: however slow the machine, the block lasted at least this long.
      expect(lag.recentMaxMs()).toBeGreaterThanOrEqual(100 - 5 - 1);
    } finally {
      lag.stop();
    }
  });
});
