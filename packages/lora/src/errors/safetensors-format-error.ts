import { TasamError } from '@tasam/errors';

/** Bytes that are not a valid safetensors file: truncated, corrupt header, overlapping or missing data. */
export class SafetensorsFormatError extends TasamError<'SAFETENSORS_FORMAT'> {
  constructor(
    readonly source: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('SAFETENSORS_FORMAT', `${source}: not a valid safetensors file: ${problem}`, options);
  }
}
