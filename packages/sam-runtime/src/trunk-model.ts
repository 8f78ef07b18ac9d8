import { createHash } from 'node:crypto';
import type { onnx } from 'onnx-proto';
import { ModelSurgeryError } from './errors';
import { onnxSchema } from './onnx-proto';

/** Output names of the prepared trunk model. */
export const TrunkOutputName = {
  iouToken: 'iou_token',
  maskTokens: 'mask_tokens',
  upscaled: 'upscaled_embedding',
} as const;

/** Bumped whenever the surgery changes, so cached trunks from an older recipe are never reused. */
export const TRUNK_SURGERY_VERSION = 2;

/** Inputs whose first dimension becomes the prompt batch. `mask_input` may be 1 (shared) or the batch. */
const BATCHED_INPUTS: Record<string, string> = {
  point_coords: 'prompts',
  point_labels: 'prompts',
  mask_input: 'mask_batch',
};

const HEAD_PREFIX = 'mask_decoder.';

type Node = onnx.INodeProto;

/** Where the three trunk outputs live inside SamOnnxModel's graph, found by structure rather than node names. */
interface TrunkTensors {
  iouToken: string;
  maskTokens: string;
  upscaled: string;
}

export interface TrunkBuildOptions {
  /**
   * Compute the prompt-independent part of the two-way transformer once per call rather than once per prompt
   * (default true; see `shareImageAcrossPrompts`). Outputs are the same either way; false is for comparison.
   */
  shareImage?: boolean;
}

/**
 * Derives the task-free trunk from Meta's SamOnnxModel export: the graph is cut just before the output heads
 * (IoU MLP, the four hypernetwork MLPs and the mask product), so it returns the IoU token [n,256], the mask
 * tokens [n,4,256] and the upscaled image embedding [n,32,256,256]; nodes that only fed the heads and the
 * postprocessing are pruned, the prompt batch dimension is relaxed from 1 to `n`, and the image embedding is
 * shared by the prompts of a call instead of copied to each.
 */
export function buildTrunkModel(
  decoder: Uint8Array,
  source = 'sam.onnx',
  options: TrunkBuildOptions = {},
): Uint8Array {
  const proto = onnxSchema();
  let model: onnx.ModelProto;
  try {
    model = proto.ModelProto.decode(decoder);
  } catch (cause) {
    throw new ModelSurgeryError(source, `not a readable ONNX model (${(cause as Error).message})`);
  }
  const graph = model.graph as onnx.GraphProto | null;
  if (!graph) throw new ModelSurgeryError(source, 'the model has no graph');
  const tensors = findTrunkTensors(graph.node, source);

  const outputs: [keyof TrunkTensors, (number | string)[]][] = [
    ['iouToken', ['prompts', 256]],
    ['maskTokens', ['prompts', 4, 256]],
    ['upscaled', ['prompts', 32, 256, 256]],
  ];
  for (const [key] of outputs) {
    graph.node.push(
      proto.NodeProto.create({
        opType: 'Identity',
        name: `/tasam/trunk/${TrunkOutputName[key]}`,
        input: [tensors[key]],
        output: [TrunkOutputName[key]],
      }),
    );
  }
  graph.output = outputs.map(([key, dims]) => floatValueInfo(TrunkOutputName[key], dims));
  prune(graph);
  if (options.shareImage ?? true) shareImageAcrossPrompts(graph, source);

  for (const input of graph.input) {
    const batch = BATCHED_INPUTS[input.name ?? ''];
    const dims = input.type?.tensorType?.shape?.dim;
    if (batch && dims?.length) dims[0] = proto.TensorShapeProto.Dimension.create({ dimParam: batch });
  }
  model.metadataProps.push(
    proto.StringStringEntryProto.create({ key: 'tasam.trunk.surgery', value: String(TRUNK_SURGERY_VERSION) }),
    proto.StringStringEntryProto.create({
      key: 'tasam.trunk.source_sha256',
      value: createHash('sha256').update(decoder).digest('hex'),
    }),
  );
  return proto.ModelProto.encode(model).finish();
}

function findTrunkTensors(nodes: Node[], source: string): TrunkTensors {
  const producer = new Map<string, Node>();
  for (const node of nodes) for (const output of node.output ?? []) producer.set(output, node);
  const gemmWith = (weight: string): Node => {
    const node = nodes.find((n) => n.opType === 'Gemm' && n.input?.[1] === weight);
    if (!node) throw new ModelSurgeryError(source, `no Gemm node uses the head weight ${weight}`);
    return node;
  };

  const iouToken = gemmWith(`${HEAD_PREFIX}iou_prediction_head.layers.0.weight`).input![0];

  // The four hypernetwork MLPs each read one token from the same sliced tensor [n,4,256].
  const tokenSources = [0, 1, 2, 3].map((i) => {
    const gemm = gemmWith(`${HEAD_PREFIX}output_hypernetworks_mlps.${i}.layers.0.weight`);
    const gather = producer.get(gemm.input![0]);
    if (gather?.opType !== 'Gather') {
      throw new ModelSurgeryError(source, `hypernetwork MLP ${i} does not read a gathered mask token`);
    }
    return gather.input![0];
  });
  if (new Set(tokenSources).size !== 1) {
    throw new ModelSurgeryError(source, 'the hypernetwork MLPs do not share one mask-token tensor');
  }

  // The mask product: MatMul(Concat(Unsqueeze(hypernetwork outputs)), Reshape(upscaled embedding)).
  const hyperOutputs = new Set(
    [0, 1, 2, 3].map(
      (i) => gemmWith(`${HEAD_PREFIX}output_hypernetworks_mlps.${i}.layers.2.weight`).output![0],
    ),
  );
  const product = nodes.find((node) => {
    if (node.opType !== 'MatMul') return false;
    const concat = producer.get(node.input![0]);
    return (
      concat?.opType === 'Concat' &&
      concat.input!.length === 4 &&
      concat.input!.every((name) => {
        const unsqueeze = producer.get(name);
        return unsqueeze?.opType === 'Unsqueeze' && hyperOutputs.has(unsqueeze.input![0]);
      })
    );
  });
  const reshape = product && producer.get(product.input![1]);
  if (reshape?.opType !== 'Reshape') {
    throw new ModelSurgeryError(
      source,
      'cannot find the mask product of hypernetwork outputs and upscaled embedding',
    );
  }
  return { iouToken, maskTokens: tokenSources[0], upscaled: reshape.input![0] };
}

/**
 * SamOnnxModel copies the image embedding and its positional encoding once per prompt (two Tile nodes:
 * `repeat_interleave` in MaskDecoder.predict_masks), so everything computed from them alone runs n times: in
 * the first two-way layer, the keys' and values' projections for token-to-image attention and the queries'
 * for image-to-token attention (about a fifth of a prompt's trunk time). With the copies made identities,
 * those tensors keep batch 1 and broadcast against the prompts' batch-n tensors (Add and MatMul broadcast);
 * from the first image-to-token update on, the image side has batch n as before. One shape needs the prompt
 * count: `b` of `b, c, h, w = src.shape`, which reshapes the transformer's output back to an image; it is read
 * from point_coords instead. Outputs are bit-identical (checked in the e2e tests, also with per-prompt masks).
 */
function shareImageAcrossPrompts(graph: onnx.IGraphProto, source: string): void {
  const nodes = graph.node as Node[];
  const producer = new Map<string, Node>();
  for (const node of nodes) for (const output of node.output ?? []) producer.set(output, node);
  const consumers = (tensor: string) => nodes.filter((node) => node.input?.includes(tensor));
  const failure = (problem: string) =>
    new ModelSurgeryError(source, `cannot share the image embedding across prompts: ${problem}`);
  const tiles = nodes.filter((node) => node.opType === 'Tile');
  if (tiles.length !== 2)
    throw failure(`expected 2 Tile nodes (embedding, positional encoding), found ${tiles.length}`);
  const fromInput = (tensor: string, input: string, depth = 0): boolean =>
    tensor === input ||
    (depth < 4 && (producer.get(tensor)?.input ?? []).some((name) => fromInput(name, input, depth + 1)));
  const imageTile = tiles.find((tile) => fromInput(tile.input![0], 'image_embeddings'));
  if (!imageTile) throw failure('no Tile copies image_embeddings');
  // src = repeat_interleave(image_embeddings) + dense prompt embeddings: Tile -> Reshape -> Add.
  const reshape = consumers(imageTile.output![0]).find((node) => node.opType === 'Reshape');
  const src = reshape && consumers(reshape.output![0]).find((node) => node.opType === 'Add');
  if (!src) throw failure('the copied embedding does not feed Reshape -> Add');
  const batchShapes = consumers(src.output![0]).filter(
    (shape) =>
      shape.opType === 'Shape' &&
      consumers(shape.output![0]).some(
        (gather) => gather.opType === 'Gather' && intConstant(gather.input![1], producer, graph) === 0,
      ),
  );
  if (batchShapes.length !== 1)
    throw failure(`expected one read of src's batch size, found ${batchShapes.length}`);
  batchShapes[0].input = ['point_coords'];
  for (const tile of tiles) {
    tile.opType = 'Identity';
    tile.input = [tile.input![0]];
  }
}

/** The value of a scalar (or one-element) int64 Constant node or initializer, else undefined. */
function intConstant(name: string, producer: Map<string, Node>, graph: onnx.IGraphProto): number | undefined {
  const node = producer.get(name);
  const tensor =
    node?.opType === 'Constant'
      ? node.attribute?.find((a) => a.name === 'value')?.t
      : graph.initializer?.find((t) => t.name === name);
  if (!tensor || tensor.dataType !== onnxSchema().TensorProto.DataType.INT64) return undefined;
  if (tensor.int64Data?.length === 1) return Number(tensor.int64Data[0]);
  const raw = tensor.rawData;
  if (raw?.length !== 8) return undefined;
  return Number(new DataView(raw.buffer, raw.byteOffset, 8).getBigInt64(0, true));
}

/** Keeps only nodes, initializers and inputs that the graph outputs depend on (node order preserved). */
function prune(graph: onnx.IGraphProto): void {
  const needed = new Set(graph.output!.map((output) => output.name!));
  const nodes = graph.node!;
  const keep: boolean[] = new Array(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!node.output!.some((output) => needed.has(output))) continue;
    keep[i] = true;
    for (const input of node.input ?? []) if (input) needed.add(input);
  }
  graph.node = nodes.filter((_, i) => keep[i]);
  graph.initializer = graph.initializer!.filter((tensor) => needed.has(tensor.name!));
  graph.input = graph.input!.filter((input) => needed.has(input.name!));
  graph.valueInfo = graph.valueInfo!.filter((info) => needed.has(info.name!));
}

function floatValueInfo(name: string, dims: (number | string)[]): onnx.ValueInfoProto {
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
