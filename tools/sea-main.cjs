// Main script of the single executables (build.mjs). It runs the bundle, an SEA asset, through
// vm.Script with a V8 code cache trained at build time (tools/train-code-cache.cjs runs `get` on a
// sandbox and keeps the bytecode of every function that run compiled). Node's own SEA code cache
// holds only what compiling the script produces, not the functions compiled while it runs, which is
// most of a command's start-up. A cache V8 rejects (another V8 build or other flags) is ignored
// and the bundle compiles as usual. ALTAZION_CODE_CACHE_REPORT=1 says on stderr which happened.
'use strict';
const sea = require('node:sea');
const vm = require('node:vm');
const { wrap } = require('node:module');

const source = sea.getAsset('altazion-update.cjs', 'utf8');
let cachedData;
try {
  cachedData = new Uint8Array(sea.getAsset('altazion-update.cache'));
} catch {
  cachedData = undefined; // built without a cache
}
const script = new vm.Script(wrap(source), { filename: __filename, cachedData });
if (process.env.ALTAZION_CODE_CACHE_REPORT) {
  process.stderr.write(`code cache: ${cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`);
}
script.runInThisContext().call(module.exports, module.exports, require, module, __filename, __dirname);
