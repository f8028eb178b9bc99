import assert from 'node:assert/strict';
import { test } from 'node:test';
import { floodLoss } from '../../bench/sections/flood.ts';

// The bench's loss count is shown failing: a transcript with gaps and repeats is counted as such.
test('flood loss counts the gaps and repeats in the recorded sequence numbers', () => {
  assert.deepEqual(floodLoss([0, 1, 2, 3], 4), { recorded: 4, missing: 0, duplicates: 0 });
  assert.deepEqual(floodLoss([0, 2, 2, 5], 6), { recorded: 3, missing: 3, duplicates: 1 });
  assert.deepEqual(floodLoss([], 3), { recorded: 0, missing: 3, duplicates: 0 });
});
