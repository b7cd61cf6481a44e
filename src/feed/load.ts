// The feed this server is configured for, opened and verified: what check, install and repair
// start from. updater.config names the location, the proxy and the trusted keys; the last index
// version accepted here (feed-state.json) refuses a rollback.
import { configError } from '../core/errors';
import type { Context } from '../context/context';
import { loadVerifiedIndex, readFeedState } from './index-loader';
import { openFeedSource } from './source';
import type { FeedSource, VerifiedIndex } from './types';

/** What loading the feed needs of a run's context. */
export type FeedContext = Pick<Context, 'config' | 'env' | 'layout' | 'now'>;

export async function loadFeed(ctx: FeedContext): Promise<{ verified: VerifiedIndex; source: FeedSource }> {
  const config = await ctx.config();
  if (!config.feedLocation) throw configError(config.file, '<feed> @location', 'no feed is configured', 'add <feed location="https://..." /> or a folder path to updater.config');
  if (config.trustedKeys.length === 0) throw configError(config.file, '<trustedKey>', 'no trusted publisher key: the feed cannot be verified');
  const source = openFeedSource(config.feedLocation, { proxy: config.proxy, env: ctx.env });
  const state = await readFeedState(ctx.layout.feedState);
  const verified = await loadVerifiedIndex({ source, trustedKeys: config.trustedKeys, now: ctx.now(), lastAcceptedVersion: state?.lastAcceptedIndexVersion, configFile: config.file });
  return { verified, source };
}
