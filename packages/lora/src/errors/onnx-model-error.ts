import { TasamError } from '@tasam/errors';

/** Bytes that do not decode as an ONNX model, or a model without a graph. */
export class OnnxModelError extends TasamError<'ONNX_MODEL'> {
  constructor(
    readonly source: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('ONNX_MODEL', `${source}: not a usable ONNX model: ${problem}`, options);
  }
}
