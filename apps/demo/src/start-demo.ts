import type { FastifyInstance } from 'fastify';
import { createDemoServer } from './demo-server';
import { loadTaskLoras } from './hypernet-task-loras';
import { SamEngine, type SamEngineOptions } from './sam-engine';
import { readServerSettings } from './server-settings';
import { loadGrounding } from './task-grounding';

export interface RunningDemo {
  app: FastifyInstance;
  /** Where the page is served, e.g. http://127.0.0.1:8787/ */
  url: string;
  engine: SamEngine;
}

/**
 * Loads the model, builds the server and listens on HOST:PORT (environment; defaults 127.0.0.1:8787).
 * `argv`: the command line's flags (`--allowed-host NAME`, `--max-wait SECONDS`). `engine` options are for
 * tests and benchmarks; the command line uses the defaults.
 */
export async function startDemo(
  env: NodeJS.ProcessEnv = process.env,
  options: { engine?: SamEngineOptions; logger?: boolean; argv?: readonly string[] } = {},
): Promise<RunningDemo> {
  const settings = readServerSettings(env, options.argv);
  const tasks = await loadTaskLoras({ checkpoint: settings.checkpoint, textBackend: settings.textBackend });
  // Grounded task mode: the COCO detector, and a grounder on the task LoRAs' own text encoder.
  const grounding = tasks.encoder
    ? await loadGrounding({ encoder: tasks.encoder, detectorModelDir: settings.detectorModelDir })
    : undefined;
  const engine = await SamEngine.create({
    taskLoras: tasks.generator,
    taskUnavailableReason: tasks.unavailableReason,
    grounding,
    ...options.engine,
    automatic: { pointsPerSide: settings.pointsPerSide, ...options.engine?.automatic },
  });
  process.stderr.write(
    tasks.generator
      ? `tasam demo: task mode on: ${tasks.id} (${tasks.checkpoint})\n`
      : `tasam demo: task mode off: no checkpoint at ${tasks.checkpoint}\n`,
  );
  if (grounding) {
    process.stderr.write(
      grounding.detector
        ? `tasam demo: tasks naming COCO categories use the detector: ${grounding.id}\n`
        : `tasam demo: grounded task mode off, every task uses the task scorer: ${grounding.unavailableReason}: ${
            grounding.error instanceof Error ? grounding.error.message : String(grounding.error)
          }\n`,
    );
  }
  const app = await createDemoServer({
    engine,
    maxUploadBytes: settings.maxUploadBytes,
    maxPixels: settings.maxPixels,
    maxWaitMs: settings.maxWaitMs,
    allowedHosts: settings.allowedHosts,
    listenHost: settings.host,
    logger: options.logger === false ? false : { level: env.LOG_LEVEL ?? 'info' },
  });
  await app.listen({ port: settings.port, host: settings.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return { app, url: `http://${host}:${port}/`, engine };
}
