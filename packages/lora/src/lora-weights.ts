import { LoraShapeError } from './errors/lora-shape-error';
import { LoraValueError } from './errors/lora-value-error';
import type { LoraTarget } from './lora-target';

/** One adapted linear: delta W = scaling · B A, PEFT layout. */
export interface LoraLayer {
  /** [rank, inFeatures], row-major. */
  a: Float32Array;
  /** [outFeatures, rank], row-major. */
  b: Float32Array;
  rank: number;
  inFeatures: number;
  outFeatures: number;
}

/** What a LoRA was made for; saved in the safetensors metadata. */
export interface LoraMetadata {
  /** Id of the text encoder whose embedding produced this LoRA (e.g. `use-lite`). */
  textEncoder?: string;
  /** The task text (e.g. `segment all red apples`). */
  task?: string;
  /** Extra string key/values kept verbatim. */
  extra?: Readonly<Record<string, string>>;
}

export interface LoraWeightsInit {
  rank: number;
  alpha: number;
  /** rsLoRA: scaling alpha/sqrt(rank) instead of alpha/rank. */
  rsLora?: boolean;
  /** Keyed by module path; `rank` per layer is optional and must equal `rank` when given. */
  layers:
    | ReadonlyMap<string, Omit<LoraLayer, 'rank'> & { rank?: number }>
    | Readonly<Record<string, Omit<LoraLayer, 'rank'> & { rank?: number }>>;
  metadata?: LoraMetadata;
}

/**
 * A validated set of LoRA layers sharing one rank and alpha. Every layer's A is [rank, in] and B is
 * [out, rank]; values are finite. Instances are immutable in shape (the typed arrays are the caller's).
 */
export class LoraWeights {
  readonly rank: number;
  readonly alpha: number;
  readonly rsLora: boolean;
  /** alpha / rank, or alpha / sqrt(rank) with rsLoRA. */
  readonly scaling: number;
  readonly layers: ReadonlyMap<string, LoraLayer>;
  readonly metadata: Readonly<LoraMetadata>;

  constructor(init: LoraWeightsInit) {
    if (!Number.isInteger(init.rank) || init.rank < 1) {
      throw new LoraShapeError('rank', `must be a positive integer, got ${init.rank}`);
    }
    if (!Number.isFinite(init.alpha)) throw new LoraValueError('alpha', `must be finite, got ${init.alpha}`);
    this.rank = init.rank;
    this.alpha = init.alpha;
    this.rsLora = init.rsLora ?? false;
    this.scaling = this.rsLora ? init.alpha / Math.sqrt(init.rank) : init.alpha / init.rank;
    const entries = init.layers instanceof Map ? [...init.layers.entries()] : Object.entries(init.layers);
    if (entries.length === 0) throw new LoraShapeError('layers', 'a LoRA needs at least one layer');
    const layers = new Map<string, LoraLayer>();
    for (const [path, layer] of entries) layers.set(path, validateLayer(path, layer, init.rank));
    this.layers = layers;
    this.metadata = Object.freeze({ ...init.metadata });
  }

  /** All-zero A and B for these targets: the adapted model equals the base model exactly. */
  static zeros(
    targets: readonly LoraTarget[],
    options: { rank: number; alpha?: number; rsLora?: boolean; metadata?: LoraMetadata },
  ): LoraWeights {
    const layers = new Map<string, Omit<LoraLayer, 'rank'>>();
    for (const t of targets) {
      layers.set(t.path, {
        a: new Float32Array(options.rank * t.inFeatures),
        b: new Float32Array(t.outFeatures * options.rank),
        inFeatures: t.inFeatures,
        outFeatures: t.outFeatures,
      });
    }
    return new LoraWeights({ ...options, alpha: options.alpha ?? options.rank, layers });
  }

  /**
   * Seeded random A and B (uniform in ±std·√3, so standard deviation `std`), for tests and benchmarks.
   * Unlike PEFT's initialisation, B is not zero, so the adapter changes the model's output.
   */
  static random(
    targets: readonly LoraTarget[],
    options: { rank: number; alpha?: number; rsLora?: boolean; seed?: number; std?: number },
  ): LoraWeights {
    const next = mulberry32(options.seed ?? 1);
    const half = (options.std ?? 0.05) * Math.sqrt(3);
    const fill = (n: number) => Float32Array.from({ length: n }, () => (next() * 2 - 1) * half);
    const layers = new Map<string, Omit<LoraLayer, 'rank'>>();
    for (const t of targets) {
      layers.set(t.path, {
        a: fill(options.rank * t.inFeatures),
        b: fill(t.outFeatures * options.rank),
        inFeatures: t.inFeatures,
        outFeatures: t.outFeatures,
      });
    }
    return new LoraWeights({ ...options, alpha: options.alpha ?? options.rank, layers });
  }

  /** The module paths of the adapted layers, in insertion order. */
  get paths(): string[] {
    return [...this.layers.keys()];
  }

  /** Checks that every layer matches a target's features; throws naming the first layer that does not. */
  checkAgainst(targets: readonly LoraTarget[], where = 'the targets'): void {
    const byPath = new Map(targets.map((t) => [t.path, t]));
    for (const [path, layer] of this.layers) {
      const target = byPath.get(path);
      if (!target) throw new LoraShapeError(path, `is not one of ${where}`);
      if (target.inFeatures !== layer.inFeatures || target.outFeatures !== layer.outFeatures) {
        throw new LoraShapeError(
          path,
          `LoRA is ${layer.inFeatures}->${layer.outFeatures} but ${where} has ${target.inFeatures}->${target.outFeatures}`,
        );
      }
    }
  }
}

function validateLayer(
  path: string,
  layer: Omit<LoraLayer, 'rank'> & { rank?: number },
  rank: number,
): LoraLayer {
  const { a, b, inFeatures, outFeatures } = layer;
  for (const [name, n] of [
    ['inFeatures', inFeatures],
    ['outFeatures', outFeatures],
  ] as const) {
    if (!Number.isInteger(n) || n < 1)
      throw new LoraShapeError(path, `${name} must be a positive integer, got ${n}`);
  }
  if (layer.rank !== undefined && layer.rank !== rank) {
    throw new LoraShapeError(path, `layer rank ${layer.rank} differs from the adapter rank ${rank}`);
  }
  if (!(a instanceof Float32Array)) throw new LoraShapeError(path, 'lora_A must be a Float32Array');
  if (!(b instanceof Float32Array)) throw new LoraShapeError(path, 'lora_B must be a Float32Array');
  if (a.length !== rank * inFeatures) {
    throw new LoraShapeError(
      path,
      `lora_A has ${a.length} values, expected [${rank}, ${inFeatures}] = ${rank * inFeatures}`,
    );
  }
  if (b.length !== outFeatures * rank) {
    throw new LoraShapeError(
      path,
      `lora_B has ${b.length} values, expected [${outFeatures}, ${rank}] = ${outFeatures * rank}`,
    );
  }
  checkFinite(path, 'lora_A', a);
  checkFinite(path, 'lora_B', b);
  return { a, b, rank, inFeatures, outFeatures };
}

function checkFinite(path: string, name: string, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new LoraValueError(path, `${name}[${i}] is ${values[i]}`);
  }
}

/** Small, fast, seedable PRNG (public domain); enough for reproducible test weights. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
