import { resolve } from 'node:path';
import { InvalidSettingError } from './errors/invalid-setting-error';

export interface ServerSettings {
  port: number;
  host: string;
  maxUploadBytes: number;
  maxPixels: number;
  /** Automatic mode's grid: n x n point prompts. */
  pointsPerSide: number;
  /** Hypernetwork checkpoint for task mode; default: the one @tasam/hypernet ships, when it exists. */
  checkpoint?: string;
  /** Text encoder the checkpoint was trained with. */
  textBackend: 'use-lite' | 'minilm';
  /** The COCO detector's model directory for grounded task mode; default: @tasam/detector's bundled model. */
  detectorModelDir?: string;
}

export const DEFAULT_PORT = 8787;
/** Loopback by default: the demo is for the person at this machine; HOST=0.0.0.0 shares it. */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * Reads the server's settings from the environment: PORT, HOST, TASAM_DEMO_MAX_UPLOAD_MB,
 * TASAM_DEMO_MAX_PIXELS, TASAM_DEMO_POINTS_PER_SIDE, TASAM_DEMO_CHECKPOINT, TASAM_DEMO_TEXT_BACKEND, TASAM_DEMO_DETECTOR_MODEL_DIR. Unset means the default; a set but
 * unusable value is an error, never ignored.
 */
export function readServerSettings(env: NodeJS.ProcessEnv): ServerSettings {
  return {
    port: readInteger(env, 'PORT', DEFAULT_PORT, 0, 65535),
    host: env.HOST?.trim() || DEFAULT_HOST,
    maxUploadBytes: readInteger(env, 'TASAM_DEMO_MAX_UPLOAD_MB', 20, 1, 1024) * 1024 * 1024,
    maxPixels: readInteger(env, 'TASAM_DEMO_MAX_PIXELS', 4096 * 4096, 1, 100_000_000),
    pointsPerSide: readInteger(env, 'TASAM_DEMO_POINTS_PER_SIDE', 8, 1, 64),
    ...(env.TASAM_DEMO_CHECKPOINT?.trim() ? { checkpoint: resolve(env.TASAM_DEMO_CHECKPOINT.trim()) } : {}),
    textBackend: readTextBackend(env),
    ...(env.TASAM_DEMO_DETECTOR_MODEL_DIR?.trim()
      ? { detectorModelDir: resolve(env.TASAM_DEMO_DETECTOR_MODEL_DIR.trim()) }
      : {}),
  };
}

function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidSettingError(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

function readTextBackend(env: NodeJS.ProcessEnv): 'use-lite' | 'minilm' {
  const raw = env.TASAM_DEMO_TEXT_BACKEND?.trim() || 'use-lite';
  if (raw !== 'use-lite' && raw !== 'minilm') {
    throw new InvalidSettingError('TASAM_DEMO_TEXT_BACKEND', raw, '"use-lite" or "minilm"');
  }
  return raw;
}
