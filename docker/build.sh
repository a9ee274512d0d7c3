#!/usr/bin/env bash
# Builds the rmq container image (FROM scratch, nothing pulled) from a clean clone:
#
#   docker/build.sh                  # cargo build --release, stage, docker build -t rmq:4.9.7
#   docker/build.sh --no-cargo       # reuse the release binaries already built
#   docker/build.sh --stage-only DIR # only stage the build context into DIR (no docker needed)
#   options: --tag NAME:TAG, --bin-dir DIR (take mqnamesrv/mqbroker from DIR; implies --no-cargo)
#
# Needs: cargo, a running Docker engine (DOCKER_HOST is honoured), the Debian package
# busybox-static (a static /bin/busybox), ldd. The release binaries come from
# ${CARGO_TARGET_DIR:-<repo>/target}/release.
#
# Environment: RMQ_IMAGE (default rmq:4.9.7; rmq:latest is tagged too), RMQ_BUSYBOX (path of a
# static busybox, default /bin/busybox), DOCKER (docker CLI, default docker), CARGO (default cargo).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
version=4.9.7
image=${RMQ_IMAGE:-rmq:$version}
docker=${DOCKER:-docker}
cargo=${CARGO:-cargo}
busybox=${RMQ_BUSYBOX:-/bin/busybox}
target_dir=${CARGO_TARGET_DIR:-$repo/target}
case "$target_dir" in /*) ;; *) target_dir=$repo/$target_dir ;; esac

run_cargo=1
stage_only=
bin_dir=
while [ $# -gt 0 ]; do
    case "$1" in
        --no-cargo) run_cargo=0 ;;
        --stage-only) stage_only=${2:?--stage-only needs a directory}; shift ;;
        --tag) image=${2:?--tag needs a name}; shift ;;
        --bin-dir) bin_dir=${2:?--bin-dir needs a directory}; run_cargo=0; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

die() { echo "docker/build.sh: $*" >&2; exit 1; }

bins=(mqnamesrv mqbroker)
if [ "$run_cargo" = 1 ]; then
    echo "==> cargo build --release (target dir $target_dir)"
    (cd "$repo" && CARGO_TARGET_DIR="$target_dir" "$cargo" build --release --bin mqnamesrv --bin mqbroker)
fi
bin_dir=${bin_dir:-$target_dir/release}
for b in "${bins[@]}"; do
    [ -x "$bin_dir/$b" ] || die "$bin_dir/$b is missing; run without --no-cargo"
done

[ -x "$busybox" ] || die "no busybox at $busybox: apt-get install busybox-static"
if ldd "$busybox" >/dev/null 2>&1; then
    die "$busybox is dynamically linked; the image needs the static one (apt-get install busybox-static)"
fi

if [ -n "$stage_only" ]; then
    ctx=$stage_only
    rm -rf "$ctx"
    mkdir -p "$ctx"
else
    ctx=$(mktemp -d "${TMPDIR:-/tmp}/rmq-image-ctx.XXXXXX")
    trap 'rm -rf "$ctx"' EXIT
fi
root=$ctx/rootfs
home=$ctx/home/rocketmq
rmqhome=$home/rocketmq-$version
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/usr/local/lib/rmq" \
    "$rmqhome/bin" "$rmqhome/conf" "$home/logs" "$home/store"
chmod 1777 "$root/tmp"

echo "==> staging $ctx"
# busybox and its applets (sh, tee, mkfifo, sed, ...) as symlinks
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done

# our binaries (debug info stripped) and every shared library they load, at the same paths
for b in "${bins[@]}"; do
    cp "$bin_dir/$b" "$root/usr/local/lib/rmq/$b"
    if command -v strip >/dev/null 2>&1; then
        strip --strip-debug "$root/usr/local/lib/rmq/$b"
    fi
    chmod 755 "$root/usr/local/lib/rmq/$b"
    ldd "$bin_dir/$b" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]+ \(/ { print $1 }'
done | sort -u | while read -r lib; do
    [ -e "$lib" ] || die "shared library $lib not found"
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
if [ -z "$(find "$root" -name 'ld-linux*' -print -quit)" ]; then
    echo "docker/build.sh: warning: no dynamic loader copied; are the binaries static?" >&2
fi

cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
rocketmq:x:3000:3000:rocketmq:/home/rocketmq:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
rocketmq:x:3000:
nogroup:x:65534:
EOF
echo 'hosts: files dns' > "$root/etc/nsswitch.conf"

# ROCKETMQ_HOME: our entry scripts in bin/, the distribution's conf/
cp "$here"/bin/* "$rmqhome/bin/"
chmod 755 "$rmqhome"/bin/mq*
chmod 644 "$rmqhome/bin/rmq-common.sh"
cp -R "$repo/conf/." "$rmqhome/conf/"
find "$ctx/home" -type d -exec chmod 755 {} +
find "$rmqhome/conf" -type f -exec chmod 644 {} +

cp "$here/Dockerfile" "$ctx/Dockerfile"
echo "==> context: $(du -sh "$ctx" | cut -f1)"

if [ -n "$stage_only" ]; then
    echo "staged into $ctx (not built)"
    exit 0
fi

echo "==> $docker build -t $image"
"$docker" build -q --build-arg "version=$version" -t "$image" "$ctx" >/dev/null
case "$image" in
    *:*) latest=${image%:*}:latest ;;
    *) latest=$image:latest ;;
esac
[ "$latest" = "$image" ] || "$docker" tag "$image" "$latest"
size=$("$docker" image inspect -f '{{.Size}}' "$image")
echo "==> built $image ($latest): $size bytes ($((size / 1024 / 1024)) MiB)"
