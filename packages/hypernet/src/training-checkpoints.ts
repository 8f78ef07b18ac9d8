import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Training checkpoints under `<runDir>/checkpoints/`: each is a directory `step-000123/` holding
 * `model.safetensors` (weights + config), `optimizer.safetensors` (AdamW m, v) and `state.json`. A checkpoint
 * is written into a temporary directory and renamed into place, then `latest.json` is replaced atomically,
 * so a kill at any moment leaves the previous checkpoint intact and never a half-written one in use.
 */
export class TrainingCheckpoints {
  readonly dir: string;

  constructor(
    readonly runDir: string,
    private readonly keep = 2,
  ) {
    this.dir = join(runDir, 'checkpoints');
  }

  async save(net: Hypernetwork, optimizer: AdamW, state: TrainingState): Promise<string> {
    await fs.mkdir(this.dir, { recursive: true });
    const name = `step-${String(state.step).padStart(6, '0')}`;
    const final = join(this.dir, name);
    const temp = join(this.dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
    await fs.rm(final, { recursive: true, force: true });
    await fs.rename(temp, final);
    await writeFileAtomic(
      join(this.dir, LATEST),
      new TextEncoder().encode(`${JSON.stringify({ checkpoint: name })}\n`),
    );
    await this.prune(name);
    return final;
  }

  /** Removes older complete checkpoints beyond `keep` and stale temp directories of dead writers. */
  private async prune(current: string): Promise<void> {
    const entries = await fs.readdir(this.dir);
    const complete = entries.filter((e) => /^step-\d+$/.test(e)).sort();
    for (const old of complete.slice(0, Math.max(0, complete.length - this.keep))) {
      if (old !== current) await fs.rm(join(this.dir, old), { recursive: true, force: true });
    }
    for (const e of entries) {
      if (e.startsWith('.step-') && e.endsWith('.tmp') && !e.includes(`.${process.pid}.`)) {
        await fs.rm(join(this.dir, e), { recursive: true, force: true });
      }
    }
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
    return { net, state, optimizer: { step: Number(opt.metadata.step), arrays } };
  }
}
