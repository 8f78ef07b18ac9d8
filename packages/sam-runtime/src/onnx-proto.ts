import type * as OnnxProto from 'onnx-proto';

/**
 * The ONNX protobuf schema, loaded on first use: protobufjs plus ~330 kB of generated code cost tens of
 * milliseconds, and a warm start (cached trunk and head weights) never decodes a model.
 */
export function onnxSchema(): typeof OnnxProto.onnx {
  return (require('onnx-proto') as typeof OnnxProto).onnx;
}
