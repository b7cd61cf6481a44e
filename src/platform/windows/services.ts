// Windows services through the service control manager's command line, sc.exe (documented on
// Microsoft Learn; output parsed in sc-parse.ts). Kept small: list, query, stop, start, start mode.
import { AltazionError } from '../../core/errors';
import type { ServiceControl, ServiceInfo, StartMode } from '../types';
import { runTool, type ToolResult } from './exec';
import { parseQc, parseQuery, scArgs, scPath, SC_ALREADY_RUNNING, SC_DOES_NOT_EXIST, SC_NOT_STARTED } from './sc-parse';

export class WindowsServices implements ServiceControl {
  private readonly sc: string;

  constructor(env: NodeJS.ProcessEnv, private readonly run: (file: string, args: readonly string[]) => Promise<ToolResult> = runTool) {
    this.sc = scPath(env);
  }

  private async call(args: string[], okCodes: number[] = []): Promise<ToolResult> {
    const result = await this.run(this.sc, args);
    if (result.code !== 0 && !okCodes.includes(result.code)) {
      const text = (result.stdout + result.stderr).replace(/\s+/g, ' ').trim();
      throw new AltazionError('E_PLATFORM', `sc.exe ${args.join(' ')} failed (error ${result.code}): ${text}`, { target: args[1] });
    }
    return result;
  }

  private async info(name: string, state: ServiceInfo['state'], displayName?: string): Promise<ServiceInfo | undefined> {
    const qc = await this.call(scArgs.config(name), [SC_DOES_NOT_EXIST]);
    if (qc.code === SC_DOES_NOT_EXIST) return undefined;
    const config = parseQc(qc.stdout);
    if (!config) throw new AltazionError('E_PLATFORM', `sc.exe qc ${name}: unexpected output`, { target: name });
    return { name: config.name || name, displayName: config.displayName || displayName || name, state, startMode: config.startMode, binaryPath: config.binaryPath, account: config.account };
  }

  async list(): Promise<ServiceInfo[]> {
    const entries = parseQuery((await this.call(scArgs.queryAll())).stdout);
    const out: ServiceInfo[] = [];
    // One `sc qc` per service; a few at a time.
    for (let i = 0; i < entries.length; i += 8) {
      const batch = await Promise.all(entries.slice(i, i + 8).map((e) => this.info(e.name, e.state, e.displayName)));
      for (const s of batch) if (s) out.push(s);
    }
    return out;
  }

  async get(name: string): Promise<ServiceInfo | undefined> {
    const query = await this.call(scArgs.query(name), [SC_DOES_NOT_EXIST]);
    if (query.code === SC_DOES_NOT_EXIST) return undefined;
    const entry = parseQuery(query.stdout)[0];
    return entry ? this.info(entry.name, entry.state, entry.displayName) : undefined;
  }

  async stop(name: string): Promise<void> {
    await this.call(scArgs.stop(name), [SC_NOT_STARTED]);
  }

  async start(name: string): Promise<void> {
    await this.call(scArgs.start(name), [SC_ALREADY_RUNNING]);
  }

  async setStartMode(name: string, mode: StartMode): Promise<void> {
    await this.call(scArgs.setStartMode(name, mode));
  }
}
