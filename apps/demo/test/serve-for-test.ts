import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createDemoServer, type DemoServerOptions } from '../src/demo-server';
import { SamEngine } from '../src/sam-engine';

/** The built front end: tests run after `build` (turbo's test task depends on it). */
export const WEB_ROOT = join(__dirname, '..', 'dist', 'web');
export const FIXTURES = join(__dirname, 'fixtures');

let shared: Promise<SamEngine> | undefined;

/**
 * The real SAM engine, loaded once per test file. Automatic mode prompts a 3x3 grid (fast on a busy 2-core
 * machine) in batches of 3, so the server answers other requests between batches (the heads and mask
 * postprocessing of a batch run synchronously).
 */
export function testEngine(): Promise<SamEngine> {
  shared ??= SamEngine.create({ automatic: { pointsPerSide: 3, pointsPerBatch: 3 } });
  return shared;
}

/**
 * A demo server on 127.0.0.1 with an ephemeral port; `base` is its URL without a trailing slash. Its admission
 * bound is 10 minutes: these tests are about answers, and on a loaded machine the real model's measured job
 * times could otherwise turn a burst of test requests into 503s (admission has its own tests, on a fake
 * engine and an injected clock).
 */
export async function serveForTest(
  options: Partial<DemoServerOptions<unknown>> = {},
): Promise<{ app: FastifyInstance; base: string }> {
  const engine = options.engine ?? (await testEngine());
  const app = await createDemoServer({ engine, webRoot: WEB_ROOT, maxWaitMs: 600_000, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('server did not bind');
  return { app, base: `http://127.0.0.1:${address.port}` };
}
