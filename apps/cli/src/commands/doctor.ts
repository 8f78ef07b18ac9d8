import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { locateSamModels, runtimeVersions } from '@tasam/sam-runtime';
import { Command } from 'commander';
import pc from 'picocolors';
import { type CacheReport, formatBytes, measureCache } from '../cache-usage';
import { type CliIO, useColor, writeLine } from '../cli-context';
import { ExitCode } from '../exit-codes';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** Works, but a feature is unavailable (e.g. no trained checkpoint yet); does not fail the doctor. */
  warning?: boolean;
}

/**
 * The hypernetwork checkpoint that `segment --task` loads by default, located through @tasam/hypernet's own
 * `defaultCheckpointPath()`. Loaded lazily: hypernet pulls in tfjs, which no other doctor check needs.
 */
function hypernetCheck(): DoctorCheck {
  const name = 'hypernet checkpoint';
  let path: string;
  try {
    path = (require('@tasam/hypernet') as typeof import('@tasam/hypernet')).defaultCheckpointPath();
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `@tasam/hypernet does not load: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  if (!existsSync(path)) {
    return {
      name,
      ok: true,
      warning: true,
      detail: `${path} is missing: task-aware segmentation needs it (train one with \`tasam train\`)`,
    };
  }
  const size = formatBytes(statSync(path).size);
  let scorer: import('@tasam/hypernet').TaskMaskScorer | undefined;
  try {
    const { decodeScorer } = require('@tasam/hypernet') as typeof import('@tasam/hypernet');
    const { decodeSafetensors } = require('@tasam/lora') as typeof import('@tasam/lora');
    scorer = decodeScorer(decodeSafetensors(readFileSync(path), path), path);
  } catch (error) {
    return { name, ok: false, detail: `${path}: ${(error as Error).message.split('\n')[0]}` };
  }
  if (!scorer) {
    return {
      name,
      ok: true,
      warning: true,
      detail: `${path} (${size}) has no task scorer: --task without clicks falls back to the adapted IoU head`,
    };
  }
  return {
    name,
    ok: true,
    detail: `${path} (${size}; task scorer over ${scorer.config.references ?? 0} categories)`,
  };
}

/**
 * The default text encoder's files (USE-lite, from its npm package): graph, every weight shard the graph
 * names, vocabulary. Checked on disk only; loading the model would pull in tfjs.
 */
function textEncoderCheck(): DoctorCheck {
  const name = 'text encoder';
  try {
    const { locateUseLite } = require('@tasam/text-encoder') as typeof import('@tasam/text-encoder');
    const { dir, id } = locateUseLite();
    const graph = join(dir, 'model.json');
    const manifest = JSON.parse(readFileSync(graph, 'utf8')) as { weightsManifest: { paths: string[] }[] };
    const files = ['vocab.json', ...manifest.weightsManifest.flatMap((group) => group.paths)];
    const missing = files.filter((file) => !existsSync(join(dir, file)));
    if (missing.length > 0) return { name, ok: false, detail: `${dir}: missing ${missing.join(', ')}` };
    const bytes = ['model.json', ...files].reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    return { name, ok: true, detail: `${id} (${formatBytes(bytes)})` };
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message.split('\n')[0] };
  }
}

function cacheChecks(cache: CacheReport): DoctorCheck[] {
  const total = cache.files === 0 ? 'empty' : `${formatBytes(cache.bytes)} in ${cache.files} files`;
  return [
    {
      name: 'cache',
      ok: cache.writable,
      detail: `${cache.root} (${cache.writable ? total : 'not writable; set TASAM_CACHE to a writable directory'})`,
    },
    ...cache.kinds.map((usage) => ({
      name: `cache/${usage.kind}`,
      ok: true,
      detail: usage.files === 0 ? 'empty' : `${formatBytes(usage.bytes)} in ${usage.files} files`,
    })),
  ];
}

/** The bundled detector models: every file present and matching its SHA-256. */
function detectorCheck(): DoctorCheck {
  // Loaded here only: the detector's module brings tfjs, which the other checks do not need.
  const { CENTERNET_MODEL_ID, NANODET_MODEL_ID, DETECTOR_SHA256, defaultModelDir } =
    require('@tasam/detector') as typeof import('@tasam/detector');
  const dir = defaultModelDir();
  const bad = Object.entries(DETECTOR_SHA256).flatMap(([file, expected]) => {
    const path = join(dir, file);
    if (!existsSync(path)) return [`${file} missing`];
    const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
    return actual === expected ? [] : [`${file} fails its SHA-256 (${actual.slice(0, 12)}…)`];
  });
  return bad.length === 0
    ? { name: 'detector model', ok: true, detail: `${CENTERNET_MODEL_ID} + ${NANODET_MODEL_ID}: ${dir}` }
    : { name: 'detector model', ok: false, detail: `${dir}: ${bad.join('; ')}` };
}

/** Everything `tasam` needs at run time, checked without network access. */
export function runDoctorChecks(env: NodeJS.ProcessEnv = process.env): DoctorCheck[] {
  const versions = runtimeVersions();
  const checks: DoctorCheck[] = [
    { name: 'node', ok: Number(process.versions.node.split('.')[0]) >= 20, detail: process.version },
    { name: 'platform', ok: true, detail: `${platform()}-${arch()}` },
    {
      name: 'onnxruntime-node',
      ok: !versions['onnxruntime-node'].startsWith('not loadable'),
      detail: versions['onnxruntime-node'],
    },
    { name: 'sharp', ok: !versions.sharp.startsWith('not loadable'), detail: versions.sharp },
  ];
  try {
    const sam = locateSamModels();
    checks.push({ name: 'sam models', ok: true, detail: `${sam.version}: ${sam.encoder}, ${sam.decoder}` });
  } catch (error) {
    checks.push({ name: 'sam models', ok: false, detail: (error as Error).message });
  }
  checks.push(detectorCheck());
  checks.push(textEncoderCheck());
  checks.push(hypernetCheck());
  checks.push(...cacheChecks(measureCache(env)));
  return checks;
}

export function doctorCommand(io: CliIO, setExitCode: (code: number) => void): Command {
  return new Command('doctor')
    .description('check the runtime, native bindings, bundled models and the cache (what is there, its size)')
    .option('--json', 'print the checks as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  $ tasam doctor\n  $ TASAM_CACHE=/scratch/tasam tasam doctor --json')
    .action((options: { json?: boolean }) => {
      const checks = runDoctorChecks(io.env);
      const healthy = checks.every((check) => check.ok);
      if (options.json) {
        writeLine(io.stdout, JSON.stringify({ ok: healthy, checks, cache: measureCache(io.env) }));
      } else {
        const color = useColor(io.stdout, io.env);
        for (const check of checks) {
          const mark = !check.ok ? 'FAIL' : check.warning ? 'WARN' : 'ok  ';
          const paint = !check.ok ? pc.red : check.warning ? pc.yellow : pc.green;
          const painted = color ? paint(mark) : mark;
          writeLine(io.stdout, `${painted} ${check.name.padEnd(18)} ${check.detail}`);
        }
      }
      if (!healthy) {
        const failed = checks.filter((check) => !check.ok).map((check) => check.name);
        // A missing model or binding comes from an incomplete install; an unwritable cache does not.
        const hint = failed.some((name) => name !== 'cache')
          ? '; run `pnpm install` at the repository root'
          : '';
        writeLine(io.stderr, `tasam doctor: failed ${failed.join(', ')}${hint}`);
        setExitCode(ExitCode.failure);
      }
    });
}
