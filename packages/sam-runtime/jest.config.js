module.exports = {
  ...require('../../jest.config.base.js'),
  // Main-realm typed arrays for onnxruntime-node's outputs; see the file.
  testEnvironment: '<rootDir>/test/native-typed-arrays-environment.js',
};
