// Drives test/powershell/fixtures/fake-altazion-update.mjs (TEST SCAFFOLDING of the NDJSON reader):
// a scenario per test, and the list of runs it received.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { executableFixture, repoRoot } from '../helpers/pwsh';

export type Step =
  | { out: Record<string, unknown> }
  | { raw: string }
  | { stderr: string }
  | { sleepMs: number }
  | { exit: number }
  | { echoArgs: true }
  | { pidFile: string }
  | { touch: string }
  | { waitFor: string; timeoutMs?: number; emit: { typeName: string; data: Record<string, unknown> } };

const fixture = path.join(repoRoot, 'test', 'powershell', 'fixtures', 'fake-altazion-update.mjs');

export class FakeExe {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'altazion-fake-run-'));
  readonly exe = executableFixture(fixture);
  private readonly callsFile = path.join(this.dir, 'calls.ndjson');
  private readonly scenarioFile = path.join(this.dir, 'scenario.json');

  /** Steps per command (first argument); '*' for any command. */
  constructor(scenario: Record<string, Step[]> = {}) {
    writeFileSync(this.scenarioFile, JSON.stringify(scenario));
  }

  get env(): Record<string, string> {
    return { ALTAZION_UPDATE_EXE: this.exe, FAKE_SCENARIO: this.scenarioFile, FAKE_CALLS: this.callsFile };
  }

  /** The arguments of every run, in order. */
  calls(): string[][] {
    if (!existsSync(this.callsFile)) return [];
    return readFileSync(this.callsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
  }
}

export const updateRecord = (data: Record<string, unknown>) => ({ out: { type: 'object', typeName: 'Altazion.Update', data } });
export const installResult = (data: Record<string, unknown>) => ({ out: { type: 'object', typeName: 'Altazion.InstallResult', data } });
export const repairResult = (data: Record<string, unknown>) => ({ out: { type: 'object', typeName: 'Altazion.RepairResult', data } });
export const errorLine = (code: string, message: string, target?: string, hint?: string) => ({ out: { type: 'error', code, message, target, hint } });
