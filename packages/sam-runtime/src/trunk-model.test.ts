import { readFileSync } from 'node:fs';
import { TasamError } from '@tasam/errors';
import { onnx } from 'onnx-proto';
import { headWeightsFromModel } from './head-weights';
import { HEAD_LAYER_NAMES } from './heads';
import { locateSamModels } from './model-files';
import { buildTrunkModel, TRUNK_SURGERY_VERSION } from './trunk-model';

const decoder = readFileSync(locateSamModels().decoder);

const dims = (info: onnx.IValueInfoProto) =>
  info.type!.tensorType!.shape!.dim!.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));

function surgeryError(bytes: Uint8Array): TasamError {
  try {
    buildTrunkModel(bytes, 'broken.onnx');
  } catch (error) {
    if (TasamError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected buildTrunkModel to throw');
}

describe('buildTrunkModel', () => {
  const trunk = onnx.ModelProto.decode(buildTrunkModel(decoder));
  const graph = trunk.graph as onnx.GraphProto;

  it('outputs the IoU token, mask tokens and upscaled embedding with a prompt batch dimension', () => {
    expect(graph.output.map((o) => [o.name, dims(o)])).toEqual([
      ['iou_token', ['prompts', 256]],
      ['mask_tokens', ['prompts', 4, 256]],
      ['upscaled_embedding', ['prompts', 32, 256, 256]],
    ]);
    expect(Object.fromEntries(graph.input.map((i) => [i.name, dims(i)]))).toEqual({
      image_embeddings: [1, 256, 64, 64],
      point_coords: ['prompts', 'num_points', 2],
      point_labels: ['prompts', 'num_points'],
      mask_input: ['mask_batch', 1, 256, 256],
      has_mask_input: [1],
    });
  });

  it('drops the heads and the postprocessing but keeps the opset', () => {
    const used = new Set(graph.node.flatMap((node) => node.input));
    for (const name of HEAD_LAYER_NAMES) expect(used.has(`mask_decoder.${name}.weight`)).toBe(false);
    expect(graph.initializer.some((t) => /hypernetworks|iou_prediction/.test(t.name ?? ''))).toBe(false);
    expect(graph.node.some((node) => ['Resize', 'ArgMax'].includes(node.opType ?? ''))).toBe(false);
    expect(graph.node.length).toBeLessThan(1100);
    expect(trunk.opsetImport.map((o) => Number(o.version))).toEqual([17]);
    const meta = Object.fromEntries(trunk.metadataProps.map((p) => [p.key, p.value]));
    expect(meta['tasam.trunk.surgery']).toBe(String(TRUNK_SURGERY_VERSION));
    expect(meta['tasam.trunk.source_sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shares the image embedding across prompts: no per-prompt copies, the prompt count from point_coords', () => {
    expect(graph.node.some((node) => node.opType === 'Tile')).toBe(false);
    const unshared = onnx.ModelProto.decode(buildTrunkModel(decoder, 'sam.onnx', { shareImage: false }));
    expect(unshared.graph!.node!.filter((node) => node.opType === 'Tile')).toHaveLength(2);
    const shapesOf = (g: onnx.IGraphProto, input: string) =>
      g.node!.filter((node) => node.opType === 'Shape' && node.input![0] === input).length;
    expect(shapesOf(graph, 'point_coords')).toBe(shapesOf(unshared.graph!, 'point_coords') + 1);
  });

  it('fails loudly on bytes that are not a SAM decoder', () => {
    expect(surgeryError(Uint8Array.from([0xff, 0xff, 0xff, 0x01])).code).toBe('MODEL_SURGERY_FAILED');
    const other = onnx.ModelProto.encode({
      irVersion: 8,
      graph: { name: 'g', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }] },
    }).finish();
    const error = surgeryError(other);
    expect(error.code).toBe('MODEL_SURGERY_FAILED');
    expect(error.message).toBe(
      'broken.onnx: no Gemm node uses the head weight mask_decoder.iou_prediction_head.layers.0.weight',
    );
  });
});

describe('headWeightsFromModel', () => {
  it('reads the 15 head linears as [out,in] with biases', () => {
    const heads = headWeightsFromModel(decoder);
    expect([...heads.layers.keys()]).toEqual(HEAD_LAYER_NAMES);
    const shapes = Object.fromEntries(
      [...heads.layers].map(([k, l]) => [k, [l.outFeatures, l.inFeatures, l.weight.length, l.bias.length]]),
    );
    expect(shapes['output_hypernetworks_mlps.3.layers.0']).toEqual([256, 256, 65536, 256]);
    expect(shapes['output_hypernetworks_mlps.0.layers.2']).toEqual([32, 256, 8192, 32]);
    expect(shapes['iou_prediction_head.layers.2']).toEqual([4, 256, 1024, 4]);
    const total = [...heads.layers.values()].reduce((sum, l) => sum + l.weight.length + l.bias.length, 0);
    expect(total).toBe(4 * (65792 * 2 + 8224) + 65792 * 2 + 1028);
  });
});
