// The error a call is expected to throw, for tests that then check its code, keys or message.
import assert from 'node:assert/strict';

/** Calls fn and returns what it throws, asserted to be a `type`; fails with `expected` when fn returns. */
export function expectedError<E extends Error>(
  type: abstract new (...args: never[]) => E,
  fn: () => unknown,
  expected: string,
): E {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof type, String(error));
    return error;
  }
  assert.fail(expected);
}
