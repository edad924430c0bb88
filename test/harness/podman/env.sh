#!/usr/bin/env bash
# Sourced by the test harness's podman commands: podman with a configuration, storage and runtime of the
# harness's own, never the machine's (a developer's own images and containers stay untouched).
# - runc, not crun: crun refuses this machine's hybrid cgroup layout (v1 controllers, cgroup2 at
#   /sys/fs/cgroup/unified).
# - default_ulimits = []: podman raises RLIMIT_NOFILE by default, which needs CAP_SYS_RESOURCE that the
#   machine's root lacks.
# - storage under the test cache, so built images (the stand-in base, both Furnace images) survive between
#   runs and CI can cache them by key; runroot (locks, mounts) under /run, which a reboot empties.
FURNACE_TEST_CACHE="${FURNACE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/furnace-test}"
FURNACE_PODMAN_DIR="$FURNACE_TEST_CACHE/podman"
mkdir -p "$FURNACE_PODMAN_DIR/storage"
runroot="/run/furnace-test-podman-$(id -u)"
# A cache of its own (FURNACE_TEST_CACHE elsewhere, e.g. to time a cold build) gets a runroot of its own: one
# runroot serving two storages would mix their locks and mount records.
default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/furnace-test"
[[ $FURNACE_TEST_CACHE == "$default_cache" ]] ||
  runroot+="-$(printf '%s' "$FURNACE_TEST_CACHE" | sha256sum | cut -c1-12)"
runtime=$(command -v runc || echo /usr/sbin/runc)
# Each file is written under a name of this shell's own and renamed into place, so that podman commands
# started at once (a test's and the image build's) never see half a file nor race for one temporary name.
cat >"$FURNACE_PODMAN_DIR/containers.conf.$$.tmp" <<CONF
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[engine.runtimes]
runc = ["$runtime"]
CONF
mv -f "$FURNACE_PODMAN_DIR/containers.conf.$$.tmp" "$FURNACE_PODMAN_DIR/containers.conf"
cat >"$FURNACE_PODMAN_DIR/storage.conf.$$.tmp" <<CONF
[storage]
driver = "overlay"
graphroot = "$FURNACE_PODMAN_DIR/storage"
runroot = "$runroot"
CONF
mv -f "$FURNACE_PODMAN_DIR/storage.conf.$$.tmp" "$FURNACE_PODMAN_DIR/storage.conf"
export CONTAINERS_CONF="$FURNACE_PODMAN_DIR/containers.conf"
export CONTAINERS_STORAGE_CONF="$FURNACE_PODMAN_DIR/storage.conf"
export FURNACE_TEST_CACHE FURNACE_PODMAN_DIR
