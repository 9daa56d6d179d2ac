#!/usr/bin/env bash
# Builds Redis 8.0.2 from Debian's source tarball (checksum pinned) and prints the absolute path of
# its redis-server on stdout; everything else goes to stderr, the compiler's output to a log file.
#
#   .ci/redis-8.sh [DIR]    DIR defaults to jmh/target/redis in the repository
#
# Used by .ci/run (the Redis 8 leg) and jmh/run.sh (Jedis client-side caching needs Redis 7.4+).
# A binary already built in DIR is reused. Any failure (no curl, no network, a checksum mismatch,
# no compiler) exits non-zero with the reason: callers must never fall back to another Redis.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mkdir -p "${1:-$root/jmh/target/redis}" && cd "${1:-$root/jmh/target/redis}" && pwd)
src=$dir/redis-8.0.2
# With TLS built in (testkit's TLS servers need it; the build needs OpenSSL's headers). A build
# without the stamp, from before TLS, is made again.
if [[ ! -x $src/src/redis-server || ! -f $src/.built-with-tls ]]; then
  rm -rf "$src"
  echo "building Redis 8.0.2 from Debian's sources into $dir (log: $dir/build.log)" >&2
  tarball=$dir/redis_8.0.2.orig.tar.gz
  curl -fsSL -o "$tarball" http://deb.debian.org/debian/pool/main/r/redis/redis_8.0.2.orig.tar.gz
  echo "caf3c0069f06fc84c5153bd2a348b204c578de80490c73857bee01d9b5d7401f  $tarball" \
    | sha256sum -c --quiet >&2
  tar -xzf "$tarball" -C "$dir"
  # The ceiling keeps Redis' build from stamping this repository's git commit into its version.
  if ! GIT_CEILING_DIRECTORIES=$dir make -C "$src" -j"$(nproc)" BUILD_TLS=yes \
      > "$dir/build.log" 2>&1; then
    echo "building Redis 8.0.2 failed; the end of $dir/build.log:" >&2
    tail -n 20 "$dir/build.log" >&2
    exit 1
  fi
  touch "$src/.built-with-tls"
fi
echo "$(cd "$src/src" && pwd)/redis-server"
