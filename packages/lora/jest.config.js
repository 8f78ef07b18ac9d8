module.exports = {
  ...require('../../jest.config.base.js'),
  testEnvironment: '<rootDir>/test/native-typed-arrays-environment.js',
};
