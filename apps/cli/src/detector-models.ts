import { DETECTOR_MODELS, type DetectorModelName } from '@tasam/detector';
import { InvalidArgumentError } from 'commander';

/** `--detector-models centernet,nanodet`: a non-empty comma-separated list of distinct detector models. */
export function parseDetectorModels(text: string): DetectorModelName[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const known = DETECTOR_MODELS.join(', ');
  if (names.length === 0) throw new InvalidArgumentError(`expected one or more of ${known}; got "${text}".`);
  names.forEach((name, i) => {
    if (!DETECTOR_MODELS.includes(name as DetectorModelName))
      throw new InvalidArgumentError(`no detector model "${name}" (known: ${known}).`);
    if (names.indexOf(name) !== i) throw new InvalidArgumentError(`"${name}" is named twice.`);
  });
  return names as DetectorModelName[];
}

/** The help text of the option. */
export const DETECTOR_MODELS_HELP =
  'comma-separated detector models: centernet,nanodet (default: both, boxes fused) or one of them (about half the detector time); ' +
  'or yolov8n, yolov8s, yolov8m: stronger, not shipped (AGPL-3.0): their .onnx files from --detector-model-dir (README, "A stronger detector")';

/**
 * The detector's models and model directory: the command's flags, else the environment's
 * TASAM_DETECTOR_MODELS (as `--detector-models`) and TASAM_DETECTOR_MODEL_DIR, so that a YOLOv8 you supply can be
 * the default of every command. A bad variable is a usage error naming it.
 */
export function detectorFromEnv(
  flags: { models?: DetectorModelName[]; modelDir?: string },
  env: NodeJS.ProcessEnv,
  usage: (message: string) => never,
): { models?: DetectorModelName[]; modelDir?: string } {
  let models = flags.models;
  const fromEnv = env.TASAM_DETECTOR_MODELS?.trim();
  if (!models && fromEnv) {
    try {
      models = parseDetectorModels(fromEnv);
    } catch (error) {
      usage(`TASAM_DETECTOR_MODELS: ${(error as Error).message}`);
    }
  }
  const modelDir = flags.modelDir ?? (env.TASAM_DETECTOR_MODEL_DIR?.trim() || undefined);
  return { ...(models ? { models } : {}), ...(modelDir ? { modelDir } : {}) };
}

/** `detectorFromEnv` for the commands whose flags are --detector-models and --detector-model-dir. */
export function detectorOptionsFromEnv(
  options: { detectorModels?: DetectorModelName[]; detectorModelDir?: string },
  env: NodeJS.ProcessEnv,
  usage: (message: string) => never,
): { detectorModels?: DetectorModelName[]; detectorModelDir?: string } {
  const { models, modelDir } = detectorFromEnv(
    { models: options.detectorModels, modelDir: options.detectorModelDir },
    env,
    usage,
  );
  return { detectorModels: models, detectorModelDir: modelDir };
}
