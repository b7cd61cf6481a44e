import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_IDS, EVENT_SOURCE, SERVICE_HOST_EVENT_IDS } from '../../../src/core/events';
import { distDir, repoRoot } from '../../helpers/pwsh';
import { installFolder, INSTALLED_FILES, INSTALLED_IF_PRESENT, planServiceInstall, quoteWindowsArg, RESTART_DELAYS_MS, serviceBinPath } from '../../../src/service/windows-service';

/** CommandLineToArgvW rules (the documented algorithm), to check our quoting round-trips. */
function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\') {
        let n = 0;
        while (line[i] === '\\') { n++; i++; }
        if (line[i] === '"') { arg += '\\'.repeat(Math.floor(n / 2)); if (n % 2) { arg += '"'; continue; } i--; continue; }
        arg += '\\'.repeat(n); i--; continue;
      }
      if (c === '"') { quoted = !quoted; continue; }
      if (!quoted && (c === ' ' || c === '\t')) break;
      arg += c;
    }
    args.push(arg);
  }
  return args;
}

describe('Windows service registration (pure plan)', () => {
  it('quotes arguments so that Windows parses them back exactly', () => {
    for (const arg of ['C:\\Program Files\\Altazion\\Update\\node.exe', 'C:\\ProgramData\\CPoint\\[e]', 'C:\\ProgramData\\CPoint\\[e] - preprod\\', 'plain', '', 'say "hi"', 'trailing\\\\', 'a\\"b']) {
      expect(splitWindowsCommandLine(quoteWindowsArg(arg)), arg).to.deep.equal([arg]);
    }
    expect(quoteWindowsArg('plain')).to.equal('plain');
    expect(quoteWindowsArg('C:\\ProgramData\\CPoint\\[e] - preprod\\')).to.equal('"C:\\ProgramData\\CPoint\\[e] - preprod\\\\"');
  });

  it('installs under %ProgramFiles%\\Altazion\\Update (made admin-only first: rights.restrictToAdministrators), then the files, the event source, the service', () => {
    const folder = installFolder({ ProgramFiles: 'C:\\Program Files' }, path.win32.join);
    expect(folder).to.equal('C:\\Program Files\\Altazion\\Update');
    const plan = planServiceInstall({ shippedFolder: 'C:\\Program Files\\WindowsPowerShell\\Modules\\Altazion.Update\\bin', folder, root: 'C:\\ProgramData\\CPoint\\[e] - preprod', join: path.win32.join });
    expect(plan.eventSource).to.deep.equal({ op: 'eventlog.register', source: 'Altazion Update' });
    expect(plan.copy.map((c) => path.win32.basename(c.to))).to.deep.equal([...INSTALLED_FILES, ...INSTALLED_IF_PRESENT]);
    // The Integrated Security driver an administrator installed beside node.exe reaches the service too.
    expect(INSTALLED_IF_PRESENT).to.deep.equal(['node_modules']);
    expect(plan.copy.every((c) => c.to.startsWith(folder + '\\') && c.from.startsWith('C:\\Program Files\\WindowsPowerShell\\'))).to.equal(true);
    expect(INSTALLED_FILES).to.include.members(['node.exe', 'altazion-update.cjs', 'altazion-update-main.cjs', 'AltazionBridge.dll', 'AltazionUpdateService.exe', 'edge-js']);
    expect(plan.create).to.include({ op: 'services.create', name: 'AltazionUpdate', displayName: 'Altazion - service de mise à jour', startMode: 'AutomaticDelayed', resetSeconds: 86400, failureFlag: true });
    expect(plan.create.restartDelaysMs).to.deep.equal([60000, 60000, 300000]);
    expect(RESTART_DELAYS_MS).to.have.length(3);
    expect(splitWindowsCommandLine(plan.create.binaryPath)).to.deep.equal([`${folder}\\AltazionUpdateService.exe`, 'C:\\ProgramData\\CPoint\\[e] - preprod']);
    expect(serviceBinPath('C:\\x y\\h.exe', 'C:\\r')).to.equal('"C:\\x y\\h.exe" C:\\r');
  });

  it('the host runs node.exe with the bundle from its own folder and stops the updater through stdin, waiting for it', () => {
    const source = readFileSync(path.join(repoRoot, 'src', 'service', 'host', 'AltazionUpdateService.cs'), 'utf8');
    expect(source).to.contain('public const string Name = "AltazionUpdate"');
    expect(source).to.contain('Path.Combine(folder, "node.exe")').and.contain('"altazion-update.cjs"').and.contain('--stop-on-stdin-close');
    expect(source).to.contain('StandardInput.Close()').and.contain('RequestAdditionalTime').and.contain('Environment.Exit(1)');
    expect(source).to.not.match(/csc\.exe|CSharpCodeProvider|CompileAssembly/);
  });

  it('service install copies every file of the shipped Windows folder (dist/windows: a lazily loaded package forgotten here is missing in the service)', function () {
    const shipped = path.join(distDir, 'windows');
    if (!existsSync(shipped)) this.skip();
    expect([...INSTALLED_FILES].sort()).to.deep.equal(readdirSync(shipped).sort());
  });

  it('the host writes the Event Log under the source and with the ids of src/core/events.ts', () => {
    const source = readFileSync(path.join(repoRoot, 'src', 'service', 'host', 'AltazionUpdateService.cs'), 'utf8');
    expect(source).to.contain(`public const string EventSource = "${EVENT_SOURCE}"`);
    const constant = (name: string) => Number(new RegExp(`const int ${name} = (\\d+);`).exec(source)?.[1]);
    expect([constant('UpdaterStartedEventId'), constant('UpdaterExitedEventId'), constant('UpdaterKilledEventId')])
      .to.deep.equal([SERVICE_HOST_EVENT_IDS.updaterStarted.id, SERVICE_HOST_EVENT_IDS.updaterExited.id, SERVICE_HOST_EVENT_IDS.updaterKilled.id]);
    expect((source.match(/EventLog\.WriteEntry\(EventSource, message, type, eventId\)/g) ?? []).length).to.equal(1);
    expect((source.match(/\bLog\(/g) ?? []).length, 'every Log call passes an id').to.equal((source.match(/EventId\);/g) ?? []).length + 1);
    // The host's ids never collide with those the updater writes.
    const ours = new Set<number>(Object.values(EVENT_IDS).map((e) => e.id));
    expect(Object.values(SERVICE_HOST_EVENT_IDS).filter((e) => ours.has(e.id))).to.deep.equal([]);
  });
});
