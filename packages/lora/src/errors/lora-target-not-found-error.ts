import { TasamError } from '@tasam/errors';

/** A LoRA target (module path) has no linear layer in the ONNX graph, or the graph has no such LoRA input. */
export class LoraTargetNotFoundError extends TasamError<'LORA_TARGET_NOT_FOUND'> {
  constructor(
    readonly target: string,
    readonly where: string,
  ) {
    super('LORA_TARGET_NOT_FOUND', `${target}: no such LoRA target in ${where}`);
  }
}
