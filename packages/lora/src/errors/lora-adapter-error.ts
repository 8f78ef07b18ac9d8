import { TasamError } from '@tasam/errors';

/** A valid safetensors file that is not a LoRA adapter tasam can use (unknown tensor names, missing pairs). */
export class LoraAdapterError extends TasamError<'LORA_ADAPTER'> {
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super('LORA_ADAPTER', `${source}: not a usable LoRA adapter: ${problem}`);
  }
}
