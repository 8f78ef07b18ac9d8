// onnxruntime-node creates output tensors with the main realm's typed-array constructors, while jest gives
// each test file its own realm, so onnxruntime-common's `instanceof Float32Array` check fails on them
// ("A float32 tensor's data must be type of Float32Array"). Sharing the main realm's typed arrays with the
// sandbox makes both sides agree, as they do outside jest (the same fix as in packages/lora).
const { TestEnvironment } = require('jest-environment-node');

const shared = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class NativeTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of shared) this.global[name] = globalThis[name];
  }
}

module.exports = NativeTypedArraysEnvironment;
