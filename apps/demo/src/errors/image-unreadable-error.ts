import { TasamError } from '@tasam/errors';

/** The header says image, but the pixels do not decode (truncated or corrupt file). */
export class ImageUnreadableError extends TasamError<'DEMO_IMAGE_UNREADABLE'> {
  constructor(
    readonly filename: string,
    readonly format: string,
    options: { cause?: unknown } = {},
  ) {
    const reason = options.cause instanceof Error ? `: ${options.cause.message.split('\n')[0]}` : '';
    super('DEMO_IMAGE_UNREADABLE', `${filename}: the ${format} data does not decode${reason}`, options);
  }
}
