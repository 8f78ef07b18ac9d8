import { resolve } from 'node:path';
import { DETECTOR_MODELS, type DetectorModelName } from '@tasam/detector';
import { parseHost } from './allowed-hosts';
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
  /** The detector's models (e.g. ['yolov8s'], a YOLOv8 the user supplies); default: the shipped ensemble. */
  detectorModels?: DetectorModelName[];
  /** Admission bound: a request the model would not answer within this time gets 503 at once. */
  maxWaitMs: number;
  /** Host names served besides localhost, 127.0.0.1, [::1] and the listen address (`NAME` or `NAME:PORT`). */
  allowedHosts: string[];
  /**
   * Run the models in a worker thread (default), so the event loop reads requests while a model runs; false
   * (`--no-model-worker`) runs them on the server's thread, as before (debugging, profiling).
   */
  modelWorker: boolean;
}

export const DEFAULT_PORT = 8787;
/** Loopback by default: the demo is for the person at this machine; HOST=0.0.0.0 shares it. */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * Reads the server's settings from the environment (PORT, HOST, TASAM_DEMO_MAX_UPLOAD_MB,
 * TASAM_DEMO_MAX_PIXELS, TASAM_DEMO_POINTS_PER_SIDE, TASAM_DEMO_CHECKPOINT, TASAM_DEMO_TEXT_BACKEND,
 * TASAM_DEMO_DETECTOR_MODEL_DIR, TASAM_DEMO_DETECTOR_MODELS, TASAM_DEMO_MAX_WAIT_S, TASAM_DEMO_ALLOWED_HOSTS) and the command line
 * (`--allowed-host NAME`, repeatable, added to the variable's; `--max-wait SECONDS`, over the variable's;
 * `--no-model-worker`).
 * Unset means the default; a set but unusable value is an error, never ignored.
 */
export function readServerSettings(env: NodeJS.ProcessEnv, argv: readonly string[] = []): ServerSettings {
  const flags = readFlags(argv);
  const allowedHosts = [
    ...(env.TASAM_DEMO_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => checkHostName('TASAM_DEMO_ALLOWED_HOSTS', name)),
    ...flags.allowedHosts.map((name) => checkHostName('--allowed-host', name)),
  ];
  const maxWaitSeconds =
    flags.maxWait !== undefined
      ? readInteger({ '--max-wait': flags.maxWait }, '--max-wait', 10, 1, 3600)
      : readInteger(env, 'TASAM_DEMO_MAX_WAIT_S', 10, 1, 3600);
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
    ...readDetectorModels(env),
    maxWaitMs: maxWaitSeconds * 1000,
    allowedHosts,
    modelWorker: !flags.noModelWorker,
  };
}

/** The command line's flags; anything else is an error naming it. */
function readFlags(argv: readonly string[]): {
  allowedHosts: string[];
  maxWait?: string;
  noModelWorker?: boolean;
} {
  const flags: { allowedHosts: string[]; maxWait?: string; noModelWorker?: boolean } = { allowedHosts: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--no-model-worker') {
      flags.noModelWorker = true;
      continue;
    }
    const [flag, inline] =
      argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i]];
    if (flag !== '--allowed-host' && flag !== '--max-wait') {
      throw new InvalidSettingError(
        'command line',
        argv[i],
        '--allowed-host NAME (repeatable), --max-wait SECONDS or --no-model-worker; the rest is set by ' +
          'environment variables',
      );
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.trim() === '') {
      throw new InvalidSettingError(flag, value ?? '', 'a value after the flag');
    }
    if (flag === '--allowed-host') flags.allowedHosts.push(value);
    else flags.maxWait = value;
  }
  return flags;
}

function checkHostName(setting: string, name: string): string {
  if (!parseHost(name)) {
    throw new InvalidSettingError(
      setting,
      name,
      'a host name or address, optionally with :PORT ([::1] for IPv6)',
    );
  }
  return name.toLowerCase();
}

function readInteger(
  env: Readonly<Record<string, string | undefined>>,
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

/** TASAM_DEMO_DETECTOR_MODELS: a comma-separated list of distinct detector models, e.g. "yolov8s". */
function readDetectorModels(env: NodeJS.ProcessEnv): { detectorModels?: DetectorModelName[] } {
  const raw = env.TASAM_DEMO_DETECTOR_MODELS?.trim();
  if (!raw) return {};
  const names = raw.split(',').map((name) => name.trim());
  const expected = `distinct names from ${DETECTOR_MODELS.join(', ')}, comma-separated`;
  names.forEach((name, i) => {
    if (!DETECTOR_MODELS.includes(name as DetectorModelName) || names.indexOf(name) !== i)
      throw new InvalidSettingError('TASAM_DEMO_DETECTOR_MODELS', raw, expected);
  });
  return { detectorModels: names as DetectorModelName[] };
}

function readTextBackend(env: NodeJS.ProcessEnv): 'use-lite' | 'minilm' {
  const raw = env.TASAM_DEMO_TEXT_BACKEND?.trim() || 'use-lite';
  if (raw !== 'use-lite' && raw !== 'minilm') {
    throw new InvalidSettingError('TASAM_DEMO_TEXT_BACKEND', raw, '"use-lite" or "minilm"');
  }
  return raw;
}
