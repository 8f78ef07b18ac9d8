import { TasamError } from '@tasam/errors';

/** A point, box or mask prompt that SAM cannot take: outside the image, malformed, wrong label. */
export class InvalidPromptError extends TasamError<'INVALID_PROMPT'> {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super('INVALID_PROMPT', `${input}: ${problem}`);
  }
}
