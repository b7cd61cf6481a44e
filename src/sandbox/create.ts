// `sandbox create`: a complete fake server (SPEC §3, §10) that every test, the README and the
// demo use. Layout, all under one folder:
//   <root>/bin/config/{applicationspath,cpointsoftware}.config             the instance root (module identities may write applicationspath.config)
//   <root>/bin/updates/updater.config                                      our settings (Administrators and SYSTEM only)
//   <root>/../apps/<module>/                                               installed modules (old version)
//   <root>/../host/state.json                                              the simulated Windows host
//   <root>/../publisher/signing-key.json                                   the publisher's private key
//   <feed>/                                                                a signed feed with newer versions
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildXml } from '../config/xml';
import { instanceLayout } from '../config/paths';
import { AltazionError } from '../core/errors';
import { canonicalModuleName } from '../core/modules';
import { UPDATER_SERVICE } from '../core/product';
import { MANIFEST_FILE, type PackageManifest } from '../core/package-manifest';
import { buildDatabasePackageFiles, createSandboxDatabase } from './database/fixtures';
import { generateSigningKey } from '../feed/keys';
import { buildPackageZip, publishFeed } from '../feed/publish';
import { SANDBOX_POWERSHELL } from '../install/hooks';
import { SandboxRights } from '../platform/sandbox/rights';
import { emptySandboxState, writeSandboxState, type SandboxState } from '../platform/sandbox/state';
import { secureUpdaterFiles, trustedPaths } from '../security/trusted-paths';
import { customerConfig, DEFAULT_SANDBOX_MODULES, moduleFiles, SANDBOX_MODULES, SANDBOX_NEW_VERSION, SANDBOX_OLD_VERSION, type SandboxModuleSpec } from './modules';

export interface SandboxOptions {
  root: string;
  feed: string;
  modules?: readonly string[];
  oldVersion?: string;
  newVersion?: string;
  /** Standard database objects to alter so the customised-database flow can be shown. */
  customize?: readonly string[];
  now?: Date;
  /** argv that runs this tool: the sandbox's update service then really runs `service run` (the portal) when started. */
  updaterCommand?: readonly string[];
}

export interface SandboxInfo {
  Root: string;
  Feed: string;
  Apps: string;
  HostState: string;
  SigningKey: string;
  PublicKeyId: string;
  /** bin/updates/updater.config: the settings (feed, trusted keys, host). */
  UpdaterConfig: string;
  Modules: string[];
  InstalledVersion: string;
  AvailableVersion: string;
  Next: string[];
}

async function writeTree(folder: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(folder, relative);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

function manifestFor(spec: SandboxModuleSpec, version: string): PackageManifest {
  return { schemaVersion: 1, module: spec.key, version, kind: spec.kind };
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  const entries = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => {
    // A file where a folder is wanted is refused before anything is made.
    if (error.code !== 'ENOTDIR') return undefined;
    throw new AltazionError('E_USAGE', `${dir} is not a folder: a sandbox is created in new folders`, { target: dir });
  });
  return entries === undefined || entries.length === 0;
}

export async function createSandbox(options: SandboxOptions): Promise<SandboxInfo> {
  const root = path.resolve(options.root);
  const feed = path.resolve(options.feed);
  const base = path.dirname(root);
  const apps = path.join(base, 'apps');
  const hostState = path.join(base, 'host', 'state.json');
  const keyFile = path.join(base, 'publisher', 'signing-key.json');
  const oldVersion = options.oldVersion ?? SANDBOX_OLD_VERSION;
  const newVersion = options.newVersion ?? SANDBOX_NEW_VERSION;
  const now = options.now ?? new Date();

  const wanted = (options.modules?.length ? options.modules : DEFAULT_SANDBOX_MODULES).map(canonicalModuleName);
  for (const name of wanted) {
    if (!SANDBOX_MODULES.some((m) => m.key === name)) {
      throw new AltazionError('E_USAGE', `--modules: "${name}" is not a sandbox module (${SANDBOX_MODULES.map((m) => m.key).join(', ')})`, { target: name });
    }
  }
  for (const dir of [root, feed, apps]) {
    if (!(await isEmptyOrMissing(dir))) {
      throw new AltazionError('E_USAGE', `${dir} is not empty: a sandbox is created in new folders`, { target: dir });
    }
  }
  const specs = SANDBOX_MODULES.filter((m) => wanted.includes(m.key));
  const layout = instanceLayout(root);

  // The database first: it checks --customize before anything else is written.
  // A catalog and a journal at the old version (customised on request).
  const database = specs.some((s) => s.kind === 'database')
    ? await createSandboxDatabase(path.join(base, 'host'), { version: oldVersion, customize: options.customize })
    : undefined;

  // The publisher: a key, packages of the new version, a signed feed.
  const key = generateSigningKey('sandbox-publisher');
  await fs.mkdir(path.dirname(keyFile), { recursive: true });
  await fs.writeFile(keyFile, key.keyFileText, { mode: 0o600 });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-sandbox-'));
  try {
    const packagesDir = path.join(work, 'packages');
    await fs.mkdir(packagesDir, { recursive: true });
    for (const spec of specs) {
      const folder = path.join(work, 'build', spec.key);
      // The database package (scripts, baselines) comes from the database module's fixtures.
      const files = spec.kind === 'database'
        ? buildDatabasePackageFiles(newVersion, { previousVersions: [oldVersion] })
        : { ...moduleFiles(spec, newVersion), [MANIFEST_FILE]: JSON.stringify(manifestFor(spec, newVersion), null, 2) };
      await writeTree(folder, files);
      await buildPackageZip(folder, path.join(packagesDir, `${spec.key}-${newVersion}.zip`));
    }
    await publishFeed({ packagesDir, key, outDir: feed, expiresInDays: 30, now });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }

  // The server: installed modules at the old version, with the customer's e.config.
  const state: SandboxState = emptySandboxState();
  const identities: string[] = [];
  for (const spec of specs) {
    const folder = path.join(apps, spec.folder);
    await fs.mkdir(folder, { recursive: true });
    if (spec.kind === 'database') {
      // The installed database package (scripts, baselines, manifest), as an install leaves it.
      await writeTree(folder, buildDatabasePackageFiles(oldVersion));
    } else {
      await writeTree(folder, { ...moduleFiles(spec, oldVersion), 'e.config': customerConfig(spec) });
      await fs.writeFile(path.join(folder, MANIFEST_FILE), JSON.stringify(manifestFor(spec, oldVersion), null, 2));
    }
    if (spec.pool) {
      const identity = `IIS AppPool\\${spec.pool}`;
      state.pools.push({ name: spec.pool, state: 'Started', identity, workerPids: [] });
      state.applications.push({ site: 'Default Web Site', virtualPath: spec.virtualPath ?? `/${spec.folder}`, physicalPath: folder, appPool: spec.pool });
      identities.push(identity);
    }
    if (spec.service) {
      const account = 'NT AUTHORITY\\NetworkService';
      state.services.push({ name: spec.service.name, displayName: spec.service.displayName, state: 'Running', startMode: 'Automatic', binaryPath: `"${path.join(folder, spec.service.exe)}"`, account });
      identities.push(account);
    }
  }
  // The main service and our update service, as on a real server.
  state.services.push({ name: 'altazionkoostodes', displayName: 'Altazion - service principal', state: 'Running', startMode: 'AutomaticDelayed', binaryPath: `"${path.join(base, 'altazion', 'Altazion.Koostodes.exe')}"`, account: 'LocalSystem' });
  state.services.push({ name: UPDATER_SERVICE.name, displayName: UPDATER_SERVICE.displayName, state: 'Running', startMode: 'AutomaticDelayed', binaryPath: `"${path.join(base, 'updater', 'altazion-update.exe')}" service run --root "${root}"`, account: 'LocalSystem',
    ...(options.updaterCommand?.length ? { run: [...options.updaterCommand, 'service', 'run', '--root', root] } : {}) });
  // Module identities may write what they write themselves: their entries in applicationspath.config.
  state.rights[layout.applicationsConfig] = [...identities, 'BUILTIN\\Administrators'];
  // The real accounts this host counts as administrators: root (SYSTEM) and whoever made it.
  state.administrators = { uids: [...new Set([0, process.getuid?.() ?? 0])], gids: [...new Set([0, process.getgid?.() ?? 0])] };
  await writeSandboxState(hostState, state);

  await fs.mkdir(layout.config, { recursive: true });
  await fs.mkdir(layout.scripts, { recursive: true });
  await fs.mkdir(layout.portalPrivate, { recursive: true });
  await fs.writeFile(layout.applicationsConfig, buildXml({
    applications: { application: specs.map((spec) => ({ '@_name': spec.key, '@_path': path.join(apps, spec.folder) + path.sep })) },
  }));
  await fs.writeFile(layout.connectionsConfig, buildXml({
    configuration: { connections: { connection: [
      { '@_name': 'Equihira', '@_default': 'true', '@_connectionString': database?.connectionString ?? 'Data Source=(local);Initial Catalog=Equihira;Integrated Security=SSPI' },
    ] } },
  }));
  await fs.writeFile(layout.updaterConfig, buildXml({
    updater: {
      feed: { '@_location': feed },
      trustedKey: { '@_id': key.keyId, '@_publicKey': key.publicKey },
      check: { '@_intervalMinutes': '240' },
      portal: { '@_port': '8080' },
      host: { '@_kind': 'sandbox', '@_state': hostState },
      install: { '@_keepBackups': '3', '@_lockWaitSeconds': '20', preserve: { '@_pattern': 'e.config' } },
    },
  }));
  // As `service install` leaves a server: what the SYSTEM service runs or trusts is admin-only.
  await secureUpdaterFiles(trustedPaths({ layout, pathApi: path, interpreter: SANDBOX_POWERSHELL }), new SandboxRights(hostState));

  const cli = options.updaterCommand?.length ? options.updaterCommand.map((p) => (/\s/.test(p) ? `"${p}"` : p)).join(' ') : 'altazion-update';
  return {
    Root: root,
    Feed: feed,
    Apps: apps,
    HostState: hostState,
    SigningKey: keyFile,
    PublicKeyId: key.keyId,
    UpdaterConfig: layout.updaterConfig,
    Modules: specs.map((s) => s.key),
    InstalledVersion: oldVersion,
    AvailableVersion: newVersion,
    Next: [
      `${cli} get --root "${root}"`,
      `${cli} check --root "${root}"`,
      `${cli} install --root "${root}" --name ecommerce`,
      `${cli} repair --root "${root}" --dry-run`,
    ],
  };
}
