// The commands read out of a shell script (test/harness/shell-commands.ts), on the constructs the harness's
// build scripts use: what command-table.test.ts holds against test/commands.tsv.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOLE, shellCommands } from '../../harness/shell-commands.ts';

const commands = (script: string) =>
  shellCommands(script).map((c) => `${c.line}:${c.command}${c.checkOnly ? ' -v' : ''}`);

describe('shell commands of a script', () => {
  it('finds commands past keywords, assignments, exec and separators, and skips builtins', () => {
    const script = [
      'set -euo pipefail',
      'command -v go >/dev/null 2>&1 || PATH="/usr/local/go/bin:$PATH"',
      'if ! CGO_ENABLED=0 go build -o x . >"$log" 2>&1; then tail -n 20 "$log" >&2; fi',
      'while read -r old; do exec -a name sleep 1 & wait; done < <(sort -u list)',
      '(cd "$work" && npm pack --silent x) || echo failed',
    ].join('\n');
    assert.deepEqual(commands(script), ['2:go -v', '3:go', '3:tail', '4:sleep', '4:sort', '5:npm']);
  });

  it('reads $(…) inside and outside double quotes, and nothing of quoted or substituted words', () => {
    const script = [
      'key=$(printf "%s" "script=$(sha256sum "$0" | cut -d" " -f1)" | sha256sum)',
      '"${podman[@]}" image exists "$keyed" || "$tool" run',
      'awk \'{ print "not a command" }\' <<<"$sources"',
      `${HOLE} --dry-run && exec "$@"`,
    ].join('\n');
    assert.deepEqual(commands(script), ['1:sha256sum', '1:cut', '1:sha256sum', '3:awk']);
  });

  it('skips heredoc bodies, comments, case patterns, array values, arithmetic and its own functions', () => {
    const script = [
      'die() { echo "$*" >&2; exit 1; }',
      '# curl is only mentioned here',
      'cat >"$work/go.mod" <<MOD',
      'module furnace.test/controlplane',
      'MOD',
      'names=(server sidecar)',
      'case $1 in',
      '  --save) save_dir=${2:?--save needs a directory}; shift 2 ;;',
      '  server | sidecar) names+=("$1"); shift ;;',
      '  *) die "unknown $1" ;;',
      'esac',
      'echo $((SECONDS - started)) && rm -rf "$root"/usr/share/{man,info}/*',
    ].join('\n');
    assert.deepEqual(commands(script), ['3:cat', '12:rm']);
  });
});
