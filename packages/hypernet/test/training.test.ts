import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs against the built package (dist), like the child process it kills.
const synthetic = require('./fixtures/synthetic-training.js');
const childScript = join(__dirname, 'fixtures', 'synthetic-training.js');

function losses(runDir: string): number[] {
  const byStep = new Map<number, number>();
  for (const line of readFileSync(join(runDir, 'train.jsonl'), 'utf8').trim().split('\n')) {
    const r = JSON.parse(line);
    byStep.set(r.step, r.loss);
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l);
}

function finalWeights(result: { net: { toArrays(): Map<string, Float32Array> } }): Float32Array {
  return result.net.toArrays().get('head_b.256.weight') as Float32Array;
}

describe('training (synthetic data, real tensor shapes)', () => {
  const dirs: string[] = [];
  const tempRun = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypernet-train-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  let reference: { losses: number[]; weights: Float32Array };

  it('is deterministic under a seed and moves B away from zero', async () => {
    const a = tempRun();
    const b = tempRun();
    const ra = await synthetic.runTraining(a, false);
    const rb = await synthetic.runTraining(b, false);
    expect(ra.state.step).toBe(6);
    expect(losses(a)).toEqual(losses(b));
    const w = finalWeights(ra);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0);
    expect(finalWeights(rb)).toEqual(w);
    expect(existsSync(join(a, 'checkpoints', 'latest.json'))).toBe(true);
    reference = { losses: losses(a), weights: w };
  }, 240_000);

  it('survives a kill in the middle of writing a checkpoint: resume continues and finishes identically', async () => {
    const run = tempRun();
    const checkpoints = join(run, 'checkpoints');
    // Kill the child as soon as a checkpoint is being written after step 3 (a temp directory exists).
    const killed = await new Promise<boolean>((resolve, reject) => {
      const child = spawn(process.execPath, [childScript, run], { stdio: ['ignore', 'pipe', 'pipe'] });
      let steps = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        steps += (chunk.toString().match(/step /g) ?? []).length;
      });
      const timer = setInterval(() => {
        if (steps < 3 || !existsSync(checkpoints)) return;
        if (readdirSync(checkpoints).some((e) => e.endsWith('.tmp'))) {
          child.kill('SIGKILL');
          clearInterval(timer);
        }
      }, 1);
      child.on('exit', (code, signal) => {
        clearInterval(timer);
        if (signal === 'SIGKILL' || code === 0) resolve(signal === 'SIGKILL');
        else reject(new Error(`child exited with ${code}`));
      });
    });
    expect(killed).toBe(true);
    // As if the kill had also cut a log line in half: the resumed run drops it with the steps it trains again.
    appendFileSync(join(run, 'train.jsonl'), '{"step":5,"epoch":1,"lo');
    const resumed = await synthetic.runTraining(run, true);
    expect(resumed.state.step).toBe(6);
    expect(losses(run)).toEqual(reference.losses);
    const steps = readFileSync(join(run, 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([0, 1, 2, 3, 4, 5]);
    // Bit for bit: same batches, dropout seeds, weights and AdamW state from the checkpoint, same kernels.
    expect(Buffer.from(finalWeights(resumed).buffer)).toEqual(Buffer.from(reference.weights.buffer));
    expect(readdirSync(checkpoints).filter((e) => e.endsWith('.tmp'))).toEqual([]);
  }, 240_000);

  it('a resumed run that had already finished keeps its last checkpoint; a fresh run discards old ones', async () => {
    const run = tempRun();
    await synthetic.runTraining(run, false);
    const checkpoints = join(run, 'checkpoints');
    const latest = readFileSync(join(checkpoints, 'latest.json'), 'utf8');
    const model = join(checkpoints, JSON.parse(latest).checkpoint, 'model.safetensors');
    const before = statSync(model).ino;
    const again = await synthetic.runTraining(run, true);
    expect(again.steps).toBe(0);
    expect(readFileSync(join(checkpoints, 'latest.json'), 'utf8')).toBe(latest);
    expect(statSync(model).ino).toBe(before); // not rewritten: the checkpoint in use never disappears
    writeFileSync(join(run, 'train.jsonl'), `${readFileSync(join(run, 'train.jsonl'), 'utf8')}{"step":99}\n`);
    mkdirSync(join(checkpoints, 'step-000099'));
    const fresh = await synthetic.runTraining(run, false);
    expect(fresh.state.step).toBe(6);
    expect(readdirSync(checkpoints).sort()).toEqual(['latest.json', 'step-000005', 'step-000006']);
    expect(losses(run)).toEqual(reference.losses);
  }, 240_000);
});
