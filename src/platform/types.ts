// The Windows-specific operations the updater needs, as small interfaces (SPEC §10). Two
// implementations: `windows` (one C# bridge: Microsoft.Web.Administration, the service control
// manager, the Restart Manager, ACLs by SID, hosted by edge-js or Windows PowerShell 5.1) and
// `sandbox` (a state file inside the sandbox; file holders are real processes). Everything above
// this layer is platform-neutral.

export type PoolState = 'Started' | 'Starting' | 'Stopped' | 'Stopping' | 'Unknown';

export interface AppPool {
  name: string;
  state: PoolState;
  /** Identity the pool runs as, e.g. `IIS AppPool\gestcom` (ApplicationPoolIdentity) or `DOMAIN\svc`. */
  identity: string;
}

export interface IisApplication {
  site: string;
  /** Virtual path inside the site, e.g. `/` or `/gestcom`. */
  virtualPath: string;
  physicalPath: string;
  appPool: string;
  /** A URL that answers when the application is up (from the site bindings), when known. */
  url?: string;
}

export interface IisControl {
  /** Whether IIS is installed (the W3SVC service exists). Without it there are no applications nor pools. */
  installed(): Promise<boolean>;
  listApplications(): Promise<IisApplication[]>;
  listPools(): Promise<AppPool[]>;
  getPool(name: string): Promise<AppPool | undefined>;
  /** Asks the pool to stop; does not wait. */
  stopPool(name: string): Promise<void>;
  startPool(name: string): Promise<void>;
}

export type ServiceState = 'Running' | 'Stopped' | 'StartPending' | 'StopPending' | 'Paused' | 'Unknown';
export type StartMode = 'Automatic' | 'AutomaticDelayed' | 'Manual' | 'Disabled';

export interface ServiceInfo {
  name: string;
  displayName: string;
  state: ServiceState;
  startMode: StartMode;
  /** Full command line of the service binary (may be quoted, may carry arguments). */
  binaryPath: string;
  /** Account the service runs as, e.g. `LocalSystem`, `NT AUTHORITY\NetworkService`, `DOMAIN\svc`. */
  account: string;
}

export interface ServiceControl {
  list(): Promise<ServiceInfo[]>;
  get(name: string): Promise<ServiceInfo | undefined>;
  /** Asks the service to stop; does not wait. */
  stop(name: string): Promise<void>;
  start(name: string): Promise<void>;
  setStartMode(name: string, mode: StartMode): Promise<void>;
}

export interface LockHolder {
  pid: number;
  /** Executable name, e.g. `w3wp.exe`, `explorer.exe`. */
  image: string;
  user: string;
  /** One of the files (or folders) it holds. */
  path: string;
}

export interface LockInspector {
  /** Processes holding files or folders at or below any of the given paths. */
  holders(paths: readonly string[]): Promise<LockHolder[]>;
}

export interface Principal {
  /** The security identifier, e.g. `S-1-5-18` (what every decision is made on). The sandbox's are `uid:1000`, `gid:100`, `other` and the simulated identities' names. */
  sid: string;
  /** The account name as Windows shows it (localised: `AUTORITE NT\Système`), when it resolves. For messages only, never compared. */
  name?: string;
}

/** Who, besides Administrators and SYSTEM, can change or read a path. */
export interface OthersAccess {
  /**
   * Can change it: write or delete the file, create or remove entries in the folder, change its
   * ACL or owner. An owner who is not an administrator counts (an owner can always rewrite the ACL).
   */
  write: Principal[];
  /** Can read the file or list the folder. */
  read: Principal[];
}

export interface AclEntry extends Principal {
  allow: boolean;
  /** The access mask (FileSystemRights). */
  rights: number;
  inherited: boolean;
  containerInherit: boolean;
  objectInherit: boolean;
  /** Applies to children only, not to the folder itself. */
  inheritOnly: boolean;
}

export interface AclInfo {
  path: string;
  owner?: Principal;
  /** Inheritance from the parent is disabled. */
  protected: boolean;
  entries: AclEntry[];
  /** Who can write the path itself: SIDs with an allow entry carrying a write right, not denied it. */
  writers: Principal[];
}

export interface FolderRights {
  /** Whether the identity can create and modify files in the folder (or modify the file). */
  canWrite(identity: string, folder: string): Promise<boolean>;
  /** Grants Modify on a folder (inherited by files and subfolders) or on one file. */
  grantModify(identity: string, folder: string): Promise<void>;
  /** Owner, entries and writers of a folder or file. */
  readAcl(path: string): Promise<AclInfo>;
  /** Who else than Administrators and SYSTEM can change or read the file or folder (SPEC §12). */
  othersAccess(path: string): Promise<OthersAccess>;
  /**
   * Makes a file or folder, and everything below it, writable by Administrators and SYSTEM only:
   * owner Administrators, explicit entries for both, nothing inherited from the parent. With
   * `othersMayRead`, local users keep read (and, for folders, list) access; without, nobody else
   * can read it either (the portal's sign-in secret). Never grants read to anyone: what was
   * private below the path stays private.
   */
  restrictToAdministrators(path: string, options: { othersMayRead: boolean }): Promise<void>;
}

export interface FileSystemOps {
  /**
   * Renames a file or folder. Fails with an error whose `code` is EBUSY/EPERM/EACCES when a
   * process holds something inside it (as Windows does; the sandbox simulates it from real holders).
   */
  rename(from: string, to: string): Promise<void>;
  /** Free bytes on the volume holding `path`. */
  freeBytes(path: string): Promise<number>;
}

export type EventLevel = 'Information' | 'Warning' | 'Error';

/** One entry of the Windows Application log, source "Altazion Update" (ids and levels: src/core/events.ts). */
export interface EventLogEntry {
  id: number;
  level: EventLevel;
  message: string;
}

/**
 * The Event Log, one seam for every writer (install, check, repair, the service, `service install`):
 * on Windows the bridge's `eventlog.write` (the source is registered by `service install`), in the
 * sandbox one JSON line per entry in host/eventlog.jsonl. A failed write throws; callers report it
 * and go on (src/events/index.ts).
 */
export interface EventLog {
  write(entry: EventLogEntry): Promise<void>;
}

export interface HostFacts {
  /** The process runs with an administrator's rights (elevated, or SYSTEM). */
  elevated: boolean;
  /** The code page console programs started by the updater write in (850 on French servers; 65001 = UTF-8). */
  oemCodePage: number;
}

export interface Platform {
  readonly kind: 'windows' | 'sandbox';
  /** Facts about the host, asked once. */
  host(): Promise<HostFacts>;
  /** Decodes what a console program (a hook script's PowerShell) printed. */
  decodeConsole(bytes: Buffer): Promise<string>;
  /** The Event Log (see EventLog). */
  readonly events: EventLog;
  readonly computerName: string;
  readonly iis: IisControl;
  readonly services: ServiceControl;
  readonly locks: LockInspector;
  readonly rights: FolderRights;
  readonly fs: FileSystemOps;
}
