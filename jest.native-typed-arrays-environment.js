// onnxruntime-node builds its output tensors with this process's typed-array constructors, but jest's node
// environment gives each test file its own realm, so onnxruntime-common's `instanceof Float32Array` check
// rejects them. Sharing the outer realm's typed-array constructors makes both sides agree.
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
