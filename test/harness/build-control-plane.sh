#!/usr/bin/env bash
# Builds the control plane (kube-apiserver, kube-controller-manager, kubectl, etcd) and the node's Kubernetes
# binaries (kubelet, kube-scheduler, kube-proxy) from Go modules and caches them by version.
# Prints the directory that holds the binaries on its last line of stdout.
# The Kubernetes release is pinned in versions.sh.
set -euo pipefail

# shellcheck source=./versions.sh
source "$(dirname "$0")/versions.sh"
CACHE_ROOT="${FURNACE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/furnace-test}"
BIN_DIR="$CACHE_ROOT/k8s-$K8S_VERSION"
PROXY="${GOPROXY:-https://proxy.golang.org}"
PROXY="${PROXY%%,*}"

log() { echo "build-control-plane: $*" >&2; }
die() { echo "build-control-plane: $*" >&2; exit 1; }
# Go from go.dev lives in /usr/local/go, which a non-interactive shell may not have on PATH.
command -v go >/dev/null 2>&1 || [[ ! -x /usr/local/go/bin/go ]] || PATH="/usr/local/go/bin:$PATH"

kube_binaries=(kube-apiserver kube-controller-manager kubectl kubelet kube-scheduler kube-proxy)
missing=()
for b in "${kube_binaries[@]}" etcd; do [[ -x "$BIN_DIR/$b" ]] || missing+=("$b"); done
if ((${#missing[@]} == 0)); then
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null || die "Go is not installed (needed to build kube-apiserver, kube-controller-manager and etcd from modules)"
command -v curl >/dev/null || die "curl is not installed"

work="$CACHE_ROOT/build-$K8S_VERSION"
mkdir -p "$work" "$BIN_DIR"

mod_url="$PROXY/k8s.io/kubernetes/@v/$K8S_VERSION.mod"
if ! curl -fsS --max-time 60 -o "$work/kubernetes.mod" "$mod_url"; then
  die "cannot fetch $mod_url: the Go module proxy is unreachable or does not have k8s.io/kubernetes $K8S_VERSION"
fi

# Staging modules are published as v0.<minor>.<patch> for release v1.<minor>.<patch>.
staging_version="v0.${K8S_VERSION#v1.}"
etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2; exit }' "$work/kubernetes.mod")
[[ -n "$etcd_version" ]] || die "k8s.io/kubernetes $K8S_VERSION go.mod does not name go.etcd.io/etcd/server/v3"

replaces=""
while read -r module; do
  # A staging module that was never published (sample-cli-plugin) is not in the build graph.
  if curl -fs --max-time 30 -o /dev/null "$PROXY/$module/@v/$staging_version.info"; then
    replaces+="	$module => $module $staging_version"$'\n'
  else
    log "skipping unpublished staging module $module"
  fi
done < <(sed -n '/^replace (/,/^)/p' "$work/kubernetes.mod" | awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }')

cat >"$work/go.mod" <<MOD
module furnace.test/controlplane

go 1.26.0

require (
	k8s.io/kubernetes $K8S_VERSION
	go.etcd.io/etcd/server/v3 $etcd_version
)

replace (
$replaces)
MOD

mkdir -p "$work/etcd"
cat >"$work/etcd/main.go" <<'GO'
package main

import "go.etcd.io/etcd/server/v3/etcdmain"

func main() { etcdmain.Main(os.Args) }
GO
sed -i 's/^import "go.etcd.io\/etcd\/server\/v3\/etcdmain"$/import (\n\t"os"\n\n\t"go.etcd.io\/etcd\/server\/v3\/etcdmain"\n)/' "$work/etcd/main.go"

cat >"$work/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
)
GO

cd "$work"
log "resolving modules for Kubernetes $K8S_VERSION and etcd $etcd_version"
if ! go mod tidy >"$work/tidy.log" 2>&1; then
  tail -n 20 "$work/tidy.log" >&2
  die "go mod tidy failed (is the Go module proxy reachable?); full log: $work/tidy.log"
fi

minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

start=$(date +%s)
log "building ${missing[*]} (the first build takes several minutes)"
for b in "${missing[@]}"; do
  if [[ $b == etcd ]]; then
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/etcd.tmp" ./etcd
  else
    CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$BIN_DIR/$b.tmp" "k8s.io/kubernetes/cmd/$b"
  fi
  mv "$BIN_DIR/$b.tmp" "$BIN_DIR/$b"
done
log "built in $(( $(date +%s) - start )) s"
echo "$BIN_DIR"
