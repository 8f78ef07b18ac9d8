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
export const TRUNK_SURGERY_VERSION = 1;

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

/**
 * Derives the task-free trunk from Meta's SamOnnxModel export: the graph is cut just before the output heads
 * (IoU MLP, the four hypernetwork MLPs and the mask product), so it returns the IoU token [n,256], the mask
 * tokens [n,4,256] and the upscaled image embedding [n,32,256,256]; nodes that only fed the heads and the
 * postprocessing are pruned, and the prompt batch dimension is relaxed from 1 to `n`.
 */
export function buildTrunkModel(decoder: Uint8Array, source = 'sam.onnx'): Uint8Array {
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
