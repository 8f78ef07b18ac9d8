import { TasamError } from '@tasam/errors';

/** A LoRA number is unusable: NaN or infinite weights, a non-finite alpha. */
export class LoraValueError extends TasamError<'LORA_VALUE'> {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super('LORA_VALUE', `${input}: ${problem}`);
  }
}
