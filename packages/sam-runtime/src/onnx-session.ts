import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { join } from 'node:path';
import { sweepStaleTempFilesOnce, tempPathFor } from '@tasam/atomic-file';
import * as ort from 'onnxruntime-node';
import { ExecutionProviderError, ModelLoadError } from './errors';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** How onnxruntime sessions are created. Every field has a sensible CPU default. */
export interface SessionConfig {
  /** 'cpu' (default), or 'cuda' / 'tensorrt' / 'webgpu' where this onnxruntime-node build has them. */
  executionProvider?: string;
  /** Threads inside one operator (onnxruntime's intra-op pool); default: onnxruntime's choice (all cores). */
  intraOpThreads?: number;
  /**
   * Whether idle intra-op threads spin-wait for work (onnxruntime's default, true). On a machine shared with
   * other busy processes, false wastes less CPU: measured here, 2 threads ran the trunk 1.4x faster without it.
   */
  allowSpinning?: boolean;
  /** Threads running independent operators at once (only with executionMode 'parallel'). */
  interOpThreads?: number;
  /** 'sequential' (onnxruntime's default) or 'parallel' (independent branches at once, on interOpThreads). */
  executionMode?: 'sequential' | 'parallel';
  /** onnxruntime's CPU memory arena (default true): reuses freed buffers instead of returning them. */
  enableCpuMemArena?: boolean;
  /** onnxruntime graph optimisation level; default 'all'. */
  graphOptimizationLevel?: GraphOptimizationLevel;
  /**
   * When set, the graph optimised by onnxruntime is saved here on first use and later sessions load it with
   * optimisation disabled (faster session start). Keyed by model digest, onnxruntime version, level and provider.
   */
  optimizedModelDir?: string;
}

/**
 * The execution providers this onnxruntime-node build knows. Some (cuda, tensorrt) also need provider
 * libraries that the default install does not fetch; creating a session then fails with ExecutionProviderError.
 */
export function availableExecutionProviders(): string[] {
  return ort.listSupportedBackends().map((backend) => backend.name);
}

function assertProvider(provider: string): void {
  const known = availableExecutionProviders();
  if (!known.includes(provider)) {
    throw new ExecutionProviderError(
      provider,
      `unknown to this onnxruntime-node build (known: ${known.join(', ')})`,
    );
  }
}

/**
 * Creates an onnxruntime session for `model` (a path or the model bytes). `name` identifies the model in
 * errors and cache files; `digest` (content hash) is required for the optimised-model cache.
 */
export async function createSession(
  model: string | Uint8Array,
  name: string,
  config: SessionConfig = {},
  digest?: string,
): Promise<ort.InferenceSession> {
  const provider = config.executionProvider ?? 'cpu';
  assertProvider(provider);
  const level = config.graphOptimizationLevel ?? 'all';
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: level,
    // Warnings (e.g. pruned initializers) would clutter stderr of the CLI; errors still surface as exceptions.
    logSeverityLevel: 3,
    ...(config.intraOpThreads ? { intraOpNumThreads: config.intraOpThreads } : {}),
    ...(config.interOpThreads ? { interOpNumThreads: config.interOpThreads } : {}),
    ...(config.executionMode ? { executionMode: config.executionMode } : {}),
    ...(config.enableCpuMemArena === false ? { enableCpuMemArena: false } : {}),
    ...(config.allowSpinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  };
  const open = async (source: string | Uint8Array, extra: ort.InferenceSession.SessionOptions = {}) => {
    try {
      return typeof source === 'string'
        ? await ort.InferenceSession.create(source, { ...options, ...extra })
        : await ort.InferenceSession.create(source, { ...options, ...extra });
    } catch (cause) {
      const message = (cause as Error).message ?? String(cause);
      if (provider !== 'cpu' && message.toLowerCase().includes(provider)) {
        const firstLine = message.split('\n')[0].slice(0, 200);
        throw new ExecutionProviderError(provider, `cannot start on this machine (${firstLine}); use "cpu"`, {
          cause,
        });
      }
      throw new ModelLoadError(
        typeof source === 'string' ? source : name,
        `onnxruntime cannot load it: ${message}`,
        {
          cause,
        },
      );
    }
  };
  if (!config.optimizedModelDir || !digest || level === 'disabled') return open(model);

  const version = ort.env.versions.node ?? 'unknown';
  // Level 'all' may pick CPU-specific kernels and layouts: the file is only valid on the same kind of machine.
  const machine = createHash('sha256')
    .update(`${arch()} ${cpus()[0]?.model ?? ''}`)
    .digest('hex')
    .slice(0, 8);
  const file = join(
    config.optimizedModelDir,
    `${name}-${digest.slice(0, 16)}-ort${version}-${level}-${provider}-${machine}.onnx`,
  );
  if (existsSync(file)) {
    try {
      return await open(file, { graphOptimizationLevel: 'disabled' });
    } catch {
      rmSync(file, { force: true }); // unreadable cache entry: rebuild it below
    }
  }
  mkdirSync(config.optimizedModelDir, { recursive: true });
  sweepStaleTempFilesOnce(config.optimizedModelDir);
  const temporary = tempPathFor(file);
  const session = await open(model, { optimizedModelFilePath: temporary });
  try {
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true }); // the cache is an optimisation; the session itself is fine
  }
  return session;
}
