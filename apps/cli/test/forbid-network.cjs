// Preloaded with `node --require` by subprocess tests: every way out to the network throws, so a command
// that runs to completion under it is offline.
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const tls = require('node:tls');

const refuse = (what) => () => {
  throw new Error(`network access attempted in an offline run: ${what}`);
};
globalThis.fetch = refuse('fetch');
for (const [name, module] of [
  ['http', http],
  ['https', https],
]) {
  module.request = refuse(`${name}.request`);
  module.get = refuse(`${name}.get`);
}
net.connect = refuse('net.connect');
net.createConnection = refuse('net.createConnection');
tls.connect = refuse('tls.connect');
