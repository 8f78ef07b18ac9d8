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
