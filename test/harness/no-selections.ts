// The continuous-selection and baseline calls of the operator's server client, for the app tier's fake
// servers of one-off Recordings: none of them may be called.
import type { FurnaceServerClient } from '../../operator/recording/server-client.ts';

const never = (what: string) => () => Promise.reject(new Error(`${what} called for a one-off Recording`));

export const NO_SELECTIONS: Pick<
  FurnaceServerClient,
  'putSelection' | 'listSelections' | 'deleteSelection' | 'listBaselines'
> = {
  putSelection: never('putSelection'),
  listSelections: never('listSelections'),
  deleteSelection: never('deleteSelection'),
  listBaselines: never('listBaselines'),
};
