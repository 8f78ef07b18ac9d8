import { InvalidArgumentError } from 'commander';

/**
 * A whole number from `min` to 2^53 - 1 typed as digits (`--seed`, `--workers`, `--prompts`): past 2^53 digits
 * no longer name one number ("9007199254740993" reads as ...992), so such a value is refused, not rounded.
 */
export function parseWholeNumber(text: string, min = 0): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(
      `expected a whole number from ${min} to ${Number.MAX_SAFE_INTEGER}; got "${text}".`,
    );
  }
  return value;
}

/** A whole number >= 1 (`--threads`, `--limit`, `--epochs`, `--workers` of embed). */
export const parsePositiveInt = (text: string): number => parseWholeNumber(text, 1);

/** A whole number >= 0 (`--seed`, `--prompts`, coco-eval's `--workers`). */
export const parseNonNegativeInt = (text: string): number => parseWholeNumber(text, 0);

/** A finite number (`--lr`, thresholds, LoRA alpha). */
export function parseFiniteNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new InvalidArgumentError(`expected a number; got "${text}".`);
  return value;
}

/** A number from 0 to 1 (probabilities, detector score thresholds). */
export function parseUnitInterval(text: string): number {
  const value = parseFiniteNumber(text);
  if (value < 0 || value > 1) throw new InvalidArgumentError(`expected a number from 0 to 1; got "${text}".`);
  return value;
}
