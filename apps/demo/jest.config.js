const base = require('../../jest.config.base.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // @fastify/static requires content-disposition 3, and fastify's inject (light-my-request) cookie 2, which ship
  // only ESM: Node 20.19+ loads them through require(esm), jest does not, so SWC compiles those two packages to
  // CommonJS for the tests.
  transform: {
    ...base.transform,
    '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!\\.pnpm/(?:content-disposition|cookie)@|(?:content-disposition|cookie)/)',
  ],
};
