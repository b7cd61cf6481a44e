// The module's NDJSON reader and cmdlet plumbing, in a real PowerShell engine, against a scripted
// stand-in executable (fixtures/fake-altazion-update.mjs): streams, ErrorRecords, exit codes,
// streaming, one run per pipeline, ShouldProcess. The real executable is exercised in
// sandbox.test.ts.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertNoTerminatingError, objectsOfType, psQuote, runPwsh, sourceModuleManifest, type PsObject } from '../helpers/pwsh';
import { errorLine, FakeExe, installResult, repairResult, updateRecord } from './fake-exe';

const importModule = `Import-Module ${psQuote(sourceModuleManifest)} -ErrorAction Stop\n`;
const progress = (id: number, percent: number, completed = false) =>
  ({ out: { type: 'progress', id, activity: 'Checking the feed', status: `${percent}%`, percent, ...(completed ? { completed: true } : {}) } });
const log = (level: string, message: string) => ({ out: { type: 'log', level, message } });

describe('PowerShell module: NDJSON reader (real engine, scripted executable)', function () {
  this.timeout(120_000);

  it('turns records, progress and log lines into objects and PowerShell streams', async () => {
    const fake = new FakeExe({
      get: [
        progress(1, 30),
        log('verbose', 'reading applicationspath.config'),
        log('info', 'feed index 12 verified'),
        log('warning', 'the feed expires in 2 days'),
        updateRecord({ Name: 'ecommerce', Instance: '', InstalledVersion: '25.5', AvailableVersion: '25.10', PublishedAt: '2025-10-01T08:00:00.000Z', PendingScripts: [] }),
        progress(1, 100, true),
        updateRecord({ Name: 'database', Instance: 'preprod', InstalledVersion: '25.5', AvailableVersion: null, PublishedAt: null }),
      ],
    });
    const result = await runPwsh(`${importModule}
      $all = @(Get-AltazionUpdate -Verbose)
      $all
      'published:' + $all[0].PublishedAt.GetType().FullName + ':' + $all[0].PublishedAt.ToUniversalTime().ToString('yyyy-MM-dd HH:mm')
      'available-null:' + ($null -eq $all[1].AvailableVersion)
      $quiet = @(Get-AltazionUpdate)
    `, { env: fake.env });
    assertNoTerminatingError(result);

    const updates = objectsOfType(result, 'Altazion.Update');
    expect(updates.map((u) => u.properties?.Name)).to.deep.equal(['ecommerce', 'database']);
    expect(updates[0].typeNames).to.include('System.Management.Automation.PSCustomObject');
    expect(result.output).to.include('published:System.DateTime:2025-10-01 08:00');
    expect(result.output).to.include('available-null:True');

    // Two runs: progress, warnings and information each time; verbose only with -Verbose.
    expect(result.progress.map((p) => [p.activityId, p.percentComplete, p.recordType])).to.deep.equal([
      [1, 30, 'Processing'], [1, 100, 'Completed'], [1, 30, 'Processing'], [1, 100, 'Completed'],
    ]);
    expect(result.progress[0].activity).to.equal('Checking the feed');
    expect(result.warning.map((w) => w.message)).to.deep.equal(['the feed expires in 2 days', 'the feed expires in 2 days']);
    expect(result.information.map((i) => [i.text, i.tags])).to.deep.equal([
      ['feed index 12 verified', ['Altazion.Update']], ['feed index 12 verified', ['Altazion.Update']],
    ]);
    expect(result.verbose.map((v) => v.message)).to.include('reading applicationspath.config');
    expect(result.verbose.filter((v) => v.message === 'reading applicationspath.config')).to.have.length(1);
    expect(result.error).to.deep.equal([]);
  });

  it('writes error messages as ErrorRecords with the code, category, target and hint; exit 0/1 keep them non-terminating', async () => {
    const fake = new FakeExe({
      get: [
        updateRecord({ Name: 'ecommerce', Instance: '' }),
        errorLine('E_FEED_SIGNATURE', 'release-index.json.sig: no valid signature by a trusted key', 'D:\\feed\\release-index.json.sig', 'ask the publisher to re-sign the feed'),
        updateRecord({ Name: 'logistique', Instance: '' }),
        { exit: 0 },
      ],
      check: [errorLine('E_DOWNLOAD', 'download of ecommerce-25.10.zip failed', 'packages/ecommerce-25.10.zip'), { exit: 1 }],
    });
    const result = await runPwsh(`${importModule}
      Get-AltazionUpdate
      'after-get'
      $ErrorActionPreference = 'Stop'
      try { Get-AltazionUpdate -ErrorAction Continue -ErrorVariable captured | Out-Null; 'error-variable:' + $captured[0].FullyQualifiedErrorId } catch { 'not expected' }
    `, { env: fake.env });
    assertNoTerminatingError(result);

    expect(objectsOfType(result, 'Altazion.Update').map((u) => u.properties?.Name)).to.deep.equal(['ecommerce', 'logistique']);
    expect(result.output).to.include('after-get');
    expect(result.output).to.include('error-variable:E_FEED_SIGNATURE,Get-AltazionUpdate');
    const error = result.error[0];
    expect(error.fullyQualifiedErrorId).to.equal('E_FEED_SIGNATURE,Get-AltazionUpdate');
    expect(error.category).to.equal('SecurityError');
    expect(error.targetObject).to.equal('D:\\feed\\release-index.json.sig');
    expect(error.recommendedAction).to.equal('ask the publisher to re-sign the feed');
    expect(error.message).to.equal('release-index.json.sig: no valid signature by a trusted key');
    expect(error.commandName).to.equal('Get-AltazionUpdate');
  });

  it('terminates on exit code 2 (bad input) with the last error, and on exit 1 without any error message', async () => {
    const fake = new FakeExe({
      get: [
        errorLine('E_CONFIG', 'applicationspath.config: application[2]: missing path', 'C:\\ProgramData\\CPoint\\[e]\\bin\\config\\applicationspath.config', 'add path="..."'),
        updateRecord({ Name: 'never-reached-by-user-code', Instance: '' }),
        errorLine('E_USAGE', 'unknown argument --bogus', '--bogus'),
        { exit: 2 },
      ],
      install: [{ stderr: 'Segmentation fault in something' }, { exit: 1 }],
    });
    const result = await runPwsh(`${importModule}
      try { Get-AltazionUpdate; 'not-reached' } catch { 'caught:' + $_.FullyQualifiedErrorId + ':' + $_.CategoryInfo.Category }
      try { Install-AltazionUpdate -Name ecommerce -Confirm:$false; 'not-reached' } catch { 'caught:' + $_.FullyQualifiedErrorId + ':' + $_.Exception.Message }
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(result.output).to.not.include('not-reached');
    expect(result.output).to.include('caught:E_USAGE,Get-AltazionUpdate:InvalidArgument');
    // The earlier error of the same run stays a normal (non-terminating) error.
    expect(result.error.map((e) => e.fullyQualifiedErrorId)).to.deep.equal(['E_CONFIG,Get-AltazionUpdate']);
    expect(result.error[0].category).to.equal('InvalidData');
    const failed = result.output.find((o) => typeof o === 'string' && o.startsWith('caught:E_FAILED,Install-AltazionUpdate')) as string;
    expect(failed, JSON.stringify(result.output)).to.be.a('string');
    expect(failed).to.contain('exit code 1').and.contain('Segmentation fault');
  });

  it('-ErrorAction Stop stops at the first failed module: its error is raised when the run goes on, not held to the end', async () => {
    const fake = new FakeExe({
      install: [
        installResult({ Name: 'ecommerce', Instance: '', FromVersion: '25.5', ToVersion: '25.10', Result: 'RolledBack', Message: 'health check failed' }),
        errorLine('E_ROLLED_BACK', 'ecommerce: health check failed, 25.5 restored', 'ecommerce'),
        progress(1, 10),
        installResult({ Name: 'logistique', Instance: '', FromVersion: '25.5', ToVersion: '25.10', Result: 'Installed' }),
        { exit: 1 },
      ],
    });
    const result = await runPwsh(`${importModule}
      try { Install-AltazionUpdate -Name ecommerce, logistique -Force -ErrorAction Stop } catch { 'caught:' + $_.FullyQualifiedErrorId }
      $found = @(Install-AltazionUpdate -Name ecommerce, logistique -Force -ErrorVariable failures -ErrorAction SilentlyContinue)
      'continued:' + ($found.Name -join ',') + ':' + ($failures.FullyQualifiedErrorId -join ',')
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(result.output).to.include('caught:E_ROLLED_BACK,Install-AltazionUpdate');
    // Stopped there: the next module's result never reached the pipeline of the stopped command.
    expect(objectsOfType(result, 'Altazion.InstallResult').map((r) => r.properties?.Name)).to.deep.equal(['ecommerce']);
    // Without Stop: both results and the one error.
    expect(result.output).to.include('continued:ecommerce,logistique:E_ROLLED_BACK,Install-AltazionUpdate');
  });

  it('keeps manual-action (exit 3) and busy (exit 4) errors non-terminating, with their categories', async () => {
    const fake = new FakeExe({
      install: [
        installResult({ Name: 'database', Instance: '', FromVersion: '25.5', ToVersion: '25.10', Result: 'ManualActionRequired', PendingScripts: ['2025-10/0030'] }),
        errorLine('E_DB_CUSTOMIZED', 'the database was customised: E.ps_commande changed', 'E.ps_commande', 'review with db scripts --show'),
        { exit: 3 },
      ],
      repair: [errorLine('E_BUSY', 'another install is running (portal, pid 4242)', 'bin/updates/install.lock'), { exit: 4 }],
      get: [updateRecord({ Name: 'database', Instance: '', Status: 'ManualActionRequired' }), { exit: 3 }],
    });
    const result = await runPwsh(`${importModule}
      Install-AltazionUpdate -Name database -Confirm:$false
      Repair-AltazionUpdater
      Get-AltazionUpdate | Out-Null
      'end'
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(objectsOfType(result, 'Altazion.InstallResult')[0].properties?.PendingScripts).to.deep.include({ items: ['2025-10/0030'] });
    expect(result.error.map((e) => [e.fullyQualifiedErrorId, e.category, e.targetObject])).to.deep.equal([
      ['E_DB_CUSTOMIZED,Install-AltazionUpdate', 'InvalidOperation', 'E.ps_commande'],
      ['E_BUSY,Repair-AltazionUpdater', 'ResourceBusy', 'bin/updates/install.lock'],
    ]);
    // Exit 3 without an error message: a warning points at the results.
    expect(result.warning.map((w) => w.message)).to.deep.equal(['Manual action required: see the Status and Detail of the results.']);
    expect(result.output).to.include('end');
  });

  it('keeps results of a run that failed with exit code 1 and reports a non-terminating E_FAILED', async () => {
    const fake = new FakeExe({
      repair: [
        repairResult({ Check: 'portal', Target: 'http://127.0.0.1:8080/', Status: 'Failed', Detail: 'does not answer', Action: 'restart the service' }),
        repairResult({ Check: 'disk', Target: 'D:\\', Status: 'Ok', Detail: '75 GB free', Action: '' }),
        { exit: 1 },
      ],
    });
    const result = await runPwsh(`${importModule}
      Repair-AltazionUpdater -WhatIf
      'after-whatif'
      Repair-AltazionUpdater
      'after-repair'
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(objectsOfType(result, 'Altazion.RepairResult').map((r) => r.properties?.Check)).to.deep.equal(['portal', 'disk', 'portal', 'disk']);
    expect(result.output).to.include('after-whatif').and.include('after-repair');
    expect(result.error.map((e) => e.fullyQualifiedErrorId)).to.deep.equal(['E_FAILED,Repair-AltazionUpdater', 'E_FAILED,Repair-AltazionUpdater']);
    // The error is about what failed (for -ErrorVariable and $Error), not about the executable.
    for (const error of result.error) {
      expect(error.targetObject).to.equal('http://127.0.0.1:8080/');
      expect(error.message).to.contain('portal').and.contain('does not answer');
      expect(error.recommendedAction).to.equal('restart the service');
    }
  });

  it('reads the output as it streams: an object reaches the pipeline while the executable still runs', async () => {
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'altazion-marker-')), 'first-seen');
    // The stand-in prints one record, then waits for the marker that only the downstream
    // command creates when it receives that record. A reader that waited for the exit would
    // never create it: the second record would then say SawMarker = False.
    const fake = new FakeExe({
      get: [
        updateRecord({ Name: 'first', Instance: '' }),
        { waitFor: marker, timeoutMs: 15_000, emit: { typeName: 'Altazion.Update', data: { Name: 'second', Instance: '' } } },
      ],
    });
    const result = await runPwsh(`${importModule}
      Get-AltazionUpdate | ForEach-Object {
        if ($_.Name -eq 'first') { [System.IO.File]::WriteAllText(${psQuote(marker)}, 'seen') }
        $_
      }
    `, { env: fake.env });
    assertNoTerminatingError(result);
    const updates = objectsOfType(result, 'Altazion.Update');
    expect(updates.map((u) => u.properties?.Name)).to.deep.equal(['first', 'second']);
    expect(updates[1].properties?.SawMarker).to.equal(true);
  });

  it('stops the executable when the pipeline stops early (a downstream command throws)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'altazion-stop-'));
    const pidFile = path.join(dir, 'pid');
    const finished = path.join(dir, 'finished');
    const fake = new FakeExe({
      get: [{ pidFile }, updateRecord({ Name: 'first', Instance: '' }), { sleepMs: 20_000 }, { touch: finished }],
    });
    const result = await runPwsh(`${importModule}
      try { Get-AltazionUpdate | ForEach-Object { throw 'enough' } } catch { 'caught:' + $_.Exception.Message }
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(result.output).to.include('caught:enough');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // Killed, not left running in the background: the process is gone and never finished.
    expect(() => process.kill(pid, 0)).to.throw();
    expect(existsSync(finished)).to.equal(false);
  });

  it('runs the executable once for a whole pipeline, binding by value and by property name', async () => {
    const fake = new FakeExe({
      get: [
        updateRecord({ Name: 'ecommerce', Instance: '', InstalledVersion: '25.5' }),
        updateRecord({ Name: 'gestioncommerciale', Instance: '', InstalledVersion: '25.5' }),
      ],
    });
    const result = await runPwsh(`${importModule}
      'ecommerce', 'phygital', 'logistique' | Get-AltazionUpdate | Out-Null
      @([pscustomobject]@{ Name = 'ecommerce'; Instance = 'preprod' }, [pscustomobject]@{ Name = 'integration'; Instance = 'preprod' }) | Get-AltazionUpdate -Refresh | Out-Null
      Get-AltazionUpdate | Get-AltazionUpdate | Out-Null
      @([pscustomobject]@{ Name = 'ecommerce'; Instance = 'preprod' }, [pscustomobject]@{ Name = 'ecommerce'; Instance = '' }) | Get-AltazionUpdate | Out-Null
      Get-AltazionUpdate -Name ecommerce, database -Instance '' -Root '/srv/alt root' | Out-Null
      @([pscustomobject]@{ Name = 'ecommerce'; Instance = 'preprod' }, [pscustomobject]@{ Name = 'logistique' }) | Get-AltazionUpdate | Out-Null
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(fake.calls()).to.deep.equal([
      ['get', '--name', 'ecommerce', '--name', 'phygital', '--name', 'logistique', '--skip-unknown-names', '--json'],
      ['get', '--name', 'ecommerce', '--name', 'integration', '--instance', 'preprod', '--skip-unknown-names', '--refresh', '--json'],
      ['get', '--json'],
      // Objects of Get-AltazionUpdate carry Instance '' (main instance): kept, so no other instance slips in.
      ['get', '--name', 'ecommerce', '--name', 'gestioncommerciale', '--instance', '', '--skip-unknown-names', '--json'],
      // One --instance per run: two instances, two runs.
      ['get', '--name', 'ecommerce', '--instance', 'preprod', '--skip-unknown-names', '--json'],
      ['get', '--name', 'ecommerce', '--instance', '', '--skip-unknown-names', '--json'],
      ['get', '--name', 'ecommerce', '--name', 'database', '--instance', '', '--skip-unknown-names', '--json', '--root', '/srv/alt root'],
      // An object without an Instance property means any instance, even after one that had it.
      ['get', '--name', 'ecommerce', '--instance', 'preprod', '--skip-unknown-names', '--json'],
      ['get', '--name', 'logistique', '--skip-unknown-names', '--json'],
    ]);
  });

  it('passes arguments with spaces, quotes and backslashes through unchanged', async () => {
    const fake = new FakeExe({ '*': [{ echoArgs: true }] });
    const tricky = ['a b', 'quote"inside', 'trailing\\', 'C:\\Program Files\\x\\', '', 'tab\there', '\\\\server\\share\\"x"'];
    const names = tricky.filter((t) => t !== '').map(psQuote).join(', ');
    const trickyRoot = path.join(os.tmpdir(), 'CPoint', '[e] - pré"prod');
    const result = await runPwsh(`${importModule}
      Get-AltazionUpdate -Name ${names} -Instance '' -Root ${psQuote(trickyRoot)}
    `, { env: fake.env });
    assertNoTerminatingError(result);
    const echoed = objectsOfType(result, 'Altazion.Test.Args')[0].properties?.Args as PsObject;
    // -Root is resolved as a provider path (on this Linux machine: no drive letters, '/' separators).
    const expected = ['get', ...tricky.filter((t) => t !== '').flatMap((t) => ['--name', t]), '--instance', '', '--skip-unknown-names', '--json', '--root', trickyRoot];
    expect(echoed.items).to.deep.equal(expected);
  });

  it('reports a missing executable as a terminating E_EXECUTABLE error, and skips unreadable lines with a warning', async () => {
    const fake = new FakeExe({ get: [{ raw: 'this is not JSON' }, updateRecord({ Name: 'ecommerce', Instance: '' })] });
    const result = await runPwsh(`${importModule}
      Get-AltazionUpdate
      $env:ALTAZION_UPDATE_EXE = '/nonexistent/altazion-update'
      try { Get-AltazionUpdate } catch { 'caught:' + $_.FullyQualifiedErrorId + ':' + $_.CategoryInfo.Category }
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(objectsOfType(result, 'Altazion.Update')).to.have.length(1);
    expect(result.warning[0].message).to.contain('this is not JSON');
    expect(result.output).to.include('caught:E_EXECUTABLE,Get-AltazionUpdate:ObjectNotFound');
  });

  it('serialises records for remoting as plain properties (Deserialized.Altazion.Update)', async () => {
    const fake = new FakeExe({ get: [updateRecord({ Name: 'ecommerce', Instance: '', InstalledVersion: '25.5', AvailableVersion: '25.10', UpdateAvailable: true, PublishedAt: '2025-10-01T08:00:00Z', ComputerName: 'WEB1' })] });
    const result = await runPwsh(`${importModule}
      $xml = [System.Management.Automation.PSSerializer]::Serialize((Get-AltazionUpdate), 2)
      [System.Management.Automation.PSSerializer]::Deserialize($xml)
    `, { env: fake.env });
    assertNoTerminatingError(result);
    const received = result.output[0] as PsObject;
    expect(received.typeNames[0]).to.equal('Deserialized.Altazion.Update');
    expect(received.properties).to.include({ Name: 'ecommerce', InstalledVersion: '25.5', AvailableVersion: '25.10', UpdateAvailable: true, ComputerName: 'WEB1' });
    expect(received.properties?.PublishedAt).to.match(/^2025-10-01T08:00:00/);
  });
});

describe('PowerShell module: Install-AltazionUpdate and Repair-AltazionUpdater plumbing (scripted executable)', function () {
  this.timeout(120_000);

  const plan = [
    installResult({ Name: 'ecommerce', Instance: 'preprod', FromVersion: '25.5.28.7', ToVersion: '25.10', Result: 'WhatIf', Message: 'would stop pool ecommerce-preprod' }),
    installResult({ Name: 'gestioncommerciale', Instance: '', FromVersion: '25.4', ToVersion: '25.10', Result: 'WhatIf', Message: 'would stop pool gestcom' }),
  ];

  it('-WhatIf runs the executable with --dry-run and shows What if lines naming module, instance and versions', async () => {
    const fake = new FakeExe({ install: plan });
    const result = await runPwsh(`${importModule}
      Install-AltazionUpdate -Name ecommerce, gestioncommerciale -WhatIf
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(fake.calls()).to.deep.equal([['install', '--name', 'ecommerce', '--name', 'gestioncommerciale', '--requested-by', 'cmdlet', '--skip-unknown-names', '--dry-run', '--json', '--stop-on-stdin-close']]);
    expect(objectsOfType(result, 'Altazion.InstallResult').map((r) => r.properties?.Result)).to.deep.equal(['WhatIf', 'WhatIf']);
    const whatIf = result.host.filter((h) => h.text.startsWith('What if:')).map((h) => h.text);
    expect(whatIf).to.deep.equal([
      'What if: Performing the operation "Install Altazion update" on target "ecommerce (instance preprod) from 25.5.28.7 to 25.10".',
      'What if: Performing the operation "Install Altazion update" on target "gestioncommerciale (main instance) from 25.4 to 25.10".',
    ]);
    expect(result.prompt).to.deep.equal([]);
  });

  it('asks for confirmation per module with versions from the piped objects, and installs only what was approved', async () => {
    const fake = new FakeExe({
      get: [
        updateRecord({ Name: 'ecommerce', Instance: '', InstalledVersion: '25.5', AvailableVersion: '25.10' }),
        updateRecord({ Name: 'logistique', Instance: '', InstalledVersion: '25.4.1.2', AvailableVersion: '25.10' }),
      ],
      install: [installResult({ Name: 'ecommerce', Instance: '', FromVersion: '25.5', ToVersion: '25.10', Result: 'Installed' })],
    });
    const declined = await runPwsh(`${importModule}
      Get-AltazionUpdate | Install-AltazionUpdate
    `, { env: fake.env, confirm: 'no' });
    assertNoTerminatingError(declined);
    expect(declined.prompt.map((p) => p.message)).to.deep.equal([
      'Are you sure you want to perform this action?\nPerforming the operation "Install Altazion update" on target "ecommerce (main instance) from 25.5 to 25.10".',
      'Are you sure you want to perform this action?\nPerforming the operation "Install Altazion update" on target "logistique (main instance) from 25.4.1.2 to 25.10".',
    ]);
    expect(fake.calls().filter((c) => c[0] === 'install')).to.deep.equal([]);

    const approved = await runPwsh(`${importModule}
      Get-AltazionUpdate | Install-AltazionUpdate
    `, { env: fake.env, confirm: 'yes' });
    assertNoTerminatingError(approved);
    expect(fake.calls().filter((c) => c[0] === 'install')).to.deep.equal([
      ['install', '--name', 'ecommerce', '--name', 'logistique', '--instance', '', '--requested-by', 'cmdlet', '--skip-unknown-names', '--json', '--stop-on-stdin-close'],
    ]);
    expect(objectsOfType(approved, 'Altazion.InstallResult')[0].properties?.Result).to.equal('Installed');
  });

  it('never prompts unattended: -Force (which passes no --force) or -Confirm:$false install in one run; otherwise a non-interactive session gets an error and nothing is installed', async () => {
    const fake = new FakeExe({ install: plan });
    const result = await runPwsh(`${importModule}
      Install-AltazionUpdate -Name ecommerce -Instance preprod -Force | Out-Null
      Install-AltazionUpdate -Name ecommerce -Version 25.10 -Confirm:$false | Out-Null
      'ecommerce', 'integration' | Install-AltazionUpdate -Instance preprod -Force | Out-Null
      try { Install-AltazionUpdate -Name gestioncommerciale -ErrorAction Stop } catch { 'refused:' + $_.FullyQualifiedErrorId }
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(fake.calls()).to.deep.equal([
      ['install', '--name', 'ecommerce', '--instance', 'preprod', '--requested-by', 'cmdlet', '--skip-unknown-names', '--json', '--stop-on-stdin-close'],
      ['install', '--name', 'ecommerce', '--requested-by', 'cmdlet', '--skip-unknown-names', '--version', '25.10', '--json', '--stop-on-stdin-close'],
      ['install', '--name', 'ecommerce', '--name', 'integration', '--instance', 'preprod', '--requested-by', 'cmdlet', '--skip-unknown-names', '--json', '--stop-on-stdin-close'],
      // Without versions from the pipeline the plan is asked first, to name them in the prompt...
      ['install', '--name', 'gestioncommerciale', '--requested-by', 'cmdlet', '--skip-unknown-names', '--dry-run', '--json', '--stop-on-stdin-close'],
      // ...and the prompt fails in this non-interactive host: no real install run follows.
    ]);
    expect(result.prompt).to.have.length(1);
    expect(result.prompt[0].message).to.contain('ecommerce (instance preprod) from 25.5.28.7 to 25.10');
    expect(result.output.some((o) => typeof o === 'string' && o.startsWith('refused:'))).to.equal(true);
  });

  it('-WaitSeconds waits for a running install (--wait); a negative or over-a-day value is refused before anything runs', async () => {
    const fake = new FakeExe({ install: [] });
    const result = await runPwsh(`${importModule}
      Install-AltazionUpdate -Name ecommerce -WaitSeconds 600 -Force
      Install-AltazionUpdate -Name database -Script '2025-10/0030' -WaitSeconds 0 -Confirm:$false
      foreach ($bad in -1, 86401) {
        try { Install-AltazionUpdate -Name ecommerce -WaitSeconds $bad -Force -ErrorAction Stop } catch { 'refused:' + $_.FullyQualifiedErrorId }
      }
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(fake.calls()).to.deep.equal([
      ['install', '--name', 'ecommerce', '--requested-by', 'cmdlet', '--skip-unknown-names', '--wait', '600', '--json', '--stop-on-stdin-close'],
      ['install', '--name', 'database', '--requested-by', 'cmdlet', '--skip-unknown-names', '--wait', '0', '--script', '2025-10/0030', '--json', '--stop-on-stdin-close'],
    ]);
    expect(result.output.filter((o) => typeof o === 'string' && o.startsWith('refused:'))).to.deep.equal([
      'refused:ParameterArgumentValidationError,Install-AltazionUpdate',
      'refused:ParameterArgumentValidationError,Install-AltazionUpdate',
    ]);
  });

  it('maps -Script, -MarkApplied and -ExportScripts to their options', async () => {
    const fake = new FakeExe({ install: [] });
    const result = await runPwsh(`${importModule}
      Install-AltazionUpdate -Name database -Script '2025-10/0030' -Confirm:$false
      Install-AltazionUpdate -Name database -MarkApplied '2025-10/0031' -Instance '' -Confirm:$false
      Install-AltazionUpdate -Name database -ExportScripts '/tmp/review scripts'
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(fake.calls()).to.deep.equal([
      ['install', '--name', 'database', '--requested-by', 'cmdlet', '--skip-unknown-names', '--script', '2025-10/0030', '--json', '--stop-on-stdin-close'],
      ['install', '--name', 'database', '--instance', '', '--requested-by', 'cmdlet', '--skip-unknown-names', '--mark-applied', '2025-10/0031', '--json', '--stop-on-stdin-close'],
      ['install', '--name', 'database', '--requested-by', 'cmdlet', '--skip-unknown-names', '--export-scripts', '/tmp/review scripts', '--json', '--stop-on-stdin-close'],
    ]);
  });

  it('-WhatIf with -Script, -MarkApplied or -ExportScripts names that database action, not an install', async () => {
    const planned = (message: string) => installResult({ Name: 'database', Instance: '', FromVersion: '25.9', ToVersion: '25.10', Result: 'WhatIf', Message: message });
    const fake = new FakeExe({ install: [planned('would run script 2025-10/0030')] });
    const result = await runPwsh(`${importModule}
      Install-AltazionUpdate -Name database -Script '2025-10/0030' -WhatIf | Out-Null
      Install-AltazionUpdate -Name database -Instance '' -MarkApplied '2025-10/0031' -WhatIf | Out-Null
      Install-AltazionUpdate -Name database -ExportScripts '/tmp/review scripts' -WhatIf | Out-Null
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(fake.calls().map((c) => c.includes('--dry-run'))).to.deep.equal([true, true, true]);
    expect(result.host.filter((h) => h.text.startsWith('What if:')).map((h) => h.text)).to.deep.equal([
      'What if: Performing the operation "Run database script" on target "database (every instance), script 2025-10/0030".',
      'What if: Performing the operation "Mark database script as applied" on target "database (main instance), script 2025-10/0031".',
      'What if: Performing the operation "Export database scripts for review" on target "database (every instance), pending scripts into /tmp/review scripts".',
    ]);
  });

  it('over remoting, the confirmation of -Script or -MarkApplied names that database action and the script', async () => {
    const result = await runPwsh(`${importModule}
      Install-AltazionUpdate -ComputerName web1 -Name database -Script '2025-10/0030'
      Install-AltazionUpdate -ComputerName web1, web2 -Name database -MarkApplied '2025-10/0031'
    `, { confirm: 'no' });
    assertNoTerminatingError(result);
    expect(result.prompt.map((p) => p.message.split('\n')[1])).to.deep.equal([
      'Performing the operation "Run database script" on target "database, script 2025-10/0030 on web1".',
      'Performing the operation "Mark database script as applied" on target "database, script 2025-10/0031 on web1, web2".',
    ]);
  });

  it('Repair-AltazionUpdater: -WhatIf is --dry-run with What if lines, -Check selects checks, results pipe back by property name', async () => {
    const fake = new FakeExe({
      repair: [
        repairResult({ Check: 'service', Target: 'altazionupdate', Status: 'Ok', Detail: 'running', Action: '' }),
        repairResult({ Check: 'app-offline', Target: 'D:\\app\\ecommerce\\app_offline.htm', Status: 'WouldFix', Detail: 'left by a failed install', Action: 'Rename to app_offline.htm.bak' }),
      ],
    });
    const result = await runPwsh(`${importModule}
      $found = @(Repair-AltazionUpdater -WhatIf)
      $found | Where-Object Status -eq 'WouldFix' | Repair-AltazionUpdater | Out-Null
      Repair-AltazionUpdater -Check service, portal | Out-Null
    `, { env: fake.env });
    assertNoTerminatingError(result);
    expect(fake.calls()).to.deep.equal([
      ['repair', '--dry-run', '--json'],
      ['repair', '--check', 'app-offline', '--json'],
      ['repair', '--check', 'service', '--check', 'portal', '--json'],
    ]);
    expect(result.host.filter((h) => h.text.startsWith('What if:')).map((h) => h.text)).to.deep.equal([
      'What if: Performing the operation "Rename to app_offline.htm.bak" on target "D:\\app\\ecommerce\\app_offline.htm (app-offline)".',
    ]);
    expect(result.prompt).to.deep.equal([]);
  });
});
