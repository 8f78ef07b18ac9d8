import { TasamError } from '@tasam/errors';

/** A phrasing table given to the grounder is unusable: it names a category or supercategory that is not there. */
export class GroundingPhrasingError extends TasamError<'GROUNDING_PHRASING'> {
  constructor(
    readonly entry: string,
    readonly problem: string,
  ) {
    super('GROUNDING_PHRASING', `${entry}: ${problem}`);
  }
}
