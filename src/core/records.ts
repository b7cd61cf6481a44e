// Output records of the NDJSON protocol (SPEC §5). PascalCase on purpose: PowerShell turns them
// into objects as they are.

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
  PendingScripts: string[];
}

export type RepairStatus = 'Ok' | 'Fixed' | 'WouldFix' | 'Warning' | 'Failed' | 'Skipped';

export interface RepairResultRecord {
  Check: string;
  Target: string;
  Status: RepairStatus;
  Detail: string;
  Action: string;
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

export const RecordType = {
  Update: 'Altazion.Update',
  InstallResult: 'Altazion.InstallResult',
  RepairResult: 'Altazion.RepairResult',
  DatabaseScript: 'Altazion.DatabaseScript',
  PortalSignIn: 'Altazion.PortalSignIn',
} as const;
export type RecordTypeName = (typeof RecordType)[keyof typeof RecordType] | `Altazion.${string}`;
