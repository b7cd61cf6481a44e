import { expect } from 'chai';
import path from 'node:path';
import { cscCandidates, FAILURE_ACTIONS, planServiceInstall, planServiceUninstall, quoteWindowsArg, serviceBinPath, SERVICE_HOST_SOURCE } from '../../../src/service/windows-service';
import { compileCSharp5, dotnetSdk } from '../../helpers/csharp';

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

describe('Windows service registration (pure command lines)', () => {
  it('quotes arguments so that Windows parses them back exactly', () => {
    for (const arg of ['C:\\Program Files\\Altazion\\altazion-update.exe', 'C:\\ProgramData\\CPoint\\[e]', 'C:\\ProgramData\\CPoint\\[e] - preprod\\', 'plain', '', 'say "hi"', 'trailing\\\\', 'a\\"b']) {
      expect(splitWindowsCommandLine(quoteWindowsArg(arg)), arg).to.deep.equal([arg]);
    }
    expect(quoteWindowsArg('plain')).to.equal('plain');
    expect(quoteWindowsArg('C:\\ProgramData\\CPoint\\[e] - preprod\\')).to.equal('"C:\\ProgramData\\CPoint\\[e] - preprod\\\\"');
  });

  it('registers the host with the updater and the root as its two arguments', () => {
    const bin = serviceBinPath('C:\\ProgramData\\CPoint\\[e]\\bin\\updates\\service\\AltazionUpdateService.exe', 'C:\\Program Files\\Altazion\\altazion-update.exe', 'C:\\ProgramData\\CPoint\\[e] - preprod');
    expect(splitWindowsCommandLine(bin)).to.deep.equal([
      'C:\\ProgramData\\CPoint\\[e]\\bin\\updates\\service\\AltazionUpdateService.exe',
      'C:\\Program Files\\Altazion\\altazion-update.exe',
      'C:\\ProgramData\\CPoint\\[e] - preprod',
    ]);
  });

  it('plans sc.exe create (delayed-auto), description, failure actions, failure flag and start', () => {
    const plan = planServiceInstall({ updaterExe: 'C:\\Tools\\altazion-update.exe', root: 'C:\\ProgramData\\CPoint\\[e]', updatesDir: 'C:\\ProgramData\\CPoint\\[e]\\bin\\updates', join: path.win32.join });
    expect(plan.hostExe).to.equal('C:\\ProgramData\\CPoint\\[e]\\bin\\updates\\service\\AltazionUpdateService.exe');
    const [create, description, failure, flag, start] = plan.sc;
    expect(create!.slice(0, 3)).to.deep.equal(['create', 'AltazionUpdate', 'binPath=']);
    expect(splitWindowsCommandLine(create![3]!)).to.deep.equal([plan.hostExe, 'C:\\Tools\\altazion-update.exe', 'C:\\ProgramData\\CPoint\\[e]']);
    expect(create!.slice(4)).to.deep.equal(['start=', 'delayed-auto', 'DisplayName=', 'Altazion - service de mise à jour']);
    expect(description!.slice(0, 2)).to.deep.equal(['description', 'AltazionUpdate']);
    expect(failure).to.deep.equal(['failure', 'AltazionUpdate', 'reset=', '86400', 'actions=', 'restart/60000/restart/60000/restart/300000']);
    expect(FAILURE_ACTIONS.split('/').filter((_, i) => i % 2 === 0)).to.deep.equal(['restart', 'restart', 'restart']);
    expect(flag).to.deep.equal(['failureflag', 'AltazionUpdate', '1']);
    expect(start).to.deep.equal(['start', 'AltazionUpdate']);
    expect(plan.compile).to.include('/reference:System.ServiceProcess.dll');
    expect(plan.compile).to.include(`/out:${plan.hostExe}`);
    expect(plan.compile[plan.compile.length - 1]).to.equal(plan.hostSource);
  });

  it('plans stop then delete for uninstall, and looks for the .NET 4 compiler (64-bit first)', () => {
    expect(planServiceUninstall()).to.deep.equal([['stop', 'AltazionUpdate'], ['delete', 'AltazionUpdate']]);
    expect(cscCandidates('C:\\Windows', path.win32.join)).to.deep.equal([
      'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe',
      'C:\\Windows\\Microsoft.NET\\Framework\\v4.0.30319\\csc.exe',
    ]);
  });

  it('the host source names our service and stops the updater through stdin', () => {
    expect(SERVICE_HOST_SOURCE).to.contain('ServiceName = "AltazionUpdate"');
    expect(SERVICE_HOST_SOURCE).to.contain('--stop-on-stdin-close');
    expect(SERVICE_HOST_SOURCE).to.contain('StandardInput.Close()');
    expect(SERVICE_HOST_SOURCE).to.contain('ServiceBase.Run');
  });
});

// The members of System.ServiceProcess.ServiceBase and EventLog (.NET Framework 4) the host uses,
// with the .NET Framework's signatures: the real assemblies are Windows-only.
const SERVICE_BASE_STUB = `namespace System.ServiceProcess {
  public class ServiceBase {
    public string ServiceName { get; set; }
    public bool CanStop { get; set; }
    public bool CanShutdown { get; set; }
    public bool AutoLog { get; set; }
    public System.Diagnostics.EventLog EventLog { get { return null; } }
    protected virtual void OnStart(string[] args) { }
    protected virtual void OnStop() { }
    protected virtual void OnShutdown() { }
    public void RequestAdditionalTime(int milliseconds) { }
    public static void Run(ServiceBase service) { }
  }
}
namespace System.Diagnostics {
  public enum EventLogEntryType { Error = 1, Warning = 2, Information = 4 }
  public class EventLog { public void WriteEntry(string message, EventLogEntryType type) { } }
}`;

describe('Windows service host source', () => {
  it('compiles as C# 5 (the .NET Framework 4 csc.exe) against the ServiceBase members it uses', function () {
    this.timeout(120_000);
    const sdk = dotnetSdk();
    if (!sdk) this.skip();
    const run = compileCSharp5(sdk!, 'exe', { 'host.cs': SERVICE_HOST_SOURCE, 'stub.cs': SERVICE_BASE_STUB });
    expect(run.status, run.output).to.equal(0);
  });
});
