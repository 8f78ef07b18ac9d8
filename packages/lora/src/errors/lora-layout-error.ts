import { TasamError } from '@tasam/errors';

/** A target's node exists but its layout is not one LoRA surgery supports (op, attributes, weight dims). */
export class LoraLayoutError extends TasamError<'LORA_LAYOUT'> {
  constructor(
    readonly target: string,
    readonly problem: string,
  ) {
    super('LORA_LAYOUT', `${target}: unsupported graph layout: ${problem}`);
  }
}
