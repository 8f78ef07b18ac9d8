// onnxruntime-node creates output tensors with the main realm's typed-array constructors, while jest gives
// each test file its own realm, so onnxruntime-common's `instanceof Float32Array` check fails on them. Test
// files that run SAM select this environment with a `@jest-environment` docblock; it shares the main realm's
// typed arrays with the sandbox (the fix sam-runtime and the cli use). jest-environment-node is reached
// through jest's own dependencies, as this package does not list it.
const { dirname } = require('node:path');

const from = (name, dir) => dirname(require.resolve(`${name}/package.json`, { paths: [dir] }));
const jestConfig = from('jest-config', from('jest-cli', from('jest', __dirname)));
const { TestEnvironment } = require(require.resolve('jest-environment-node', { paths: [jestConfig] }));

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
