# shellcheck shell=bash
# How this project builds the serving image: with Docker when its daemon answers, else with buildah and
# podman, making the Dockerfile's Debian base with debootstrap when no registry can provide it.
# Sourced by scripts/image.sh (`npm run image`) and container/test-image.sh, so both build the same way.
# docs/image.md explains every flag below and why this kind of host needs it.

image_log() { printf '[image] %s\n' "$*" >&2; }

# docker, podman, or nothing when neither can build.
image_engine() {
  if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
    echo docker
  elif command -v buildah >/dev/null 2>&1 && command -v podman >/dev/null 2>&1; then
    echo podman
  fi
}

IMAGE_TOOLS=(buildah podman debootstrap fuse-overlayfs slirp4netns uidmap runc)

# Installs buildah, podman and debootstrap from Debian (root only); returns 1 when it cannot.
image_install_tools() {
  if [ "$(id -u)" != 0 ]; then
    image_log "no Docker daemon and no buildah/podman; install them with: sudo apt-get install -y ${IMAGE_TOOLS[*]}"
    return 1
  fi
  image_log "installing ${IMAGE_TOOLS[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq --no-install-recommends "${IMAGE_TOOLS[@]}" || {
      apt-get update -qq && apt-get install -y -qq --no-install-recommends "${IMAGE_TOOLS[@]}"; }; } >&2
}

# Flags `podman run` needs on this kind of host: runc, as crun refuses hybrid cgroup layouts; rlimits
# within this process's hard limits, which podman's defaults exceed.
podman_run_flags() {
  local flags=()
  command -v runc >/dev/null 2>&1 && flags+=(--runtime runc)
  local nofile
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] && nofile=1048576
  flags+=(--ulimit "nofile=$nofile:$nofile" --ulimit nproc=32768:32768)
  printf '%s\n' "${flags[@]}"
}

# The Debian mirror: $MODELAPI_DEBIAN_MIRROR, else the first (non-security) one this machine's apt uses.
# (APT_DIR: apt's configuration directory, /etc/apt unless given.)
debian_mirror() {
  if [ -n "${MODELAPI_DEBIAN_MIRROR:-}" ]; then
    echo "$MODELAPI_DEBIAN_MIRROR"
    return
  fi
  debian_uris "${1:-/etc/apt}" | grep -v -- '-security' | head -n 1
}

# The security mirror this machine's apt uses, if any ($MODELAPI_DEBIAN_SECURITY_MIRROR overrides it).
debian_security_mirror() {
  if [ -n "${MODELAPI_DEBIAN_SECURITY_MIRROR:-}" ]; then
    echo "$MODELAPI_DEBIAN_SECURITY_MIRROR"
    return
  fi
  debian_uris "${1:-/etc/apt}" | grep -- '-security' | head -n 1
}

# Every URI in apt's sources under APT_DIR, deb822 (*.sources) and one-line (*.list) formats alike.
debian_uris() {
  local dir=$1
  local files=()
  local f
  for f in "$dir"/sources.list.d/*.sources; do [ -f "$f" ] && files+=("$f"); done
  if [ ${#files[@]} -gt 0 ]; then
    awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "${files[@]}"
  fi
  files=()
  for f in "$dir"/sources.list "$dir"/sources.list.d/*.list; do [ -f "$f" ] && files+=("$f"); done
  if [ ${#files[@]} -gt 0 ]; then
    # deb [options] URI suite components
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "${files[@]}" | awk '$1 == "deb" { print $2 }'
  fi
}

# The first FROM of a Dockerfile, e.g. debian:bookworm-slim.
dockerfile_base() {
  awk 'toupper($1) == "FROM" { for (i = 2; i <= NF; i++) if ($i !~ /^--/) { print $i; exit } }' "$1"
}

# Makes REF (debian:SUITE or debian:SUITE-slim) from Debian's packages: a minimal debootstrap of SUITE
# whose apt points at this machine's mirror, imported into podman's store. The root file system is
# cached as a tar in CACHE_DIR, so only the first build downloads it.
debootstrap_base() {
  local ref=$1 cache=$2 work=$3
  local suite
  suite="$(sed -n -E 's#^(docker\.io/)?(library/)?debian:([a-z]+)(-slim)?$#\3#p' <<<"$ref")"
  if [ -z "$suite" ]; then
    image_log "$ref cannot be pulled, and only a debian:SUITE base can be made locally"
    return 1
  fi
  local tar="$cache/debian-$suite-minbase.tar"
  if [ ! -s "$tar" ]; then
    local mirror security
    mirror="$(debian_mirror)"
    security="$(debian_security_mirror)"
    if [ -z "$mirror" ]; then
      image_log "no Debian mirror found in /etc/apt/sources*; set MODELAPI_DEBIAN_MIRROR to one"
      return 1
    fi
    command -v debootstrap >/dev/null 2>&1 || { image_log "debootstrap is needed to make the base image"; return 1; }
    [ "$(id -u)" = 0 ] || { image_log "making the base image with debootstrap needs root"; return 1; }
    image_log "making $ref with debootstrap from $mirror (once; cached in $tar)"
    mkdir -p "$cache"
    local rootfs="$work/rootfs"
    if ! debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
      tail -n 20 "$work/debootstrap.log" >&2
      image_log "debootstrap failed"
      return 1
    fi
    # apt inside builds uses the same mirrors as this machine
    rm -f "$rootfs"/etc/apt/sources.list.d/*
    {
      echo "deb $mirror $suite main"
      echo "deb $mirror $suite-updates main"
      [ -n "$security" ] && echo "deb $security $suite-security main"
    } >"$rootfs/etc/apt/sources.list"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    tar --numeric-owner --xattrs -C "$rootfs" -cf "$tar.partial.$$" .
    mv "$tar.partial.$$" "$tar"
    rm -rf "$rootfs"
  fi
  podman import --change 'CMD ["bash"]' "$tar" "$ref" >"$work/import.log" 2>&1 \
    || { cat "$work/import.log" >&2; image_log "could not import the base image"; return 1; }
}

# Builds DOCKERFILE with CONTEXT as TAG; build output goes to stderr.
image_build() {
  local engine=$1 context=$2 dockerfile=$3 tag=$4
  if [ "$engine" = docker ]; then
    docker build -f "$dockerfile" -t "$tag" "$context" >&2
    return
  fi
  local base
  base="$(dockerfile_base "$dockerfile")"
  if ! podman image exists "$base" 2>/dev/null; then
    local work
    work="$(mktemp -d "${TMPDIR:-/tmp}/modelapi-image.XXXXXX")"
    image_log "pulling $base"
    if ! timeout 300 buildah pull --quiet "$base" >/dev/null 2>"$work/pull.log"; then
      image_log "cannot pull $base: $(tail -n 1 "$work/pull.log")"
      local cache="${MODELAPI_CACHE_DIR:-/var/cache/modelapi}"
      { mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ]; } || cache="${XDG_CACHE_HOME:-$HOME/.cache}/modelapi"
      debootstrap_base "$base" "$cache" "$work" || { rm -rf "$work"; return 1; }
    fi
    rm -rf "$work"
  fi
  # chroot isolation: buildah's default runtime (crun) refuses hybrid cgroup hosts; --layers caches each
  # step, so a rebuild of unchanged files takes seconds; --format docker makes a Docker v2 (schema 2)
  # manifest, what SageMaker pulls, instead of buildah's default OCI one.
  IMAGE_BUILD_BEFORE="$(buildah containers -q 2>/dev/null | sort)"
  buildah bud --isolation=chroot --layers --format docker --pull=never -f "$dockerfile" -t "$tag" "$context" >&2 &
  IMAGE_BUILD_PID=$!
  # A build stopped half-way (Ctrl-C, or the twin stopping) would leave buildah's working containers.
  trap 'image_build_stopped' INT TERM
  local status=0
  wait "$IMAGE_BUILD_PID" || status=$?
  trap - INT TERM
  return "$status"
}

image_build_stopped() {
  set +e  # buildah may have had the signal too and be gone already
  trap '' INT TERM
  kill -TERM "$IMAGE_BUILD_PID" 2>/dev/null
  wait "$IMAGE_BUILD_PID" 2>/dev/null
  local id
  for id in $(comm -13 <(echo "$IMAGE_BUILD_BEFORE") <(buildah containers -q 2>/dev/null | sort)); do
    buildah rm "$id" >/dev/null 2>&1
  done
  image_log "build stopped; its working containers are removed"
  exit 143
}

# True when TAG is in the engine's local store.
image_exists() {
  local engine=$1 tag=$2
  if [ "$engine" = docker ]; then
    docker image inspect "$tag" >/dev/null 2>&1
  else
    podman image exists "$tag" 2>/dev/null
  fi
}
