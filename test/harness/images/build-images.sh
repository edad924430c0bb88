#!/usr/bin/env bash
# Builds Furnace's two images from Dockerfile.server and Dockerfile.sidecar with the harness's podman (runc,
# its own storage: test/harness/podman/env.sh), from the stand-in base (build-base.sh), and tags them
#   localhost/furnace/server:test    localhost/furnace/sidecar:test
# podman's layer cache lives in that storage, so a rebuild with the same Dockerfile, context and
# package-lock.json takes seconds; a changed source file rebuilds from its COPY on.
#
#   build-images.sh [--save DIR] [server|sidecar ...]
# Prints one line per image: name, image id, size. With --save DIR, also writes DIR/<name>.tar, a
# docker-archive that `ctr -n k8s.io images import` and `podman load` take, and DIR/<name>.id, its image id
# (what a node that already holds the image lists it under), and prints the archive's path.
# A failed build stops here with the Dockerfile's name and the last lines of its output.
set -euo pipefail
cd "$(dirname "$0")/../../.."

podman=(bash test/harness/podman/podman.sh)
save_dir=
names=()
while (($# > 0)); do
  case $1 in
    --save) save_dir=${2:?--save needs a directory}; shift 2 ;;
    server | sidecar) names+=("$1"); shift ;;
    *) echo "build-images: unknown argument '$1'; allowed: --save DIR, server, sidecar" >&2; exit 2 ;;
  esac
done
((${#names[@]} > 0)) || names=(server sidecar)

bash test/harness/images/build-base.sh >/dev/null

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/furnace-images-XXXXXX")
trap 'rm -rf "$log_dir"' EXIT
for name in "${names[@]}"; do
  dockerfile=Dockerfile.$name
  image=localhost/furnace/$name:test
  started=$SECONDS
  # The build stage is tagged too, so that the image prune below keeps it: its npm ci layer is the cache.
  if ! { "${podman[@]}" build --network=host --layers --pull=never -f "$dockerfile" --target build \
    -t "localhost/furnace/$name-build:test" . &&
    "${podman[@]}" build --network=host --layers --pull=never -f "$dockerfile" -t "$image" .; } \
    >"$log_dir/$name.log" 2>&1; then
    tail -n 40 "$log_dir/$name.log" >&2
    echo "build-images: building $dockerfile failed (its last 40 lines above)" >&2
    exit 1
  fi
  inspected=$("${podman[@]}" image inspect --format '{{.Id}} {{.Size}}' "$image")
  read -r id size <<<"$inspected"
  echo "$image $id $size bytes, built in $((SECONDS - started)) s"
  if [[ -n $save_dir ]]; then
    mkdir -p "$save_dir"
    rm -f "$save_dir/$name.tar" "$save_dir/$name.id"
    "${podman[@]}" save --quiet --format docker-archive -o "$save_dir/$name.tar" "$image"
    echo "$id" >"$save_dir/$name.id"
    echo "$save_dir/$name.tar"
  fi
done
# What earlier builds left untagged (their build stages and final images) goes, so the cache does not grow.
"${podman[@]}" image prune -f >/dev/null
