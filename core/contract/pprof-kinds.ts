// The kinds of profile a Go program's net/http/pprof serves, as `pprof.kind` names them. In a file of their
// own: both the recording parameters and the profile types (profile-types.ts) name them.
export const PPROF_KINDS = ['profile', 'heap', 'goroutine', 'allocs', 'mutex', 'block'] as const;
export type PprofKind = (typeof PPROF_KINDS)[number];
