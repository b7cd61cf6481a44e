import { expect } from 'chai';
import { AltazionError, exitCodeFor, toAltazionError } from '../../../src/core/errors';

describe('error codes and exit codes (one mapping)', () => {
  it('maps bad input to 2, manual action to 3, busy to 4, the rest to 1', () => {
    expect(exitCodeFor('E_CONFIG')).to.equal(2);
    expect(exitCodeFor('E_FEED_SIGNATURE')).to.equal(2);
    expect(exitCodeFor('E_PACKAGE_INTEGRITY')).to.equal(2);
    expect(exitCodeFor('E_USAGE')).to.equal(2);
    expect(exitCodeFor('E_DB_CUSTOMIZED')).to.equal(3);
    expect(exitCodeFor('E_BUSY')).to.equal(4);
    expect(exitCodeFor('E_LOCKED')).to.equal(1);
    expect(exitCodeFor('E_JOURNAL_INVALID')).to.equal(2);
    expect(exitCodeFor('E_DISK_SPACE')).to.equal(1);
    expect(exitCodeFor('E_SOMETHING_NEW')).to.equal(1);
  });
  it('wraps unknown errors as E_INTERNAL keeping the message', () => {
    const err = toAltazionError(new Error('boom'));
    expect(err.code).to.equal('E_INTERNAL');
    expect(err.message).to.equal('boom');
    const own = new AltazionError('E_BUSY', 'held', { target: 'x' });
    expect(toAltazionError(own)).to.equal(own);
    expect(own.exitCode).to.equal(4);
  });
});
