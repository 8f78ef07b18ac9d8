import type { FastifyInstance } from 'fastify';
import { createDemoServer } from './demo-server';
import type { SamEngineSetup } from './load-sam-engine';
import type { SamEmbedding } from './sam-engine';
import type { SegmentationEngine } from './segmentation-engine';
import { readServerSettings } from './server-settings';
import { WorkerSamEngine } from './worker-sam-engine';

export interface RunningDemo {
  app: FastifyInstance;
  /** Where the page is served, e.g. http://127.0.0.1:8787/ */
  url: string;
  /** WorkerSamEngine, or with `--no-model-worker` a SamEngine on this thread. Closed with `app`. */
  engine: SegmentationEngine<SamEmbedding>;
}

/**
 * Loads the models, builds the server and listens on HOST:PORT (environment; defaults 127.0.0.1:8787).
 * `argv`: the command line's flags (`--allowed-host NAME`, `--max-wait SECONDS`, `--no-model-worker`). The
 * models run in a worker thread (WorkerSamEngine) unless `--no-model-worker`; closing `app` stops it. `engine`
 * options (runtime, grid) are for tests and benchmarks; the command line uses the defaults.
 */
export async function startDemo(
  env: NodeJS.ProcessEnv = process.env,
  options: {
    engine?: Pick<SamEngineSetup, 'runtime' | 'automatic'>;
    logger?: boolean;
    argv?: readonly string[];
  } = {},
): Promise<RunningDemo> {
  const settings = readServerSettings(env, options.argv);
  const setup: SamEngineSetup = {
    checkpoint: settings.checkpoint,
    textBackend: settings.textBackend,
    detectorModelDir: settings.detectorModelDir,
    detectorModels: settings.detectorModels,
    ...(options.engine?.runtime ? { runtime: options.engine.runtime } : {}),
    automatic: { pointsPerSide: settings.pointsPerSide, ...options.engine?.automatic },
  };
  let engine: SegmentationEngine<SamEmbedding>;
  let notices: readonly string[];
  if (settings.modelWorker) {
    const worker = await WorkerSamEngine.start(setup);
    ({ notices } = worker);
    engine = worker;
  } else {
    // Required only here: with the worker, this thread never loads onnxruntime or tfjs.
    const { loadSamEngine } = require('./load-sam-engine') as typeof import('./load-sam-engine');
    ({ engine, notices } = await loadSamEngine(setup));
  }
  for (const notice of notices) process.stderr.write(`${notice}\n`);
  process.stderr.write(
    settings.modelWorker
      ? 'tasam demo: models run in a worker thread\n'
      : 'tasam demo: models run on the server thread (--no-model-worker)\n',
  );
  let app: FastifyInstance;
  try {
    app = await createDemoServer({
      engine,
      maxUploadBytes: settings.maxUploadBytes,
      maxPixels: settings.maxPixels,
      maxWaitMs: settings.maxWaitMs,
      allowedHosts: settings.allowedHosts,
      listenHost: settings.host,
      logger: options.logger === false ? false : { level: env.LOG_LEVEL ?? 'info' },
    });
    app.addHook('onClose', async () => engine.close?.());
    await app.listen({ port: settings.port, host: settings.host });
  } catch (error) {
    await engine.close?.();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return { app, url: `http://${host}:${port}/`, engine };
}
