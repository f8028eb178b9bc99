import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { golden, type Row, rowsOf, tierOf } from '../support/fault-matrix-rows.ts';

const table: Row[] = [
  golden('none', 'passed'),
  golden('drop-tool_completed', 'EVENT_MISSING'),
  golden('drop-agent_started', 'EVENT_MISSING', { again: 'drop-tool_completed' }),
  golden('drop-tool_completed', 'EVENT_MISSING', { dialect: 'netra' }),
  // No netra row of its own: the contract row of the same fault proves the check.
  golden('ws-upgrade-403', 'WS_HANDSHAKE_REJECTED'),
  golden('ws-upgrade-403', 'WS_HANDSHAKE_REJECTED', { dialect: 'netra', again: 'ws-upgrade-403' }),
];
const names = (rows: Row[]) => rows.map((row) => `${row.fault}${row.dialect === 'netra' ? ' (netra)' : ''}`);

describe('fault matrix tiers', () => {
  it('core leaves out the rows that prove a core row again; extended is those; all is every row', () => {
    assert.deepEqual(names(rowsOf(table, 'core')), [
      'none',
      'drop-tool_completed',
      'drop-tool_completed (netra)',
      'ws-upgrade-403',
    ]);
    assert.deepEqual(names(rowsOf(table, 'extended')), ['drop-agent_started', 'ws-upgrade-403 (netra)']);
    assert.equal(rowsOf(table, 'all').length, table.length);
  });

  it('an extended row must name a core row of its spec (its dialect or contract) with its code', () => {
    const orphan = golden('drop-agent_thinking', 'EVENT_MISSING', { again: 'drop-agent_started' });
    assert.throws(
      () => rowsOf([...table, orphan], 'core'),
      /drop-agent_thinking names no core row drop-agent_started/,
    );
    const otherSpec: Row = {
      spec: '@auth',
      fault: 'x',
      expected: 'EVENT_MISSING',
      again: 'drop-tool_completed',
    };
    assert.throws(() => rowsOf([...table, otherSpec], 'all'), /names no core row drop-tool_completed/);
    const otherCode = golden('drop-x', 'EVENT_ORDER', { again: 'drop-tool_completed' });
    assert.throws(
      () => rowsOf([...table, otherCode], 'extended'),
      /expects EVENT_ORDER, its core row .* EVENT_MISSING/,
    );
  });

  it('SELFTEST_MATRIX: core by default, a wrong value named with the right ones', () => {
    assert.equal(tierOf(undefined), 'core');
    assert.equal(tierOf(''), 'core');
    assert.equal(tierOf('all'), 'all');
    assert.throws(
      () => tierOf('full'),
      /SELFTEST_MATRIX=full is not a matrix tier: use core \(the default\), extended or all/,
    );
  });
});
