#!/usr/bin/env bash
# `podman` as the test harness runs it (configuration, storage and runtime in env.sh); same arguments.
set -euo pipefail
# shellcheck source=./env.sh
source "$(dirname "$0")/env.sh"
exec podman "$@"
