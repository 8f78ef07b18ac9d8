import { TasamError } from '@tasam/errors';

export class LoraShapeError extends TasamError<'LORA_SHAPE'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('LORA_SHAPE', `${input}: ${problem}`, options);
  }
}
