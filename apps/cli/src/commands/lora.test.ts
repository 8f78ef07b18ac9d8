import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeSafetensors,
  HEAD_TARGETS,
  LoraWeights,
  peftTensorName,
  type SafetensorsTensor,
  saveLora,
  summarizeLora,
} from '@tasam/lora';
import { captureIO } from '../../test/capture-io';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';

describe('tasam lora inspect', () => {
  let dir: string;
  let file: string;
  const random = LoraWeights.random(HEAD_TARGETS, { rank: 4, seed: 3, std: 0.1 });
  const weights = new LoraWeights({
    rank: 4,
    alpha: 8,
    layers: random.layers,
    metadata: { textEncoder: 'use-lite', task: 'segment all red apples', extra: { trained_steps: '1200' } },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tasam-lora-'));
    file = join(dir, 'apples.safetensors');
    await saveLora(file, weights);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints rank, alpha, scaling, metadata and one line per target with norms', async () => {
    const io = captureIO();
    expect(await runCli(['lora', 'inspect', file], io)).toBe(ExitCode.ok);
    const out = io.out();
    expect(out).toContain(`adapter       ${file}`);
    expect(out).toContain('rank 4, alpha 8, scaling 2 (alpha/r); 15 layers, 26128 parameters');
    expect(out).toContain('text encoder  use-lite');
    expect(out).toContain('task          "segment all red apples"');
    expect(out).toContain('trained_steps 1200');
    const summary = summarizeLora(weights);
    const last = summary.layers[14];
    expect(out).toMatch(
      new RegExp(
        `^iou_prediction_head\\.layers\\.2 +256->4 +${last.normA.toPrecision(4)} +${last.normB.toPrecision(4)} +${last.normDelta.toPrecision(4)}$`,
        'm',
      ),
    );
    expect(out.split('\n').filter((line) => line.startsWith('output_hypernetworks_mlps.'))).toHaveLength(12);
    expect(io.err()).toBe('');
  });

  it('--json writes only the summary JSON to stdout', async () => {
    const io = captureIO();
    expect(await runCli(['lora', 'inspect', file, '--json'], io)).toBe(ExitCode.ok);
    const report = JSON.parse(io.out());
    expect(report).toEqual(JSON.parse(JSON.stringify({ file, ...summarizeLora(weights) })));
    expect(report.layers.map((layer: { path: string }) => layer.path)).toEqual(
      HEAD_TARGETS.map((t) => t.path),
    );
    expect(report.layers[0].normDelta).toBeGreaterThan(0);
    expect(io.err()).toBe('');
  });

  it('reads a plain PEFT file given --alpha, and asks for it otherwise', async () => {
    const peft = join(dir, 'peft.safetensors');
    const tensor = (shape: number[]): SafetensorsTensor => ({
      dtype: 'F32',
      shape,
      data: new Uint8Array(new Float32Array(shape[0] * shape[1]).fill(0.5).buffer),
    });
    writeFileSync(
      peft,
      encodeSafetensors(
        [
          [peftTensorName('iou_prediction_head.layers.2', 'A'), tensor([2, 256])],
          [peftTensorName('iou_prediction_head.layers.2', 'B'), tensor([4, 2])],
        ],
        { format: 'pt' },
      ),
    );
    const without = captureIO();
    expect(await runCli(['lora', 'inspect', peft], without)).toBe(ExitCode.failure);
    expect(without.err()).toBe(
      `tasam: ${peft}: not a usable LoRA adapter: no lora_alpha in its metadata; pass the adapter_config.json value as \`alpha\`\n`,
    );
    const io = captureIO();
    expect(await runCli(['lora', 'inspect', peft, '--alpha', '4', '--json'], io)).toBe(ExitCode.ok);
    expect(JSON.parse(io.out())).toMatchObject({
      rank: 2,
      alpha: 4,
      scaling: 2,
      layers: [{ inFeatures: 256, outFeatures: 4 }],
    });
  });

  it('fails with exit 1 naming the file when it is missing, truncated or not an adapter', async () => {
    const missing = join(dir, 'missing.safetensors');
    let io = captureIO();
    expect(await runCli(['lora', 'inspect', missing], io)).toBe(ExitCode.failure);
    expect(io.err()).toBe(`tasam: ${missing}: cannot read file (ENOENT)\n`);

    const truncated = join(dir, 'truncated.safetensors');
    writeFileSync(truncated, readFileSync(file).subarray(0, 1000));
    io = captureIO();
    expect(await runCli(['lora', 'inspect', truncated], io)).toBe(ExitCode.failure);
    expect(io.err()).toMatch(new RegExp(`^tasam: ${truncated}: not a valid safetensors file: truncated`));
    expect(io.out()).toBe('');

    const other = join(dir, 'other.safetensors');
    writeFileSync(
      other,
      encodeSafetensors([['model.weight', { dtype: 'F32', shape: [1], data: new Uint8Array(4) }]]),
    );
    io = captureIO();
    expect(await runCli(['lora', 'inspect', other], io)).toBe(ExitCode.failure);
    expect(io.err()).toContain(
      'tensor model.weight is not named base_model.model.mask_decoder.<module>.lora_{A,B}.weight',
    );
  });

  it('exits 2 on usage errors', async () => {
    let io = captureIO();
    expect(await runCli(['lora', 'inspect'], io)).toBe(ExitCode.usage);
    expect(io.err()).toContain("error: missing required argument 'file'");
    io = captureIO();
    expect(await runCli(['lora', 'inspect', file, '--alpha', 'lots'], io)).toBe(ExitCode.usage);
    expect(io.err()).toContain(
      "option '--alpha <number>' argument 'lots' is invalid. expected a number; got \"lots\".",
    );
    io = captureIO();
    expect(await runCli(['lora'], io)).toBe(ExitCode.usage);
    expect(io.err()).toContain('inspect');
  });
});
