module.exports = {
  ...require('../../jest.config.base.js'),
  // Main-realm typed arrays, so onnxruntime-node's and tfjs' instanceof checks accept each other's arrays.
  testEnvironment: '<rootDir>/test/native-typed-arrays-environment.js',
};
