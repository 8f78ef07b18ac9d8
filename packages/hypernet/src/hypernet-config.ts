import { HypernetConfigError } from './errors';

/** One linear layer the hypernetwork writes a LoRA for (`@tasam/lora`'s LoraTarget satisfies this). */
export interface HypernetTarget {
  /** Module path inside SAM's mask decoder, e.g. `output_hypernetworks_mlps.0.layers.1`. */
  readonly path: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** Everything that fixes the hypernetwork's shape and meaning; stored in every checkpoint. */
export interface HypernetConfig {
  /** Id of the text encoder whose vectors the model reads (a checkpoint refuses another encoder). */
  textEncoderId: string;
  /** Dimension of those vectors (512 for USE-lite). */
  textDim: number;
  targets: HypernetTarget[];
  rank: number;
  alpha: number;
  /** Transformer width. */
  dModel: number;
  layers: number;
  heads: number;
  /** Hidden width of each transformer block's MLP. */
  mlpDim: number;
  dropout: number;
}

export const DEFAULT_HYPERNET_CONFIG = {
  rank: 4,
  alpha: 32,
  dModel: 512,
  layers: 4,
  heads: 8,
  mlpDim: 512,
  dropout: 0.1,
} as const;

/** The module-type and layer index of a target: `output_hypernetworks_mlps.2.layers.1` → (`output_hypernetworks_mlps.2`, 1). */
export function targetParts(path: string): { module: string; layer: number } {
  const match = /^(.*)\.layers\.(\d+)$/.exec(path);
  if (!match) return { module: path, layer: 0 };
  return { module: match[1], layer: Number(match[2]) };
}

/** Fills defaults and checks every field; throws HypernetConfigError naming the bad field. */
export function resolveConfig(
  partial: Partial<HypernetConfig> & Pick<HypernetConfig, 'textEncoderId' | 'textDim' | 'targets'>,
): HypernetConfig {
  const config: HypernetConfig = {
    ...DEFAULT_HYPERNET_CONFIG,
    ...partial,
    targets: partial.targets.map((t) => ({
      path: t.path,
      inFeatures: t.inFeatures,
      outFeatures: t.outFeatures,
    })),
  };
  const positiveInt = (key: keyof HypernetConfig) => {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new HypernetConfigError(`config.${key}`, `must be a positive integer, got ${String(v)}`);
    }
  };
  for (const key of ['textDim', 'rank', 'dModel', 'layers', 'heads', 'mlpDim'] as const) positiveInt(key);
  if (typeof config.textEncoderId !== 'string' || config.textEncoderId === '') {
    throw new HypernetConfigError('config.textEncoderId', 'must be a non-empty string');
  }
  if (!Number.isFinite(config.alpha) || config.alpha <= 0) {
    throw new HypernetConfigError('config.alpha', `must be a positive number, got ${config.alpha}`);
  }
  if (!(config.dropout >= 0 && config.dropout < 1)) {
    throw new HypernetConfigError('config.dropout', `must be in [0, 1), got ${config.dropout}`);
  }
  if (config.dModel % config.heads !== 0) {
    throw new HypernetConfigError(
      'config.heads',
      `${config.heads} heads do not divide dModel ${config.dModel}`,
    );
  }
  if (config.targets.length === 0)
    throw new HypernetConfigError('config.targets', 'needs at least one target');
  const seen = new Set<string>();
  for (const t of config.targets) {
    if (seen.has(t.path)) throw new HypernetConfigError('config.targets', `duplicate target ${t.path}`);
    seen.add(t.path);
    if (
      !Number.isInteger(t.inFeatures) ||
      t.inFeatures < 1 ||
      !Number.isInteger(t.outFeatures) ||
      t.outFeatures < 1
    ) {
      throw new HypernetConfigError(
        `config.targets[${t.path}]`,
        `bad shape [${t.outFeatures},${t.inFeatures}]`,
      );
    }
  }
  return config;
}
