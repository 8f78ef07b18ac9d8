import { evalInvocation } from './eval-invocation';

describe('evalInvocation', () => {
  it('is the command as typed when no variable stands in for a flag', () => {
    expect(evalInvocation(['--coco', 'data/coco', '--protocol', 'grounded'], { coco: 'data/coco' }, {})).toBe(
      'tasam eval --coco data/coco --protocol grounded',
    );
  });

  it('puts the variables that stood in for missing flags in front, quoted for a shell', () => {
    const env = {
      TASAM_COCO: '/data/my coco',
      TASAM_DETECTOR_MODELS: 'yolov8s',
      TASAM_DETECTOR_MODEL_DIR: '/models',
      HOME: '/root',
    };
    expect(evalInvocation(['--protocol', 'grounded'], {}, env)).toBe(
      "TASAM_COCO='/data/my coco' TASAM_DETECTOR_MODELS=yolov8s TASAM_DETECTOR_MODEL_DIR=/models tasam eval --protocol grounded",
    );
  });

  it('leaves out a variable whose flag was given, and blank variables', () => {
    const env = { TASAM_DETECTOR_MODELS: 'yolov8s', TASAM_DETECTOR_MODEL_DIR: '  ' };
    expect(evalInvocation(['--detector-models', 'centernet'], { detectorModels: ['centernet'] }, env)).toBe(
      'tasam eval --detector-models centernet',
    );
    expect(evalInvocation(["it's"], {}, {})).toBe("tasam eval 'it'\\''s'");
  });
});
