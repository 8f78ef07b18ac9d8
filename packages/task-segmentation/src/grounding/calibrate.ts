/** A labelled margin: a text's best part margin, and whether the text names a category. */
export interface MarginSample {
  margin: number;
  grounded: boolean;
}

export interface MarginCalibration {
  /** The middle of the widest interval of thresholds with the best accuracy. */
  threshold: number;
  /** Every threshold in (low, high] has that accuracy. */
  low: number;
  high: number;
  accuracy: number;
  /** Samples on the wrong side of `threshold`. */
  errors: number;
}

/**
 * Chooses the margin threshold that classifies `samples` best (grounded iff margin ≥ threshold). Of the
 * intervals between consecutive sample margins with the best accuracy it takes the widest, and its middle,
 * so the threshold is as far from every calibration text as the data allows.
 */
export function calibrateMargin(samples: readonly MarginSample[]): MarginCalibration {
  const finite = samples.filter((s) => Number.isFinite(s.margin));
  if (finite.length === 0)
    throw new RangeError('calibrateMargin needs at least one sample with a finite margin');
  const margins = [...new Set(finite.map((s) => s.margin))].sort((a, b) => a - b);
  // Candidate intervals: below all, between neighbours, above all (bounded by ±1 past the extremes).
  const edges = [margins[0] - 1, ...margins, margins[margins.length - 1] + 1];
  let best: MarginCalibration | undefined;
  for (let i = 0; i + 1 < edges.length; i++) {
    const low = edges[i];
    const high = edges[i + 1];
    const threshold = (low + high) / 2;
    const errors = finite.filter((s) => s.margin >= threshold !== s.grounded).length;
    const accuracy = 1 - errors / finite.length;
    if (!best || errors < best.errors || (errors === best.errors && high - low > best.high - best.low))
      best = { threshold, low, high, accuracy, errors };
  }
  return best!;
}
