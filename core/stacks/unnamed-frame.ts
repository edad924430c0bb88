// The names a frame gets when nothing named its function: the collapser's `[dso]` or `[dso <address>]`
// (`[unknown]` when perf could not place it in any binary; perf-frame.ts), and the bare address bpftrace
// prints for a user frame it could not read. Pure.

/** A frame without a symbol: `[dso]`, or `[dso <address>]` with addresses kept; group 1 is the dso. */
export const UNNAMED_FRAME = /^\[([^\] <]+)(?: <[^>]*>)?\]$/;

/** A user frame printed as its address (bpftrace could not read the process's maps). */
export const ADDRESS_FRAME = /^0x[0-9a-f]+$/;

/** Either of the two, with the `_[k]` or `_[j]` the collapser may add: any frame whose function has no name. */
export const NAMELESS_FRAME = /^(?:\[[^\] <]+(?: <[^>]*>)?\]|0x[0-9a-f]+)(?:_\[[kj]\])?$/;
