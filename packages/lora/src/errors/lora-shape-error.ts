import { TasamError } from '@tasam/errors';

/** A LoRA matrix, rank or feature count does not have the shape its target needs. */
export class LoraShapeError extends TasamError<'LORA_SHAPE'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('LORA_SHAPE', `${input}: ${problem}`, options);
  }
}
