// `feed`: reachable (through the proxy when one is set), signed by a trusted key, not expired, not
// rolled back. Nothing to fix automatically: the message says which of these failed.
import { msg, type Message } from '../../core/messages';
import { AltazionError } from '../../core/errors';
import { errorParam, result, type RepairCheck } from '../types';

const EXPIRY_WARNING_DAYS = 7;

export const feedCheck: RepairCheck = {
  id: 'feed',
  describe: 'the feed is reachable, signed by a trusted key and not expired',
  async run(ctx) {
    const config = await ctx.config();
    const target = config.feedLocation ?? config.file;
    const via: Message | string = config.proxy ? msg('repair.feed.via', { proxy: config.proxy }) : '';
    try {
      const verified = await ctx.facts.feed();
      const expires = Date.parse(verified.index.expiresAt);
      const daysLeft = Math.floor((expires - ctx.now().getTime()) / 86_400_000);
      const detail = msg('repair.feed.ok', { via, version: verified.index.indexVersion, key: verified.keyId, expires: verified.index.expiresAt });
      if (daysLeft < EXPIRY_WARNING_DAYS) {
        return [result('feed', target, 'Warning', msg('repair.feed.expiresSoon', { detail, days: daysLeft }), msg('repair.feed.resign'))];
      }
      return [result('feed', target, 'Ok', detail)];
    } catch (error) {
      const code = error instanceof AltazionError ? error.code : 'E_INTERNAL';
      const hint: Message | string = error instanceof AltazionError && error.hint ? (error.hintRef ?? error.hint)
        : code === 'E_FEED_UNREACHABLE' ? msg(via ? 'repair.feed.networkProxy' : 'repair.feed.network')
          : code === 'E_FEED_UNKNOWN_KEY' ? msg('repair.feed.addKey')
            : code === 'E_FEED_EXPIRED' ? msg('repair.feed.outOfDate')
              : '';
      return [result('feed', target, 'Failed', msg('repair.feed.failed', { code, error: errorParam(error) }), hint)];
    }
  },
};
