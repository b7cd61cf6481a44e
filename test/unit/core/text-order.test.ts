import { expect } from 'chai';
import { compareText, compareTextIgnoringCase } from '../../../src/core/text-order';

describe('core/text-order', () => {
  it('orders by code unit, the same whatever the locale', () => {
    expect(['b', 'a', 'B', '_x', 'a1', 'é'].sort(compareText)).to.deep.equal(['B', '_x', 'a', 'a1', 'b', 'é']);
    expect(compareText('x', 'x')).to.equal(0);
  });

  it('ignores case when asked (SQL Server and Windows names)', () => {
    expect(['dbo.Clients', 'dbo.adresses', 'dbo.CLIENTS_old'].sort(compareTextIgnoringCase)).to.deep.equal(['dbo.adresses', 'dbo.Clients', 'dbo.CLIENTS_old']);
    expect(compareTextIgnoringCase('Dbo.X', 'dbo.x')).to.equal(0);
  });
});
