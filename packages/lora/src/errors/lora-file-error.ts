import { TasamError } from '@tasam/errors';

/** Reading or writing a LoRA or model file failed at the file-system level (missing, unreadable, disk full). */
export class LoraFileError extends TasamError<'LORA_FILE'> {
  constructor(
    readonly path: string,
    readonly operation: 'read' | 'write',
    options: { cause?: unknown } = {},
  ) {
    const reason = (options.cause as NodeJS.ErrnoException | undefined)?.code ?? 'I/O error';
    super('LORA_FILE', `${path}: cannot ${operation} file (${reason})`, options);
  }
}
