// Shared jest settings: TypeScript through SWC (fast, no type-check; `pnpm typecheck` does that),
// CommonJS so native addons (onnxruntime-node, sharp) and tfjs load without --experimental-vm-modules.
/** @type {import('jest').Config} */
module.exports = {
  // Node environment whose typed arrays are the main realm's, so onnxruntime-node's and tfjs' instanceof checks
  // accept each other's arrays (see the file).
  testEnvironment: require.resolve('./jest.native-typed-arrays-environment.js'),
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // No test may depend on wall-clock speed: turbo runs three packages' tests at once on a shared 2-core machine,
  // where a 1 s test can take 20 s. A hang still fails, after 5 minutes instead of jest's 5 s; files that load
  // real models set their own, wider timeouts.
  testTimeout: 300_000,
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
};
