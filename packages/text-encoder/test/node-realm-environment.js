// onnxruntime-node (under transformers.js) builds its output tensors with the typed-array constructors of
// Node's main realm, and onnxruntime-common then checks them with `instanceof` against the test realm's,
// which jest's sandbox makes different ("A float32 tensor's data must be type of Float32Array"). This
// environment hands the sandbox the main realm's typed arrays, so both sides agree, as they do outside jest.
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

class NodeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of shared) this.global[name] = globalThis[name];
  }
}

module.exports = NodeRealmEnvironment;
