// The feed this server is configured for, opened and verified: what check, install and repair
// start from. updater.config names the location, the proxy and the trusted keys; the last index
// version accepted here (feed-state.json) refuses a rollback.
import { AltazionError, configError } from '../core/errors';
import { requireInstanceRoot, type Context } from '../context/context';
import { reportEvent } from '../events';
import { loadVerifiedIndex, readFeedState } from './index-loader';
import { readKeyState } from './key-list';
import { openFeedSource } from './source';
import type { FeedSource, VerifiedIndex } from './types';

/** What loading the feed needs of a run's context. */
export type FeedContext = Pick<Context, 'config' | 'env' | 'layout' | 'now' | 'root' | 'platform' | 'output'>;

/**
 * The verified index of the configured feed. With `reportRefusal` (the check, a real install) a
 * refused feed is also an operational event (Event Log, notification); reads (repair's diagnosis,
 * --dry-run) only throw.
 */
export async function loadFeed(ctx: FeedContext, options: { reportRefusal?: boolean } = {}): Promise<{ verified: VerifiedIndex; source: FeedSource }> {
  const config = await ctx.config();
  // No updater.config because the root itself is wrong: say that, not "no feed is configured".
  if (!config.feedLocation) await requireInstanceRoot(ctx.root);
  if (!config.feedLocation) throw configError(config.file, '<feed> @location', 'no feed is configured', 'add <feed location="https://..." /> or a folder path to updater.config');
  if (config.trustedKeys.length === 0) throw configError(config.file, '<trustedKey>', 'no trusted publisher key: the feed cannot be verified');
  const source = openFeedSource(config.feedLocation, { proxy: config.proxy, env: ctx.env });
  const state = await readFeedState(ctx.layout.feedState);
  const keyState = await readKeyState(ctx.layout.keyState);
  try {
    const verified = await loadVerifiedIndex({
      source, trustedKeys: config.trustedKeys, now: ctx.now(), lastAcceptedVersion: state?.lastAcceptedIndexVersion, configFile: config.file,
      keyState, keyStateFile: ctx.layout.keyState,
    });
    lastRefusal.delete(ctx.root);
    return { verified, source };
  } catch (error) {
    if (options.reportRefusal && error instanceof AltazionError && FEED_REFUSALS.includes(error.code)) await reportRefusal(ctx, config.feedLocation, error);
    throw error;
  }
}

/** A feed that fails verification: security matters, the Event Log and the admins are told. */
const FEED_REFUSALS: readonly string[] = ['E_FEED_SIGNATURE', 'E_FEED_UNKNOWN_KEY', 'E_FEED_REVOKED_KEY', 'E_FEED_EXPIRED', 'E_FEED_ROLLBACK', 'E_FEED_INVALID', 'E_PACKAGE_INTEGRITY'];

/** The last refusal reported, per instance root, in this process (bad input changes nothing on disk). */
const lastRefusal = new Map<string, string>();

/**
 * Once per distinct refusal in a process: the service retries a refused feed every few minutes, the
 * admins hear of it once (a command run by hand reports its own refusal).
 */
export async function reportRefusal(ctx: FeedContext, feed: string, error: AltazionError): Promise<void> {
  if (lastRefusal.get(ctx.root) === error.message) return;
  lastRefusal.set(ctx.root, error.message);
  await reportEvent(ctx, { kind: 'feedRefused', feed, message: error.worded });
}
