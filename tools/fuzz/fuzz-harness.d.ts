// Types of fuzz-harness.js (plain CommonJS so every package's jest can require it from here).

import type { Arbitrary } from 'fast-check';

/** Where each parser's row is written. */
export declare const FUZZ_ARTIFACTS: string;
/** Cases per property (TASAM_FUZZ_RUNS, default 100). */
export declare const FUZZ_RUNS: number;
/** Base seed (TASAM_FUZZ_SEED, fixed default). */
export declare const FUZZ_SEED: number;
/** Hang budget per case in ms (TASAM_FUZZ_HANG_MS, default 10 000): reported, never asserted. */
export declare const FUZZ_HANG_MS: number;
/** True in fuzz runs (TASAM_FUZZ_RUNS set): rows are written. */
export declare const FUZZ_REPORT: boolean;

export declare function fuzzParams(name: string): { numRuns: number; seed: number };
/** A jest timeout for one property whose cases take about `msPerCase` on an idle machine. */
export declare function fuzzTimeout(msPerCase?: number): number;

export interface ParserFuzzOptions {
  /** `@tasam/coco-data`. */
  package: string;
  /** What is parsed, as the table shows it: `COCO instances JSON`. */
  parser: string;
  /** Which TasamErrors count as this parser's typed errors (default: every TasamError). */
  isTyped?: (error: unknown) => boolean;
  hangMs?: number;
}

export interface RunOptions<T> {
  /** A problem with a returned value (it makes the case a crash), or undefined when it is good. */
  check?: (result: T) => string | undefined;
  /**
   * True for a returned value that is the parser's way of rejecting the input (a status or exit code, not a
   * throw); counted with the typed errors. `check` sees rejections too.
   */
  rejected?: (result: T) => boolean;
}

export interface FuzzRow {
  package: string;
  parser: string;
  properties: string[];
  runsPerProperty: number;
  seed: number;
  cases: number;
  valid: number;
  /** Typed errors (or rejections returned as values). */
  rejected: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  peakRssMb: number;
  samples: { property: string; kind: 'crash' | 'hang'; message?: string; ms?: number }[];
}

export declare class ParserFuzz {
  constructor(options: ParserFuzzOptions);
  readonly package: string;
  readonly parser: string;
  /** Starts a property and returns its fast-check parameters. */
  property(name: string): { numRuns: number; seed: number };
  /** One case; false when it crashed. A typed error's message must contain `name` (unless undefined). */
  run<T>(name: string | undefined, parse: () => T, options?: RunOptions<T>): boolean;
  runAsync<T>(name: string | undefined, parse: () => Promise<T>, options?: RunOptions<T>): Promise<boolean>;
  row(): FuzzRow;
  /** Writes the row to FUZZ_ARTIFACTS in fuzz runs; call from afterAll. */
  report(): void;
}

export type ByteMutationKind =
  | 'flip'
  | 'set'
  | 'truncate'
  | 'insert'
  | 'delete'
  | 'duplicate'
  | 'zero-run'
  | 'ff-run';
export declare const BYTE_MUTATIONS: readonly ByteMutationKind[];
export interface ByteMutation {
  kind: ByteMutationKind;
  /** Position as a fraction of the length, 0 <= at < 1. */
  at: number;
  /** 0..255: the byte, the bit, or a run length. */
  value: number;
}
export declare function mutateBytes(bytes: Uint8Array, ops: readonly ByteMutation[]): Uint8Array;

export type JsonMutationKind = 'delete' | 'replace' | 'scale' | 'nest' | 'duplicate' | 'to-string';
export declare const JSON_MUTATIONS: readonly JsonMutationKind[];
export interface JsonMutation {
  kind: JsonMutationKind;
  /** Which node, as a fraction of the nodes in pre-order, 0 <= at < 1. */
  at: number;
  replacement?: unknown;
  factor?: number;
  depth?: number;
}
export declare const HOSTILE_VALUES: readonly unknown[];
export declare function mutateJson<T>(value: T, ops: readonly JsonMutation[]): unknown;

/** 1 to `maxLength` byte mutations (see mutateBytes). */
export declare function byteMutations(maxLength: number): Arbitrary<ByteMutation[]>;
/** A value for a JSON field: HOSTILE_VALUES, any small JSON, any double, or an integer of `integers`. */
export declare function hostileJsonValue(integers: { min: number; max: number }): Arbitrary<unknown>;
/**
 * 1 to `maxLength` JSON mutations (see mutateJson): 'replace' puts a `replacement` value in, 'scale' multiplies a
 * number by one of `factors`, 'nest' wraps a node in 1 to `maxDepth` arrays.
 */
export declare function jsonMutations(options: {
  replacement: Arbitrary<unknown>;
  factors: readonly number[];
  maxDepth: number;
  maxLength: number;
}): Arbitrary<JsonMutation[]>;
