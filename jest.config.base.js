// Shared jest settings: TypeScript through SWC (fast, no type-check; `pnpm typecheck` does that),
// CommonJS so native addons (onnxruntime-node, sharp) and tfjs load without --experimental-vm-modules.
/** @type {import('jest').Config} */
module.exports = {
  // Node environment whose typed arrays are the main realm's, so onnxruntime-node's and tfjs' instanceof checks
  // accept each other's arrays (see the file).
  testEnvironment: require.resolve('./jest.native-typed-arrays-environment.js'),
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
};
