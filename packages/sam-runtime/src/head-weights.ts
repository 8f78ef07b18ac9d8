import type { onnx } from 'onnx-proto';
import { ModelSurgeryError } from './errors';
import { HEAD_LAYER_NAMES, type HeadLayer, type HeadWeights } from './heads';
import { onnxSchema } from './onnx-proto';

const PREFIX = 'mask_decoder.';

/**
 * Reads the 15 head linears from SamOnnxModel's named Gemm initializers (transB=1, so weight is [out,in]).
 * Checks each Gemm's attributes so a differently exported decoder fails loudly instead of computing garbage.
 */
export function headWeightsFromModel(
  decoder: Uint8Array | onnx.ModelProto,
  source = 'sam.onnx',
): HeadWeights {
  const proto = onnxSchema();
  const model = decoder instanceof Uint8Array ? proto.ModelProto.decode(decoder) : decoder;
  const graph = model.graph as onnx.GraphProto | null;
  if (!graph) throw new ModelSurgeryError(source, 'the model has no graph');
  const initializers = new Map(graph.initializer.map((tensor) => [tensor.name, tensor]));
  const layers = new Map<string, HeadLayer>();
  for (const name of HEAD_LAYER_NAMES) {
    const weightName = `${PREFIX}${name}.weight`;
    const gemm = graph.node.find((node) => node.opType === 'Gemm' && node.input?.[1] === weightName);
    if (!gemm) throw new ModelSurgeryError(source, `no Gemm node uses ${weightName}`);
    const attribute = (key: string, fallback: number) => {
      const found = (gemm.attribute ?? []).find((a) => a.name === key);
      return found
        ? Number(found.type === proto.AttributeProto.AttributeType.FLOAT ? found.f : found.i)
        : fallback;
    };
    if (
      attribute('transB', 0) !== 1 ||
      attribute('transA', 0) !== 0 ||
      attribute('alpha', 1) !== 1 ||
      attribute('beta', 1) !== 1
    ) {
      throw new ModelSurgeryError(source, `Gemm ${gemm.name} is not y = x W^T + b (transB=1, alpha=beta=1)`);
    }
    const weight = initializers.get(weightName);
    const bias = initializers.get(gemm.input?.[2] ?? '');
    if (!weight || !bias) throw new ModelSurgeryError(source, `missing initializer for ${name}`);
    const [outFeatures, inFeatures] = (weight.dims ?? []).map(Number);
    layers.set(name, {
      weight: floatData(weight, outFeatures * inFeatures, source),
      bias: floatData(bias, outFeatures, source),
      inFeatures,
      outFeatures,
    });
  }
  return { layers };
}

/** Float32 values of an initializer (raw little-endian bytes or the repeated float field), copied and aligned. */
function floatData(tensor: onnx.ITensorProto, length: number, source: string): Float32Array {
  if (tensor.dataType !== onnxSchema().TensorProto.DataType.FLOAT) {
    throw new ModelSurgeryError(source, `initializer ${tensor.name} is not float32`);
  }
  let values: Float32Array;
  if (tensor.rawData && tensor.rawData.length > 0) {
    const bytes = new Uint8Array(tensor.rawData); // copy: protobuf slices may be unaligned
    values = new Float32Array(bytes.buffer, 0, bytes.length / 4);
  } else {
    values = Float32Array.from(tensor.floatData ?? []);
  }
  if (values.length !== length) {
    throw new ModelSurgeryError(
      source,
      `initializer ${tensor.name} has ${values.length} values, expected ${length}`,
    );
  }
  return values;
}
