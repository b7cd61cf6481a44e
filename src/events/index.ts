// Reporting an operational event (src/core/events.ts) where the administrator looks: the Event Log
// of the platform (Windows Application log; a file in the sandbox) and the notifications configured
// in updater.config. Called by install, check, repair and the service's scheduler, on the command
// line as in the service. Never throws: a broken Event Log or mail server must not fail an install;
// what could not be reported is said as a warning on the command's output.
import type { Context } from '../context/context';
import { EVENT_IDS, eventMessage, eventTitle, notifiedAs, type OperationalEvent } from '../core/events';
import { msg, renderMessage } from '../core/messages';
import { DEFAULT_NOTIFIED, type NotificationsConfig } from '../config/updater-config';
import { proxySettings, type ProxySettings } from '../net/http';
import { sendNotifications } from '../notify';
import type { Platform } from '../platform/types';

export type EventContext = Pick<Context, 'config' | 'platform' | 'output' | 'env'>;

async function writeEventLog(platform: Platform | undefined, event: OperationalEvent, text: string, ctx: EventContext): Promise<void> {
  if (!platform?.events) return;
  const { id, level } = EVENT_IDS[event.kind];
  try {
    await platform.events.write({ id, level, message: text });
  } catch (error) {
    ctx.output.verbose(`the Event Log entry ${id} could not be written: ${(error as Error).message}`);
  }
}

export async function reportEvent(ctx: EventContext, event: OperationalEvent): Promise<void> {
  let notifications: NotificationsConfig = { language: 'fr', on: [...DEFAULT_NOTIFIED], webhooks: [] };
  let platform: Platform | undefined;
  let proxy: ProxySettings | undefined;
  try {
    const config = await ctx.config();
    notifications = config.notifications;
    // Webhooks go out through the feed's proxy (updater.config, else HTTP(S)_PROXY / NO_PROXY).
    proxy = proxySettings(config.proxy, ctx.env);
  } catch { /* a broken config is reported by the command itself */ }
  try { platform = await ctx.platform(); } catch { /* idem */ }
  const computer = platform?.computerName ?? 'unknown';
  const lang = notifications.language;
  const message = eventMessage(event, computer);
  await writeEventLog(platform, event, renderMessage(message, lang), ctx);

  const subscribed = notifiedAs(event.kind);
  if (!subscribed || !notifications.on.includes(subscribed as never)) return;
  if (!notifications.email && notifications.webhooks.length === 0) return;
  const note = {
    subject: renderMessage(msg('notify.subject', { computer, title: eventTitle(event) }), lang),
    text: renderMessage(message, lang),
  };
  let failures;
  try {
    failures = await sendNotifications(notifications, note, proxy ? { proxy } : {});
  } catch (error) {
    failures = [{ channel: 'notifications', error: 'internal error' }];
    ctx.output.verbose(`notifications: ${(error as Error).name}`);
  }
  for (const failure of failures) {
    const warning = msg('notify.failed', { channel: failure.channel, error: failure.error });
    ctx.output.warn(warning);
    await writeEventLog(platform, { kind: 'notificationFailed', message: warning }, renderMessage(warning, lang), ctx);
  }
}
