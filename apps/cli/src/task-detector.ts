import { CocoDetector, type DetectorModelName } from '@tasam/detector';

/**
 * Starts loading the COCO detector for grounded task mode: its files are read and checked here, its models built
 * and warmed in worker threads meanwhile. The caller awaits it when the first boxes are needed and disposes it.
 */
export function startTaskDetector(options: {
  detectorModelDir?: string;
  detectorModels?: DetectorModelName[];
}): Promise<CocoDetector> {
  const detector = CocoDetector.load({ modelDir: options.detectorModelDir, models: options.detectorModels });
  // Awaited later: keep a failed load from becoming an unhandled rejection while other work is awaited.
  detector.catch(() => undefined);
  return detector;
}
