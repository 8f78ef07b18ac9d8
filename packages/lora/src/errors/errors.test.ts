import { TasamError } from '@tasam/errors';
import {
  LoraAdapterError,
  LoraFileError,
  LoraLayoutError,
  LoraShapeError,
  LoraTargetNotFoundError,
  LoraValueError,
  OnnxModelError,
  SafetensorsFormatError,
} from '.';

describe('LoraShapeError', () => {
  it('names the input and the problem under a stable code', () => {
    const error = new LoraShapeError('some/input', 'is wrong', { cause: 'because' });
    expect(error.code).toBe('LORA_SHAPE');
    expect(error.message).toBe('some/input: is wrong');
    expect(error.name).toBe('LoraShapeError');
    expect(TasamError.isInstance(error)).toBe(true);
    expect((error.cause as Error).message).toBe('because');
  });
});

describe('lora error classes', () => {
  it.each([
    [new LoraValueError('t', 'NaN'), 'LORA_VALUE', 't: NaN'],
    [
      new SafetensorsFormatError('a.st', 'truncated'),
      'SAFETENSORS_FORMAT',
      'a.st: not a valid safetensors file: truncated',
    ],
    [new LoraAdapterError('a.st', 'no pairs'), 'LORA_ADAPTER', 'a.st: not a usable LoRA adapter: no pairs'],
    [
      new LoraTargetNotFoundError('x.y', 'sam.onnx'),
      'LORA_TARGET_NOT_FOUND',
      'x.y: no such LoRA target in sam.onnx',
    ],
    [new LoraLayoutError('x.y', 'transA=1'), 'LORA_LAYOUT', 'x.y: unsupported graph layout: transA=1'],
    [new OnnxModelError('m.onnx', 'no graph'), 'ONNX_MODEL', 'm.onnx: not a usable ONNX model: no graph'],
  ])('%p has a stable code and a message naming the input', (error, code, message) => {
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(TasamError.isInstance(error)).toBe(true);
  });

  it('LoraFileError names the path, the operation and the errno code', () => {
    const cause = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const error = new LoraFileError('/x/a.safetensors', 'read', { cause });
    expect(error.code).toBe('LORA_FILE');
    expect(error.message).toBe('/x/a.safetensors: cannot read file (ENOENT)');
    expect(error.cause).toBe(cause);
  });
});
