// The refusal of start parameters, for the unit tests of the recording-params contract.
import { FurnaceError } from '../../core/contract/errors.ts';
import { DEFAULT_LIMITS } from '../../core/contract/limits.ts';
import { validateRecordingParams } from '../../core/contract/recording-params.ts';
import { expectedError } from './expected-error.ts';

/** The FurnaceError validateRecordingParams refuses input with, under the default limits. */
export function paramsRejection(input: unknown): FurnaceError {
  return expectedError(
    FurnaceError,
    () => validateRecordingParams(input, DEFAULT_LIMITS),
    'expected the parameters to be rejected',
  );
}
