// The Pester suites of the PowerShell module (test/powershell/**/*.Tests.ps1) in real pwsh: each
// file runs in its own pwsh (Invoke-PesterFile.ps1) and each Pester test becomes a mocha test here,
// so a failing Pester test fails `npm test` under its own name, and the counts add up in one summary.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Mocha from 'mocha';
import { distDir, pesterManifest, pwshEnv, pwshExecutable, repoRoot } from '../helpers/pwsh';

interface PesterEntry { Kind: 'test' | 'block' | 'file'; Path: string[]; Result: string; Error: string; DurationMs: number }

const here = path.join(repoRoot, 'test', 'powershell');

function pesterFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...pesterFiles(full));
    else if (entry.name.endsWith('.Tests.ps1')) found.push(full);
  }
  return found.sort();
}

/** Runs one Pester file; resolves with its entries and what pwsh printed (shown when something fails). */
function runPesterFile(file: string): Promise<{ entries: PesterEntry[]; log: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pester-'));
  const resultFile = path.join(dir, 'result.json');
  const args = ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', path.join(here, 'Invoke-PesterFile.ps1'), '-Path', file, '-Pester', pesterManifest(), '-ResultFile', resultFile];
  return new Promise((resolve, reject) => {
    const child = spawn(pwshExecutable(), args, {
      env: pwshEnv({ ALTAZION_TEST_REPO: repoRoot, ALTAZION_TEST_DIST: distDir, ALTAZION_TEST_PWSH: pwshExecutable(), ALTAZION_UPDATE_EXE: undefined, ALTAZION_ROOT: undefined }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { log += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { log += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const parsed = JSON.parse(readFileSync(resultFile, 'utf8')) as PesterEntry[] | PesterEntry;
        resolve({ entries: Array.isArray(parsed) ? parsed : [parsed], log });
      } catch (error) {
        reject(new Error(`Pester run of ${path.relative(repoRoot, file)} wrote no results (pwsh exit ${code}, ${String(error)}):\n${log}`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

for (const file of pesterFiles(here)) {
  const name = path.relative(here, file);
  describe(`Pester: ${name} (real pwsh)`, function () {
    this.timeout(900_000);
    before(async function () {
      const { entries, log } = await runPesterFile(file);
      expect(entries.length, `${name} ran no Pester test:\n${log}`).to.be.greaterThan(0);
      const suite = this.test!.parent!;
      for (const entry of entries) {
        const title = entry.Kind === 'test' ? entry.Path.join(' › ') : `${entry.Kind} ${entry.Path.join(' › ')} (outside a test)`;
        suite.addTest(new Mocha.Test(title, function (this: Mocha.Context) {
          if (entry.Result === 'Passed') return;
          if (entry.Result === 'Skipped' || entry.Result === 'NotRun' || entry.Result === 'Inconclusive') this.skip();
          throw new Error(`${entry.Result}: ${entry.Error || '(no message)'}`);
        }));
      }
    });
    // Mocha runs a suite's hooks only when it has a test: this one stands for the file itself.
    it('ran', () => undefined);
  });
}
