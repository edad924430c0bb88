// How the recorder starts its helper processes (perf record, perf script, podman, bpftrace, …): each in a
// process group of its own. A terminal's Ctrl-C goes to its whole foreground group; a helper in that group
// would die of it in the middle of its work (perf script killed before the recorder asked it for
// anything: the recording failed, issue 44). The recorder is the one that gets the signal and ends its
// helpers in order; if the recorder itself dies, perf record still gets its SIGINT from `setpriv
// --pdeathsig` (perf-runner.ts), perf script waits on pipes that close with it.
import { spawn, type SpawnOptions } from 'node:child_process';
import type { ChildLike, SpawnFn } from './runtime.ts';

export const spawnHelper: SpawnFn = (command, args, options) =>
  spawn(command, [...args], { ...(options as SpawnOptions), detached: true }) as ChildLike;
