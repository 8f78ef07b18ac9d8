import { InvalidArgumentError } from 'commander';
import { detectorFromEnv, parseDetectorModels } from './detector-models';

const usage = (message: string): never => {
  throw new Error(message);
};

describe('parseDetectorModels', () => {
  it('takes distinct shipped or YOLOv8 model names, comma-separated', () => {
    expect(parseDetectorModels('centernet, nanodet')).toEqual(['centernet', 'nanodet']);
    expect(parseDetectorModels('yolov8s')).toEqual(['yolov8s']);
  });

  it('refuses unknown, repeated or no names', () => {
    expect(() => parseDetectorModels('yolov9')).toThrow(InvalidArgumentError);
    expect(() => parseDetectorModels('yolov9')).toThrow(
      /no detector model "yolov9" \(known: centernet, nanodet, yolov8n/,
    );
    expect(() => parseDetectorModels('nanodet,nanodet')).toThrow(/"nanodet" is named twice/);
    expect(() => parseDetectorModels(' , ')).toThrow(/expected one or more of/);
  });
});

describe('detectorFromEnv', () => {
  it('takes the flags first, else TASAM_DETECTOR_MODELS and TASAM_DETECTOR_MODEL_DIR, else nothing', () => {
    const env = { TASAM_DETECTOR_MODELS: 'yolov8s', TASAM_DETECTOR_MODEL_DIR: '/models/yolo' };
    expect(detectorFromEnv({}, env, usage)).toEqual({ models: ['yolov8s'], modelDir: '/models/yolo' });
    expect(detectorFromEnv({ models: ['centernet'], modelDir: '/mine' }, env, usage)).toEqual({
      models: ['centernet'],
      modelDir: '/mine',
    });
    expect(detectorFromEnv({}, {}, usage)).toEqual({});
    expect(detectorFromEnv({}, { TASAM_DETECTOR_MODELS: ' ', TASAM_DETECTOR_MODEL_DIR: '' }, usage)).toEqual(
      {},
    );
  });

  it('makes a bad TASAM_DETECTOR_MODELS a usage error naming the variable', () => {
    expect(() => detectorFromEnv({}, { TASAM_DETECTOR_MODELS: 'yolo' }, usage)).toThrow(
      /^TASAM_DETECTOR_MODELS: no detector model "yolo"/,
    );
    // A flag wins: the variable is then not read at all.
    expect(detectorFromEnv({ models: ['nanodet'] }, { TASAM_DETECTOR_MODELS: 'yolo' }, usage)).toEqual({
      models: ['nanodet'],
    });
  });
});
