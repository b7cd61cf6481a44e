// The file node runs (dist/altazion-update.cjs; on Windows the launcher and the service host start
// node.exe with it): it turns on Node's compile cache, then loads the program beside it. Without
// it V8 compiles the 750 KB program at every start, a fifth of a `get` (bench/README.md). The single
// executable does not use this file: it has its own code cache, made at build time.
//
// The cache holds code that runs, so it lives beside the program and is exactly as writable as the
// program: by administrators only where the service runs (the service folder is checked as a tree).
// Where the folder cannot be written (a user without rights), Node just compiles as usual.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import module from 'node:module';
import path from 'node:path';

type EnableCompileCache = (directory: string) => unknown;
// Node 22.1 and later; the Node 20 of the Wine tests has no compile cache and starts as before.
const enableCompileCache = (module as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
enableCompileCache?.(path.join(__dirname, 'compile-cache'));

// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./altazion-update-main.cjs');
