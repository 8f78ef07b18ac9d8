/**
 * A part of a task is grounded when its best category phrasing is at least this much more similar to it than
 * the best stuff anchor (USE-lite cosine similarities). Chosen with `calibrateMargin` on
 * test/grounding-calibration-set.ts (184 texts, 41 naming no category), never on the test set: every threshold
 * in (0.066, 0.134] classifies 183 of them right (highest "none" text below: "find the robots" at 0.066; lowest
 * grounded: "segment the tv screen" at 0.134; the one miss, "street lamps" read as "lambs", misses at any
 * threshold), and 0.10 is that interval's middle, rounded.
 * test/grounding-calibration.test.ts recomputes the interval and fails if it no longer holds this value.
 */
export const NONE_MARGIN = 0.1;
