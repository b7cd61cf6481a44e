// Output records of the NDJSON protocol (SPEC §5). PascalCase on purpose: PowerShell turns them
// into objects as they are. Worded fields (Detail, Message, Action) may carry their message id and
// parameters beside them (`DetailId`, `DetailParams`, ...): the portal words them in French.
import type { MessageParams } from './messages';

export type UpdateStatus = 'UpToDate' | 'UpdateAvailable' | 'ManualActionRequired' | 'NotInstalled' | 'Unknown';

export interface UpdateRecord {
  Name: string;
  Instance: string;
  Kind: string;
  Path: string;
  InstalledVersion: string;
  AvailableVersion: string | null;
  UpdateAvailable: boolean;
  Downloaded: boolean;
  PublishedAt: string | null;
  Status: UpdateStatus;
  Detail: string;
  /** Detail as a message id with its parameters (src/core/messages.ts), when it is one of ours. */
  DetailId?: string;
  DetailParams?: MessageParams;
  ComputerName: string;
}

export type InstallResultKind = 'Installed' | 'UpToDate' | 'ManualActionRequired' | 'Failed' | 'RolledBack' | 'WhatIf';

export interface InstallResultRecord {
  Name: string;
  Instance: string;
  FromVersion: string;
  ToVersion: string;
  Result: InstallResultKind;
  StartedAt: string;
  DurationSeconds: number;
  DowntimeSeconds: number;
  BackupPath: string | null;
  LogPath: string | null;
  Message: string;
  MessageId?: string;
  MessageParams?: MessageParams;
  PendingScripts: string[];
}

export type RepairStatus = 'Ok' | 'Fixed' | 'WouldFix' | 'Warning' | 'Failed' | 'Skipped';

export interface RepairResultRecord {
  Check: string;
  Target: string;
  Status: RepairStatus;
  Detail: string;
  DetailId?: string;
  DetailParams?: MessageParams;
  Action: string;
  ActionId?: string;
  ActionParams?: MessageParams;
}

export type ScriptStatus = 'Pending' | 'Applied' | 'AppliedManually' | 'Failed';

export interface DatabaseScriptRecord {
  Id: string;
  Version: string;
  Number: number;
  Name: string;
  Status: ScriptStatus;
  TouchesCustomizedObjects: boolean;
  Objects: string[];
  Sha256: string;
}

/** `portal open`: a one-time link that signs a browser in to the portal as an administrator. */
export interface PortalSignInRecord {
  Url: string;
  ExpiresAt: string;
  User: string;
  Portal: string;
  Opened: boolean;
}

/**
 * The instance root a record belongs to, added where records leave the CLI (`get`, `install`,
 * `repair`): piped from one cmdlet to the next, it keeps the pipeline on the same instance.
 */
export interface RootedRecord { Root: string }

/** An install scheduled for a maintenance window (`install --at`, `Install-AltazionUpdate -At`, the portal). */
export interface ScheduledInstallRecord {
  Id: string;
  /** Module keys; empty: every module with an update. */
  Names: string[];
  /** Instance name; null: every instance. */
  Instance: string | null;
  Version: string | null;
  Force: boolean;
  /** When to start (ISO, UTC). */
  At: string;
  /** The latest start; past it the install is not run (reported as missed). */
  NotAfter: string;
  RequestedBy: string;
  User: string;
  CreatedAt: string;
  State: 'Pending' | 'Running';
}

export const RecordType = {
  Update: 'Altazion.Update',
  InstallResult: 'Altazion.InstallResult',
  RepairResult: 'Altazion.RepairResult',
  DatabaseScript: 'Altazion.DatabaseScript',
  ScheduledInstall: 'Altazion.ScheduledInstall',
  PortalSignIn: 'Altazion.PortalSignIn',
} as const;
export type RecordTypeName = (typeof RecordType)[keyof typeof RecordType] | `Altazion.${string}`;
