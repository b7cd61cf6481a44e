// Build step (build.mjs): runs the bundle once, as tools/sea-main.cjs will, on a command given on
// the command line, then writes the V8 code cache of everything that run compiled.
//   node tools/train-code-cache.cjs <bundle.cjs> <out.cache> -- <command and options>
'use strict';
const fs = require('node:fs');
const vm = require('node:vm');
const Module = require('node:module');

const [bundle, out] = process.argv.slice(2, 4);
const args = process.argv.slice(process.argv.indexOf('--') + 1);
// The same wrapped source as at run time: V8 accepts a cache only for identical source.
const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle });
process.argv = [process.argv[0], bundle, ...args];
process.on('exit', () => fs.writeFileSync(out, script.createCachedData()));
const host = new Module(bundle, module);
host.filename = bundle;
script.runInThisContext().call(host.exports, host.exports, require, host, bundle, require('node:path').dirname(bundle));
