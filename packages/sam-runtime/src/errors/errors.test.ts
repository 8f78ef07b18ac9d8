import { TasamError } from '@tasam/errors';
import {
  ExecutionProviderError,
  InvalidOptionError,
  InvalidPromptError,
  InvalidTensorError,
  ModelChecksumError,
  ModelLoadError,
  ModelSurgeryError,
  OutputWriteError,
  SamModelMissingError,
} from '.';

describe('sam-runtime errors', () => {
  it('name the input and the problem under a stable code', () => {
    const cases: [TasamError, string, string][] = [
      [
        new SamModelMissingError('some/input', 'is wrong', { cause: 'because' }),
        'SAM_MODEL_MISSING',
        'some/input: is wrong',
      ],
      [
        new InvalidPromptError('point 1 (700, 3)', 'outside the 640x480 image'),
        'INVALID_PROMPT',
        'point 1 (700, 3): outside the 640x480 image',
      ],
      [
        new InvalidTensorError('embedding', 'expected dims [1,256,64,64]'),
        'INVALID_TENSOR',
        'embedding: expected dims [1,256,64,64]',
      ],
      [
        new ModelLoadError('trunk.onnx', 'protobuf parsing failed'),
        'MODEL_LOAD_FAILED',
        'trunk.onnx: protobuf parsing failed',
      ],
      [new ModelSurgeryError('sam.onnx', 'no IoU head'), 'MODEL_SURGERY_FAILED', 'sam.onnx: no IoU head'],
      [
        new InvalidOptionError('encoderPrecision', 'expected one of fp32, int8; got "fp16"'),
        'INVALID_OPTION',
        'encoderPrecision: expected one of fp32, int8; got "fp16"',
      ],
      [
        new ModelChecksumError('int8 encoder', 'ab12', 'cd34'),
        'MODEL_CHECKSUM_MISMATCH',
        'int8 encoder: SHA-256 cd34, expected ab12',
      ],
      [
        new OutputWriteError('/x/mask.png', 'directory does not exist'),
        'OUTPUT_WRITE_FAILED',
        '/x/mask.png: directory does not exist',
      ],
    ];
    for (const [error, code, message] of cases) {
      expect(TasamError.isInstance(error)).toBe(true);
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
      expect(error.name).toBe(error.constructor.name);
    }
    expect((cases[0][0].cause as Error).message).toBe('because');
  });

  it('names the provider and why it cannot be used', () => {
    const error = new ExecutionProviderError('cuda', 'failed to start; use "cpu"');
    expect(error.code).toBe('EXECUTION_PROVIDER_UNAVAILABLE');
    expect(error.message).toBe('execution provider "cuda": failed to start; use "cpu"');
  });
});
