// Admin hooks run for real: .ps1 scripts in a real PowerShell (pwsh 7.6 from NuGet, see
// test/setup/pwsh.sh), started with the installer's own
// `-NoProfile -NonInteractive -ExecutionPolicy Bypass -File <script>` command line.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runInstall } from '../../../src/install';
import { HOOK_PHASES } from '../../../src/install/plan';
import { pwshExecutable } from '../../helpers/pwsh';
import { hashTree, makeBox, setInstallConfig, siblingsOf, type Box } from './fixtures';

const TRACE_HOOK = (phase: string) => `
$m = $env:E_MODULE_PATH
$b = $env:E_BACKUP_PATH
$manifest = $m + 'altazion-package.json'
$v = 'none'
if ([System.IO.File]::Exists($manifest)) { $v = [regex]::Match([System.IO.File]::ReadAllText($manifest), '"version":\\s*"([^"]+)"').Groups[1].Value }
$line = '${phase}|' + $m + '|' + $b + '|' + $v + '|' + [System.IO.Directory]::Exists($b) + '|' + [System.IO.File]::Exists($m + 'app_offline.htm')
[System.IO.File]::AppendAllText($env:HOOK_TRACE, $line + [System.Environment]::NewLine)
"hook ${phase} says hello"
`;

const FILES: Record<string, string> = {
  STARTUPDATE: 'startupdate_gestcom.ps1',
  PREBACKUP: 'PREBACKUP-GestionCommerciale.ps1',
  POSTBACKUP: 'POSTBACKUP_gestcom.ps1',
  PREINSTALL: 'preinstall-gestcom.ps1',
  POSTINSTALL: 'POSTINSTALL_gestioncommerciale.ps1',
  ENDUPDATE: 'EndUpdate_gestcom.ps1',
};

describe('install hooks (real PowerShell)', function () {
  this.timeout(600_000);
  let box: Box;
  let env: NodeJS.ProcessEnv;
  let trace: string;

  before(async () => {
    box = await makeBox(['gestioncommerciale']);
    trace = path.join(box.base, 'trace.txt');
    env = { ...process.env, HOOK_TRACE: trace };
  });
  after(() => box.remove());
  beforeEach(async () => {
    await box.reset();
    await setInstallConfig(box, { powershell: pwshExecutable() });
    for (const [phase, file] of Object.entries(FILES)) await fs.writeFile(path.join(box.Root, 'bin', 'updates', 'scripts', file), TRACE_HOOK(phase));
  });

  it('runs every phase in order, with E_MODULE_PATH and E_BACKUP_PATH ending with the separator, seeing the right folders', async () => {
    const run = await runInstall(box.ctx(env), { names: ['gestcom'] });
    expect(run.records[0].Result, run.records[0].Message).to.equal('Installed');
    const lines = (await fs.readFile(trace, 'utf8')).trim().split('\n').map((l) => l.split('|'));
    expect(lines.map((l) => l[0])).to.deep.equal([...HOOK_PHASES]);
    const module = box.appPath('gestcom') + path.sep;
    for (const [, m, b] of lines) {
      expect(m).to.equal(module);
      expect(b.endsWith(path.sep)).to.equal(true);
      expect(path.basename(b)).to.match(/^gestcom\.altazion-backup-25\.9\.12\.3-/);
    }
    const seen = Object.fromEntries(lines.map(([phase, , , version, backup, offline]) => [phase, { version, backup, offline }]));
    expect(seen).to.deep.equal({
      STARTUPDATE: { version: '25.9.12.3', backup: 'False', offline: 'False' }, // still online
      PREBACKUP: { version: '25.9.12.3', backup: 'False', offline: 'True' },
      POSTBACKUP: { version: 'none', backup: 'True', offline: 'False' }, // the old folder is now the backup
      PREINSTALL: { version: 'none', backup: 'True', offline: 'False' },
      POSTINSTALL: { version: '25.10.1.2', backup: 'True', offline: 'False' },
      ENDUPDATE: { version: '25.10.1.2', backup: 'True', offline: 'False' },
    });
    const log = await fs.readFile(run.records[0].LogPath!, 'utf8');
    expect(log).to.include('hook POSTINSTALL says hello');
  });

  it('a failing PREINSTALL hook stops the install and rolls back', async () => {
    const before = await hashTree(box.appPath('gestcom'));
    await fs.writeFile(path.join(box.Root, 'bin', 'updates', 'scripts', FILES.PREINSTALL), `throw 'database backup not confirmed'\n`);
    const run = await runInstall(box.ctx(env), { names: ['gestioncommerciale'] });
    const record = run.records[0];
    expect(record.Result).to.equal('RolledBack');
    expect(record.Message).to.include('hook PREINSTALL').and.include(FILES.PREINSTALL);
    expect(run.exitCode).to.equal(1);
    expect(await hashTree(box.appPath('gestcom'))).to.deep.equal(before);
    expect(await siblingsOf(box)).to.deep.equal([]);
    expect((await box.state()).pools.find((p) => p.name === 'gestcom')!.state).to.equal('Started');
    const log = await fs.readFile(record.LogPath!, 'utf8');
    expect(log).to.include('database backup not confirmed');
    const phases = (await fs.readFile(trace, 'utf8')).trim().split('\n').map((l) => l.split('|')[0]);
    expect(phases).to.deep.equal(['STARTUPDATE', 'PREBACKUP', 'POSTBACKUP']);
  });

  it('a failing ENDUPDATE hook only warns', async () => {
    await fs.writeFile(path.join(box.Root, 'bin', 'updates', 'scripts', FILES.ENDUPDATE), `exit 3\n`);
    const run = await runInstall(box.ctx(env), { names: ['gestioncommerciale'] });
    expect(run.records[0].Result).to.equal('Installed');
    expect(run.records[0].Message).to.include('hook ENDUPDATE failed');
    expect(run.exitCode).to.equal(0);
  });
});
