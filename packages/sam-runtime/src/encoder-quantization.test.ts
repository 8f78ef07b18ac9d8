import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { int8EncoderCachePath, parseEncoderPrecision, prepareInt8Encoder } from './encoder-precision';
import { quantizeColumns, quantizeEncoder } from './encoder-quantization';
import { InvalidOptionError, ModelChecksumError, ModelSurgeryError } from './errors';
import { onnxSchema } from './onnx-proto';

const K = 16;
const N = 24;

/** Deterministic pseudo-random floats in [-1, 1). */
function noise(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

function floatTensor(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  const proto = onnxSchema();
  return proto.TensorProto.create({
    name,
    dataType: proto.TensorProto.DataType.FLOAT,
    dims,
    rawData: new Uint8Array(values.buffer.slice(0)),
  });
}

function valueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  const proto = onnxSchema();
  return proto.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: proto.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

/**
 * A tiny encoder-like graph (opset 12): x [b,3,K] -> linear (MatMul + bias Add, bias first as in torch's export)
 * -> Erf -> linear without bias -> y [b,3,N]; plus an activation-by-activation MatMul (y·yᵀ), which must stay
 * float, as output `attention`.
 */
function tinyEncoder(): Uint8Array {
  const proto = onnxSchema();
  const node = (opType: string, input: string[], output: string[], name: string) =>
    proto.NodeProto.create({ opType, input, output, name });
  const model = proto.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 12 }],
    producerName: 'tasam-test',
    graph: {
      name: 'tiny',
      input: [valueInfo('x', ['batch', 3, K])],
      output: [valueInfo('y', ['batch', 3, N]), valueInfo('attention', ['batch', 3, 3])],
      initializer: [
        floatTensor('w1', [K, N], noise(K * N, 1)),
        floatTensor('b1', [N], noise(N, 2)),
        floatTensor('w2', [N, N], noise(N * N, 3)),
      ],
      node: [
        node('MatMul', ['x', 'w1'], ['h'], '/fc1/MatMul'),
        node('Add', ['b1', 'h'], ['h_biased'], '/fc1/Add'),
        node('Erf', ['h_biased'], ['a'], '/act/Erf'),
        node('MatMul', ['a', 'w2'], ['y'], '/fc2/MatMul'),
        node('Transpose', ['y'], ['y_t'], '/attn/Transpose'),
        node('MatMul', ['y', 'y_t'], ['attention'], '/attn/MatMul'),
      ],
    },
  });
  // Transpose's perm: swap the last two axes.
  model.graph!.node![4].attribute = [
    proto.AttributeProto.create({
      name: 'perm',
      type: proto.AttributeProto.AttributeType.INTS,
      ints: [0, 2, 1],
    }),
  ];
  return proto.ModelProto.encode(model).finish();
}

async function run(model: Uint8Array, x: Float32Array): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  try {
    const output = await session.run({ x: new ort.Tensor('float32', x, [2, 3, K]) });
    return { y: output.y.data as Float32Array, attention: output.attention.data as Float32Array };
  } finally {
    await session.release();
  }
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

describe('quantizeColumns', () => {
  it('scales each column by its largest magnitude over 127 and rounds half away from zero', () => {
    // [2,3] row-major: columns (1, -0.5), (0.25, 0.125), (0, 0)
    const { values, scales } = quantizeColumns(new Float32Array([1, 0.25, 0, -0.5, 0.125, 0]), 2, 3);
    expect(Array.from(scales)).toEqual([Math.fround(1 / 127), Math.fround(0.25 / 127), 1]);
    expect(Array.from(values)).toEqual([127, 127, 0, -64, 64, 0]);
  });
});

describe('quantizeEncoder', () => {
  const source = tinyEncoder();

  it('replaces MatMuls with a weight initializer by DynamicQuantizeMatMul and folds the bias Add', () => {
    const { bytes, summary } = quantizeEncoder(source, 'tiny.onnx');
    expect(summary).toEqual({
      quantizedMatMuls: 2,
      fusedBiases: 1,
      quantizedParameters: K * N + N * N,
      floatMatMuls: 1,
    });
    const model = onnxSchema().ModelProto.decode(bytes);
    const graph = model.graph as onnx.GraphProto;
    expect(graph.node.map((n) => `${n.domain || 'ai.onnx'}:${n.opType}`)).toEqual([
      'com.microsoft:DynamicQuantizeMatMul',
      'ai.onnx:Erf',
      'com.microsoft:DynamicQuantizeMatMul',
      'ai.onnx:Transpose',
      'ai.onnx:MatMul',
    ]);
    expect(graph.node[0].input).toEqual(['x', 'w1_quantized', 'w1_scale', '', 'b1']);
    expect(graph.node[0].output).toEqual(['h_biased']);
    expect(graph.node[2].input).toEqual(['a', 'w2_quantized', 'w2_scale']);
    const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
    expect([...initializers.keys()].sort()).toEqual([
      'b1',
      'w1_quantized',
      'w1_scale',
      'w2_quantized',
      'w2_scale',
    ]);
    expect(initializers.get('w1_quantized')!.dataType).toBe(onnxSchema().TensorProto.DataType.INT8);
    expect(model.opsetImport.map((o) => `${o.domain}:${o.version}`)).toEqual([':12', 'com.microsoft:1']);
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(meta['tasam.encoder.source_sha256']).toBe(createHash('sha256').update(source).digest('hex'));
  });

  it('is deterministic', () => {
    const a = quantizeEncoder(source).bytes;
    const b = quantizeEncoder(Uint8Array.from(source)).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('runs in onnxruntime-node with outputs close to the float model', async () => {
    const x = noise(2 * 3 * K, 7);
    const expected = await run(source, x);
    const actual = await run(quantizeEncoder(source).bytes, x);
    expect(relativeError(actual.y, expected.y)).toBeLessThan(0.02);
    expect(relativeError(actual.y, expected.y)).toBeGreaterThan(0); // it really ran quantised
    expect(relativeError(actual.attention, expected.attention)).toBeLessThan(0.04);
  });

  it('refuses bytes that are not a model, and a model with nothing to quantise', () => {
    expect(() => quantizeEncoder(new Uint8Array([0xff, 0xff, 0xff]), 'junk.onnx')).toThrow(ModelSurgeryError);
    const proto = onnxSchema();
    const model = proto.ModelProto.decode(source);
    const graph = model.graph as onnx.GraphProto;
    graph.node = graph.node.filter((n) => n.name === '/act/Erf');
    graph.node[0].input = ['x'];
    graph.node[0].output = ['a'];
    graph.output = [proto.ValueInfoProto.create(valueInfo('a', ['batch', 3, K]))];
    expect(() => quantizeEncoder(proto.ModelProto.encode(model).finish(), 'no-linear.onnx')).toThrow(
      /no-linear\.onnx: no MatMul with a 2-D float32 weight/,
    );
  });
});

describe('prepareInt8Encoder', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'encoder-int8-'));
  const encoderPath = join(scratch, 'encoder.onnx');
  const source = tinyEncoder();
  writeFileSync(encoderPath, source);
  const sourceSha = createHash('sha256').update(source).digest('hex');
  const int8Sha = createHash('sha256').update(quantizeEncoder(source, encoderPath).bytes).digest('hex');

  it('builds in memory without a cache directory', () => {
    const prepared = prepareInt8Encoder(encoderPath);
    expect(prepared.built).toBe(true);
    expect(prepared.sha256).toBe(int8Sha);
    expect(prepared.source).toBeInstanceOf(Uint8Array);
  });

  it('builds once into the cache, then finds it there', () => {
    const cacheDir = join(scratch, 'cache');
    const first = prepareInt8Encoder(encoderPath, cacheDir, undefined, { [sourceSha]: int8Sha });
    expect(first).toEqual({
      source: int8EncoderCachePath(cacheDir, sourceSha),
      sha256: int8Sha,
      built: true,
    });
    const second = prepareInt8Encoder(encoderPath, cacheDir, undefined, { [sourceSha]: int8Sha });
    expect(second).toEqual({ ...first, built: false });
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('rebuilds a cached file with the wrong checksum, and refuses a build with the wrong checksum', () => {
    const cacheDir = join(scratch, 'stale');
    const logs: string[] = [];
    prepareInt8Encoder(encoderPath, cacheDir);
    writeFileSync(int8EncoderCachePath(cacheDir, sourceSha), 'not the model');
    const rebuilt = prepareInt8Encoder(encoderPath, cacheDir, (m) => logs.push(m), { [sourceSha]: int8Sha });
    expect(rebuilt).toMatchObject({ sha256: int8Sha, built: true });
    expect(logs.join('\n')).toMatch(/rebuilding/);
    const wrong = 'f'.repeat(64);
    expect(() => prepareInt8Encoder(encoderPath, undefined, undefined, { [sourceSha]: wrong })).toThrow(
      ModelChecksumError,
    );
  });
});

describe('parseEncoderPrecision', () => {
  it('accepts fp32 and int8 and names the choices otherwise', () => {
    expect(parseEncoderPrecision('fp32')).toBe('fp32');
    expect(parseEncoderPrecision('int8')).toBe('int8');
    for (const bad of ['fp16', 'INT8', '', undefined, 8]) {
      expect(() => parseEncoderPrecision(bad)).toThrow(InvalidOptionError);
    }
    expect(() => parseEncoderPrecision('fp16')).toThrow(
      'encoderPrecision: expected one of fp32, int8; got "fp16"',
    );
  });
});
