// What the updater reports to the Windows Event Log (Application log, source "Altazion Update")
// and, when configured, by e-mail and webhook (pure). One table of event ids: monitoring tools
// (SCOM, Zabbix, a scheduled task on an event) match on them, so they never change.
//
// | id   | level       | event                                                          |
// |------|-------------|----------------------------------------------------------------|
// | 1000 | Information | updates found (new versions for modules of this server)        |
// | 1100 | Information | install started                                                |
// | 1101 | Information | install succeeded                                              |
// | 1102 | Error       | install failed                                                 |
// | 1103 | Warning     | install failed and rolled back (the previous version runs)     |
// | 1200 | Warning     | manual action required on the database (customised schema)     |
// | 1300 | Information | repair fixed something                                         |
// | 1400 | Error       | feed refused (signature, unknown key, expired, rollback, ...)  |
// | 1500 | Warning     | a scheduled install was not run (its window passed)            |
// | 1600 | Warning     | a notification (e-mail, webhook) could not be sent             |
// | 1700 | Warning     | the portal listens on the fallback port (its port was in use)  |
// | 1701 | Error       | the portal cannot start (both ports in use): the service stops |
// | 1800 | Information | service host: the updater was started                          |
// | 1801 | Error       | service host: the updater exited; the SCM restarts the service |
// | 1802 | Warning     | service host: the updater did not stop in time and was killed  |
// 1800-1802 are written by the service host itself (src/service/host, C#: the Windows service
// process, which runs no TypeScript), under the same source; everything else goes through
// src/events (reportEvent) and Platform.events.
import { msg, type Message } from './messages';

export const EVENT_SOURCE = 'Altazion Update';

export type EventLevelName = 'Information' | 'Warning' | 'Error';

export const EVENT_IDS = {
  updatesFound: { id: 1000, level: 'Information' },
  installStarted: { id: 1100, level: 'Information' },
  installSucceeded: { id: 1101, level: 'Information' },
  installFailed: { id: 1102, level: 'Error' },
  installRolledBack: { id: 1103, level: 'Warning' },
  manualAction: { id: 1200, level: 'Warning' },
  repairFixed: { id: 1300, level: 'Information' },
  feedRefused: { id: 1400, level: 'Error' },
  scheduleMissed: { id: 1500, level: 'Warning' },
  notificationFailed: { id: 1600, level: 'Warning' },
  portalFallback: { id: 1700, level: 'Warning' },
  portalFailed: { id: 1701, level: 'Error' },
} as const satisfies Record<string, { id: number; level: EventLevelName }>;

/** What the service host (AltazionUpdateService.exe) writes itself; its C# carries the same numbers (a test compares). */
export const SERVICE_HOST_EVENT_IDS = {
  updaterStarted: { id: 1800, level: 'Information' },
  updaterExited: { id: 1801, level: 'Error' },
  updaterKilled: { id: 1802, level: 'Warning' },
} as const satisfies Record<string, { id: number; level: EventLevelName }>;

export type EventKind = keyof typeof EVENT_IDS;

export interface UpdateFound { module: string; from: string; to: string }

export type OperationalEvent =
  | { kind: 'updatesFound'; updates: UpdateFound[] }
  | { kind: 'installStarted'; module: string; from: string; to: string; requestedBy: Message | string }
  | { kind: 'installSucceeded'; module: string; from: string; to: string; downtimeSeconds: number }
  | { kind: 'installFailed' | 'installRolledBack'; module: string; from: string; to: string; message: Message | string }
  | { kind: 'manualAction'; module: string; to: string; message: Message | string }
  | { kind: 'repairFixed'; fixes: Array<{ check: string; target: string; action: Message | string }> }
  | { kind: 'feedRefused'; feed: string; message: Message | string }
  | { kind: 'scheduleMissed'; modules: string; at: string; reason: Message | string }
  | { kind: 'notificationFailed'; message: Message }
  | { kind: 'portalFallback'; notice: Message }
  | { kind: 'portalFailed'; message: Message | string };

/** The event's text (worded by the reader: English, or French for a French server). */
export function eventMessage(event: OperationalEvent, computer: string): Message {
  switch (event.kind) {
    case 'updatesFound':
      return msg('event.updatesFound', { computer, updates: event.updates.map((u) => msg('event.update', { module: u.module, from: u.from, to: u.to })) });
    case 'installStarted':
      return msg('event.installStarted', { module: event.module, from: event.from, to: event.to, computer, requestedBy: event.requestedBy });
    case 'installSucceeded':
      return msg('event.installSucceeded', { module: event.module, from: event.from, to: event.to, computer, downtime: event.downtimeSeconds });
    case 'installFailed':
      return msg('event.installFailed', { module: event.module, from: event.from, to: event.to, computer, message: event.message });
    case 'installRolledBack':
      return msg('event.installRolledBack', { module: event.module, from: event.from, to: event.to, computer, message: event.message });
    case 'manualAction':
      return msg('event.manualAction', { module: event.module, to: event.to, computer, message: event.message });
    case 'repairFixed':
      return msg('event.repairFixed', { count: event.fixes.length, computer, fixes: event.fixes.map((f) => msg('event.repairFix', { check: f.check, target: f.target, action: f.action })) });
    case 'feedRefused':
      return msg('event.feedRefused', { feed: event.feed, computer, message: event.message });
    case 'scheduleMissed':
      return msg('event.scheduleMissed', { modules: event.modules, at: event.at, computer, reason: event.reason });
    case 'notificationFailed':
      return event.message;
    case 'portalFallback':
      return msg('event.portalFallback', { computer, notice: event.notice });
    case 'portalFailed':
      return msg('event.portalFailed', { computer, message: event.message });
  }
}

/** A short title (mail subject, first line of a webhook message). */
export function eventTitle(event: OperationalEvent): Message {
  switch (event.kind) {
    case 'updatesFound': return msg('notify.title.updatesFound');
    case 'installStarted':
    case 'installSucceeded': return msg('notify.title.installSucceeded', { module: event.module, to: event.to });
    case 'installFailed': return msg('notify.title.installFailed', { module: event.module, to: event.to });
    case 'installRolledBack': return msg('notify.title.installRolledBack', { module: event.module, to: event.to });
    case 'manualAction': return msg('notify.title.manualAction');
    case 'repairFixed': return msg('notify.title.repairFixed');
    case 'feedRefused': return msg('notify.title.feedRefused');
    case 'scheduleMissed': return msg('notify.title.scheduleMissed');
    case 'notificationFailed': return event.message;
    case 'portalFallback': return msg('notify.title.portalFallback');
    case 'portalFailed': return msg('notify.title.portalFailed');
  }
}

/**
 * The notification setting an event falls under (`on="installFailed"` covers a rollback too).
 * The portal's port events go to the Event Log only (the service log and its console say them too).
 */
export function notifiedAs(kind: EventKind): string | undefined {
  if (kind === 'installRolledBack') return 'installFailed';
  if (kind === 'installStarted' || kind === 'notificationFailed' || kind === 'portalFallback' || kind === 'portalFailed') return undefined;
  return kind;
}
