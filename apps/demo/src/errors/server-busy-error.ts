import { TasamError } from '@tasam/errors';

export interface ServerBusyDetails {
  /** What the refused job would have run: `encode`, `prompt`, `automatic` or `task`. */
  kind: string;
  /** Jobs waiting or running when it was refused. */
  pending: number;
  /** The model's expected time to answer it (the queue ahead of it plus its own run), in ms. */
  expectedMs: number;
  /** `expectedMs` with the admission's margin for the spread of job times (what had to fit), in ms. */
  upperMs?: number;
  /** The admission bound, in ms. */
  maxWaitMs: number;
  /** Whole seconds until the queue is expected to have drained: the response's `Retry-After`. */
  retryAfterSeconds: number;
  /** Set when the hard cap on queued jobs (not the time bound) refused it. */
  maxPending?: number;
  /**
   * Set when an admitted job was shed before it ran (a slow spell, or another session's job served before it,
   * left it unable to finish by its deadline): how long its request had waited, in ms. `expectedMs` and
   * `upperMs` then count from its arrival.
   */
  waitedMs?: number;
}

/**
 * The model could not answer this request within the admission bound (or the queue is at its hard cap): the
 * request is refused at once, with 503 and a `Retry-After`, instead of waiting past the client's patience.
 */
export class ServerBusyError extends TasamError<'DEMO_BUSY'> {
  readonly retryAfterSeconds: number;

  constructor(readonly details: ServerBusyDetails) {
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    super(
      'DEMO_BUSY',
      details.maxPending !== undefined
        ? `server busy: ${details.pending} requests are already queued for the model (at most ` +
            `${details.maxPending}); retry in ${details.retryAfterSeconds} s`
        : details.waitedMs !== undefined
          ? `server busy: this ${details.kind} request has waited ${seconds(details.waitedMs)} s and could no ` +
            `longer be answered within the ${seconds(details.maxWaitMs)} s bound (in ${span(details)} from ` +
            `its arrival); retry in ${details.retryAfterSeconds} s`
          : `server busy: the model would answer this ${details.kind} request in ${span(details)} ` +
            `(${details.pending} requests queued), over the ${seconds(details.maxWaitMs)} s bound; ` +
            `retry in ${details.retryAfterSeconds} s`,
    );
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** `~12.3 s`, or `9.0 to 11.2 s` when the margin for slower jobs matters. */
function span({ expectedMs, upperMs }: ServerBusyDetails): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  return upperMs !== undefined && upperMs - expectedMs >= 50
    ? `${seconds(expectedMs)} to ${seconds(upperMs)} s`
    : `~${seconds(expectedMs)} s`;
}
