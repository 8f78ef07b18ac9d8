import { TasamError } from '@tasam/errors';

/** IoU inputs that do not fit together, e.g. an `iscrowd` list whose length is not the number of ground truths. */
export class IouInputError extends TasamError<'IOU_INPUT'> {
  constructor(readonly problem: string) {
    super('IOU_INPUT', `IoU: ${problem}`);
  }
}
