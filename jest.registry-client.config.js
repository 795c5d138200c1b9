// The demo and conformance suites once more, with kurento-client exactly as applications
// install it from the registry (test/registry-client: reconnect-ws 0.1.0 over websocket-stream,
// which sends binary frames), in place of ours (text frames). Both the app and the tests'
// own kurento-client calls use it. Install it with `npm ci --prefix test/registry-client`.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config, as jest reads it
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  displayName: 'registry kurento-client',
  moduleNameMapper: {
    '^kurento-client$': '<rootDir>/test/registry-client/node_modules/kurento-client',
  },
  testMatch: [
    '<rootDir>/test/conformance/**/*.test.ts',
    '<rootDir>/test/integration/{hello-world,one2one,one2many,group-call,recording-demo,filter-demos}.browser.test.ts',
  ],
};
