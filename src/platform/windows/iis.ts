// IIS on Windows: Microsoft.Web.Administration (ServerManager) through edge-js, loaded at run time
// from the edge-js folder the build ships beside the executable; appcmd.exe when edge-js cannot
// load or run (no .NET Framework, missing native files). Both written against Microsoft's docs.
import { createRequire } from 'node:module';
import path from 'node:path';
import { AltazionError } from '../../core/errors';
import type { AppPool, IisApplication, IisControl } from '../types';
import { appcmdArgs, appcmdPath, parseApplications, parseAppPools, parsePoolState, poolIdentity, urlFromBindings } from './appcmd-parse';
import { runTool, type ToolResult } from './exec';

/** C# run by edge-js: one entry point, `op` selects the operation (ServerManager API). */
export const SERVER_MANAGER_SOURCE = `
using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Web.Administration;

public class Startup
{
    public async Task<object> Invoke(IDictionary<string, object> input)
    {
        string op = (string)input["op"];
        string name = input.ContainsKey("name") ? (string)input["name"] : null;
        using (var manager = new ServerManager())
        {
            if (op == "apps")
            {
                var list = new List<object>();
                foreach (var site in manager.Sites)
                {
                    var bindings = new List<string>();
                    foreach (var b in site.Bindings) bindings.Add(b.Protocol + "/" + b.BindingInformation);
                    foreach (var app in site.Applications)
                    {
                        var root = app.VirtualDirectories["/"];
                        list.Add(new Dictionary<string, object> {
                            { "site", site.Name }, { "virtualPath", app.Path },
                            { "physicalPath", root == null ? "" : Environment.ExpandEnvironmentVariables(root.PhysicalPath) },
                            { "appPool", app.ApplicationPoolName }, { "bindings", string.Join(",", bindings) } });
                    }
                }
                return list.ToArray();
            }
            if (op == "pools")
            {
                var list = new List<object>();
                foreach (var pool in manager.ApplicationPools)
                {
                    string state;
                    try { state = pool.State.ToString(); } catch (Exception) { state = "Unknown"; }
                    list.Add(new Dictionary<string, object> {
                        { "name", pool.Name }, { "state", state },
                        { "identityType", pool.ProcessModel.IdentityType.ToString() }, { "userName", pool.ProcessModel.UserName } });
                }
                return list.ToArray();
            }
            var target = manager.ApplicationPools[name];
            if (target == null) throw new ArgumentException("application pool '" + name + "' does not exist");
            if (op == "stop") { if (target.State != ObjectState.Stopped && target.State != ObjectState.Stopping) target.Stop(); return "ok"; }
            if (op == "start") { if (target.State != ObjectState.Started && target.State != ObjectState.Starting) target.Start(); return "ok"; }
            throw new ArgumentException("unknown operation " + op);
        }
    }
}
`;

type EdgeCall = (input: Record<string, string>) => Promise<unknown>;

/** Loads edge-js from `<folder of the executable>/edge-js` and compiles the ServerManager code. */
export function loadServerManager(execPath: string, env: NodeJS.ProcessEnv): EdgeCall {
  const folder = path.join(path.dirname(execPath), 'edge-js');
  const requireBeside = createRequire(path.join(folder, 'package.json'));
  const edge = requireBeside(folder) as { func(options: { source: string; references: string[] }): (input: unknown, callback: (error: Error | null, result: unknown) => void) => void };
  const windir = env.windir ?? env.WINDIR ?? 'C:\\Windows';
  const func = edge.func({ source: SERVER_MANAGER_SOURCE, references: [`${windir}\\system32\\inetsrv\\Microsoft.Web.Administration.dll`] });
  return (input) => new Promise((resolve, reject) => func(input, (error, result) => (error ? reject(error) : resolve(result))));
}

interface EdgeApp { site: string; virtualPath: string; physicalPath: string; appPool: string; bindings: string }
interface EdgePool { name: string; state: string; identityType: string; userName: string }

export class WindowsIis implements IisControl {
  private edge: EdgeCall | undefined;
  /** Why edge-js is not used (diagnostics), once it failed. */
  edgeProblem: string | undefined;
  private readonly appcmd: string;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly run: (file: string, args: readonly string[]) => Promise<ToolResult> = runTool,
    private readonly execPath: string = process.execPath,
    private readonly load: typeof loadServerManager = loadServerManager,
  ) {
    this.appcmd = appcmdPath(env);
  }

  /** The edge-js path, or undefined (then appcmd) when it cannot load or its first call fails. */
  private async viaEdge<T>(input: Record<string, string>): Promise<T | undefined> {
    if (this.edgeProblem) return undefined;
    try {
      this.edge ??= this.load(this.execPath, this.env);
      return (await this.edge(input)) as T;
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      // An operation that reached IIS and failed there is a real failure, not a reason to switch.
      if (this.edge && /does not exist|0x800710D8|0x80070005|access/i.test(message) && input.op !== 'apps' && input.op !== 'pools') {
        throw new AltazionError('E_PLATFORM', `IIS ${input.op} ${input.name ?? ''}: ${message}`, { target: input.name });
      }
      this.edgeProblem = message;
      this.edge = undefined;
      return undefined;
    }
  }

  private async appcmdCall(args: string[]): Promise<string> {
    const result = await this.run(this.appcmd, args);
    if (result.code !== 0) {
      throw new AltazionError('E_PLATFORM', `appcmd ${args.join(' ')} failed (exit ${result.code}): ${(result.stdout + result.stderr).replace(/\s+/g, ' ').trim()}`, { target: this.appcmd });
    }
    return result.stdout;
  }

  async listApplications(): Promise<IisApplication[]> {
    const apps = await this.viaEdge<EdgeApp[]>({ op: 'apps' });
    if (apps) {
      return apps.map((a) => {
        const url = urlFromBindings(a.bindings, a.virtualPath);
        return { site: a.site, virtualPath: a.virtualPath, physicalPath: a.physicalPath, appPool: a.appPool, ...(url ? { url } : {}) };
      });
    }
    const [appsXml, vdirsXml, sitesXml] = [await this.appcmdCall(appcmdArgs.listApps()), await this.appcmdCall(appcmdArgs.listVdirs()), await this.appcmdCall(appcmdArgs.listSites())];
    return parseApplications(appsXml, vdirsXml, sitesXml, this.env);
  }

  async listPools(): Promise<AppPool[]> {
    const pools = await this.viaEdge<EdgePool[]>({ op: 'pools' });
    if (pools) return pools.map((p) => ({ name: p.name, state: parsePoolState(p.state), identity: poolIdentity(p.name, p.identityType, p.userName) }));
    return parseAppPools(await this.appcmdCall(appcmdArgs.listPools()));
  }

  async getPool(name: string): Promise<AppPool | undefined> {
    return (await this.listPools()).find((p) => p.name.toLowerCase() === name.toLowerCase());
  }

  async stopPool(name: string): Promise<void> {
    if ((await this.viaEdge({ op: 'stop', name })) === 'ok') return;
    try {
      await this.appcmdCall(appcmdArgs.stopPool(name));
    } catch (error) {
      // appcmd refuses to stop a pool that is already stopped: that is the state we want.
      if ((await this.getPool(name))?.state !== 'Stopped') throw error;
    }
  }

  async startPool(name: string): Promise<void> {
    if ((await this.viaEdge({ op: 'start', name })) === 'ok') return;
    try {
      await this.appcmdCall(appcmdArgs.startPool(name));
    } catch (error) {
      if ((await this.getPool(name))?.state !== 'Started') throw error;
    }
  }
}
