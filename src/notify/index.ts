// Notifications (issue 22): an e-mail through the site's SMTP server (nodemailer) and JSON POSTs to
// webhooks (`{"text": ...}`: what Slack incoming webhooks and Teams incoming-webhook connectors
// accept). A notification that cannot be sent is reported back — never thrown: it must not fail the
// install it tells about. Secrets (the SMTP password, the webhook URLs, which are credentials) never
// appear in what is reported: errors name the SMTP host or the webhook's host only.
import type { EmailConfig, NotificationsConfig, WebhookConfig } from '../config/updater-config';
import { HttpClient, type ProxySettings } from '../net/http';

export interface Note {
  subject: string;
  text: string;
}

export interface NotificationFailure {
  /** `e-mail (smtp.example.com)`, `webhook (hooks.slack.com)`. */
  channel: string;
  error: string;
}

export interface SendOptions {
  /** Per channel (connection, greeting, answer). */
  timeoutMs?: number;
  /** The proxy webhooks go through (Teams and Slack are on the internet, like the feed). */
  proxy?: ProxySettings;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** `text` with every secret replaced by *** (and URL-encoded forms of them). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}

export function secretsOf(config: NotificationsConfig): string[] {
  const secrets: string[] = [];
  if (config.email?.password) secrets.push(config.email.password);
  for (const hook of config.webhooks) {
    secrets.push(hook.url);
    try {
      const url = new URL(hook.url);
      // The path and query of a Teams or Slack webhook are its token.
      if (url.pathname.length > 1) secrets.push(url.pathname + url.search);
      if (url.search) secrets.push(url.search);
    } catch { /* validated when the config was read */ }
  }
  return secrets;
}

export function webhookHost(hook: WebhookConfig): string {
  try { return new URL(hook.url).host; } catch { return '(invalid URL)'; }
}

async function sendEmail(email: EmailConfig, note: Note, timeoutMs: number): Promise<void> {
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: email.host,
    port: email.port,
    secure: email.security === 'tls',
    requireTLS: email.security === 'starttls',
    ignoreTLS: email.security === 'none',
    ...(email.user ? { auth: { user: email.user, pass: email.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({ from: email.from, to: email.to, subject: note.subject, text: note.text });
  } finally {
    transport.close();
  }
}

/** The webhook body: Slack and Teams (incoming webhook) both show `text`; markdown bold for the title. */
export function webhookBody(note: Note): string {
  return JSON.stringify({ text: `**${note.subject}**\n\n${note.text}` });
}

async function sendWebhook(hook: WebhookConfig, note: Note, timeoutMs: number, proxy: ProxySettings | undefined): Promise<void> {
  // No redirect is followed: a webhook that moved answers 3xx, which is a failure to report.
  const client = new HttpClient({ timeoutMs, maxRedirections: 0, ...(proxy ? { proxy } : {}) });
  try {
    const response = await client.post(new URL(hook.url), webhookBody(note), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    response.discard();
    if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
  } finally {
    await client.close();
  }
}

function describe(error: unknown): string {
  const e = error as Error & { cause?: Error & { code?: string }; code?: string; responseCode?: number };
  const parts = [e?.message ?? String(error)];
  if (e?.cause?.message && !parts[0]!.includes(e.cause.message)) parts.push(e.cause.message);
  return parts.join(': ');
}

/** Sends `note` to every configured channel (concurrently); returns what failed, secrets removed. */
export async function sendNotifications(config: NotificationsConfig, note: Note, options: SendOptions = {}): Promise<NotificationFailure[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secrets = secretsOf(config);
  const attempts: Array<{ channel: string; send: () => Promise<void> }> = [];
  if (config.email) attempts.push({ channel: `e-mail (${config.email.host})`, send: () => sendEmail(config.email!, note, timeoutMs) });
  for (const hook of config.webhooks) attempts.push({ channel: `webhook (${webhookHost(hook)})`, send: () => sendWebhook(hook, note, timeoutMs, options.proxy) });
  const results = await Promise.allSettled(attempts.map((a) => a.send()));
  const failures: NotificationFailure[] = [];
  results.forEach((result, i) => {
    if (result.status === 'rejected') failures.push({ channel: attempts[i]!.channel, error: redact(describe(result.reason), secrets) });
  });
  return failures;
}
