const base = require('../../jest.config.base.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // @fastify/static requires content-disposition 3, which ships only ESM: Node 20.19+ loads it through
  // require(esm), jest does not, so SWC compiles that one package to CommonJS for the tests.
  transform: {
    ...base.transform,
    '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!\\.pnpm/content-disposition@|content-disposition/)'],
};
