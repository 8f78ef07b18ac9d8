import { TasamError } from '@tasam/errors';

/** Shard manifests that cannot be merged: shards missing, unreadable, or made with another encoder. */
export class ManifestError extends TasamError<'MANIFEST_INVALID'> {
  constructor(
    readonly input: string,
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super('MANIFEST_INVALID', `${input}: ${problem}`, options);
  }
}
