import { TasamError } from '@tasam/errors';

/** A timed `tasam segment` run of the benchmark failed. */
export class BenchRunError extends TasamError<'BENCH_RUN_FAILED'> {
  constructor(
    readonly image: string,
    readonly exitCode: number | null,
    readonly lastLine: string,
  ) {
    super('BENCH_RUN_FAILED', `${image}: tasam segment exited ${exitCode}${lastLine ? `: ${lastLine}` : ''}`);
  }
}
