// `feed`: reachable (through the proxy when one is set), signed by a trusted key, not expired, not
// rolled back. Nothing to fix automatically: the message says which of these failed.
import { AltazionError } from '../../core/errors';
import { errorText, result, type RepairCheck } from '../types';

const EXPIRY_WARNING_DAYS = 7;

export const feedCheck: RepairCheck = {
  id: 'feed',
  describe: 'the feed is reachable, signed by a trusted key and not expired',
  async run(ctx) {
    const config = await ctx.config();
    const target = config.feedLocation ?? config.file;
    const via = config.proxy ? ` through the proxy ${config.proxy}` : '';
    try {
      const verified = await ctx.facts.feed();
      const expires = Date.parse(verified.index.expiresAt);
      const daysLeft = Math.floor((expires - ctx.now().getTime()) / 86_400_000);
      const detail = `read${via}: index version ${verified.index.indexVersion}, signed by trusted key ${verified.keyId}, expires ${verified.index.expiresAt}`;
      if (daysLeft < EXPIRY_WARNING_DAYS) {
        return [result('feed', target, 'Warning', `${detail} (in ${daysLeft} day(s))`, 'the publisher must re-sign the feed before it expires; a mirror must be refreshed')];
      }
      return [result('feed', target, 'Ok', detail)];
    } catch (error) {
      const code = error instanceof AltazionError ? error.code : 'E_INTERNAL';
      const hint = error instanceof AltazionError && error.hint ? error.hint
        : code === 'E_FEED_UNREACHABLE' ? `check the network${via ? ' and the proxy' : ''} (updater.config <feed>, <proxy>)`
          : code === 'E_FEED_UNKNOWN_KEY' ? 'add the publisher\'s current key as <trustedKey> in updater.config'
            : code === 'E_FEED_EXPIRED' ? 'the feed (or its mirror) is out of date: ask the publisher or refresh the mirror'
              : '';
      return [result('feed', target, 'Failed', `${code}: ${errorText(error)}`, hint)];
    }
  },
};
