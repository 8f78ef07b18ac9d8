import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTempFiles, tempPathFor } from '@tasam/atomic-file';
import { decodeSafetensors, readFileBytes, tensorAsFloat32, writeFileAtomic } from '@tasam/lora';
import type { AdamW } from './adamw';
import { decodeHypernet, encodeArrays, encodeHypernet } from './checkpoint';
import { CheckpointFormatError, CheckpointNotFoundError } from './errors';
import type { Hypernetwork } from './hypernetwork';

/** Where training stands; enough to continue with the same sample order and schedule. */
export interface TrainingState {
  /** Optimizer steps done. */
  step: number;
  /** Epoch of the next batch. */
  epoch: number;
  /** Index within that epoch of the next batch. */
  batchInEpoch: number;
  seed: number;
  totalSteps: number;
  /** Options the run was started with (resume reuses them). */
  options: Record<string, unknown>;
}

const LATEST = 'latest.json';

const stepName = (step: number) => `step-${String(step).padStart(6, '0')}`;

/**
 * Training checkpoints under `<runDir>/checkpoints/`: each is a directory `step-000123/` holding
 * `model.safetensors` (weights + config), `optimizer.safetensors` (AdamW m, v) and `state.json`. A checkpoint
 * is written into a temporary directory (`.step-000123.<pid>.<hex>.tmp`) and renamed into place, then
 * `latest.json` is replaced atomically, so a kill at any moment leaves the previous checkpoint intact and never
 * a half-written one in use. The directory `latest.json` names is never removed or rewritten: a step already
 * on disk is not saved again, and only older checkpoints are pruned. A run directory has one trainer at a time,
 * so a temporary directory whose writer pid is not alive is a killed run's and is removed at the next save.
 */
export class TrainingCheckpoints {
  readonly dir: string;
  /** The step whose checkpoint `latest.json` names, once this process saved or loaded it. */
  private current?: number;

  constructor(
    readonly runDir: string,
    private readonly keep = 2,
  ) {
    this.dir = join(runDir, 'checkpoints');
  }

  async save(net: Hypernetwork, optimizer: AdamW, state: TrainingState): Promise<string> {
    const name = stepName(state.step);
    const final = join(this.dir, name);
    removeStaleTempFiles(this.dir, { minAgeMs: 0 });
    // Same step, same weights and optimizer state (e.g. the end of training right after a periodic save, or
    // a resumed run that had finished): rewriting it would remove the checkpoint latest.json names meanwhile.
    if (this.current === state.step) return final;
    await fs.mkdir(this.dir, { recursive: true });
    const temp = tempPathFor(final, true);
    await fs.mkdir(temp);
    const shapes = new Map([...net.params].map(([k, v]) => [k, v.shape]));
    const optShapes = new Map<string, number[]>();
    for (const [k, v] of shapes) {
      optShapes.set(`m.${k}`, v);
      optShapes.set(`v.${k}`, v);
    }
    await writeFileAtomic(join(temp, 'model.safetensors'), encodeHypernet(net));
    await writeFileAtomic(
      join(temp, 'optimizer.safetensors'),
      encodeArrays(optimizer.stateArrays(), optShapes, 'F32', { step: String(optimizer.step) }),
    );
    await writeFileAtomic(
      join(temp, 'state.json'),
      new TextEncoder().encode(`${JSON.stringify(state, null, 2)}\n`),
    );
    // A complete directory of this step can only be a killed attempt's that never became latest (it died
    // between this rename and the latest.json write): same step, same content; replace it.
    await fs.rm(final, { recursive: true, force: true });
    await fs.rename(temp, final);
    await writeFileAtomic(
      join(this.dir, LATEST),
      new TextEncoder().encode(`${JSON.stringify({ checkpoint: name })}\n`),
    );
    this.current = state.step;
    await this.prune(name);
    return final;
  }

  /** Removes older complete checkpoints beyond `keep` (never `current`, the one latest.json names). */
  private async prune(current: string): Promise<void> {
    const entries = await fs.readdir(this.dir);
    const complete = entries.filter((e) => /^step-\d+$/.test(e)).sort();
    for (const old of complete.slice(0, Math.max(0, complete.length - this.keep))) {
      if (old !== current) await fs.rm(join(this.dir, old), { recursive: true, force: true });
    }
  }

  /**
   * Forgets the run directory's checkpoints (a run started afresh): `latest.json` first, so a kill midway
   * leaves no checkpoint to resume rather than another run's, then the checkpoint directories.
   */
  async discard(): Promise<void> {
    await fs.rm(join(this.dir, LATEST), { force: true });
    let entries: string[];
    try {
      entries = await fs.readdir(this.dir);
    } catch {
      return;
    }
    for (const e of entries)
      if (/^step-\d+$/.test(e)) await fs.rm(join(this.dir, e), { recursive: true, force: true });
    removeStaleTempFiles(this.dir, { minAgeMs: 0 });
    this.current = undefined;
  }

  /** The directory `latest.json` names, or undefined when there is no complete checkpoint. */
  async latest(): Promise<string | undefined> {
    try {
      const text = await fs.readFile(join(this.dir, LATEST), 'utf8');
      const { checkpoint } = JSON.parse(text) as { checkpoint: string };
      return join(this.dir, checkpoint);
    } catch {
      return undefined;
    }
  }

  /** Loads the latest checkpoint into a new network; the caller restores the optimizer from `optimizer`. */
  async loadLatest(): Promise<{
    net: Hypernetwork;
    state: TrainingState;
    optimizer: { step: number; arrays: Map<string, Float32Array> };
  }> {
    const dir = await this.latest();
    if (!dir) throw new CheckpointNotFoundError(this.runDir);
    const modelPath = join(dir, 'model.safetensors');
    const { net } = decodeHypernet(await readFileBytes(modelPath), modelPath);
    const optPath = join(dir, 'optimizer.safetensors');
    const opt = decodeSafetensors(await readFileBytes(optPath), optPath);
    const arrays = new Map<string, Float32Array>();
    for (const [name, tensor] of opt.tensors) {
      const values = tensorAsFloat32(tensor);
      if (!values) throw new CheckpointFormatError(optPath, `tensor ${name} is not float`);
      arrays.set(name, values);
    }
    const state = JSON.parse(await fs.readFile(join(dir, 'state.json'), 'utf8')) as TrainingState;
    this.current = state.step;
    return { net, state, optimizer: { step: Number(opt.metadata.step), arrays } };
  }
}
