#!/usr/bin/env bash
# The versions of everything the test harness builds from Go modules, pinned here and nowhere else.
# Sourced by build-control-plane.sh and build-coredns.sh; an environment variable of the same name wins.
K8S_VERSION="${FURNACE_K8S_VERSION:-v1.36.3}"
COREDNS_VERSION="${FURNACE_COREDNS_VERSION:-v1.14.7}"
