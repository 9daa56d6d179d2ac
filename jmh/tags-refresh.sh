#!/usr/bin/env bash
# Measures what tags and refresh-ahead cost and give, in one run (about 20 minutes on 2 cores), and
# writes jmh/results/TAGS-REFRESH.md:
#   - the L1 hit of a cache without tags at BASE (default: the revision before tags) and now, each
#     jar's nearcacheGet beside its own Caffeine floor, the two jars in turn;
#   - the L1 hit of a tagged cache, and the heap a tagged entry costs;
#   - the refresh-ahead harness (io.nearcache.jmh.RefreshAhead).
#
#   jmh/tags-refresh.sh [BASE [extra JMH options]]
#
# The L1 hits run 6 forks each: with L1HitBenchmark's own 3, errors on 2 cores were near the score.
# BASE's jar is built in a temporary git worktree, with Maven's reactor: nothing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-4716c93}
shift || true
RAW=jmh/results/raw-tags-refresh
HEAD_JAR=jmh/target/benchmarks.jar
BASE_DIR=$(mktemp -d)
trap 'git worktree remove --force "$BASE_DIR/src" > /dev/null 2>&1 || true; rm -rf "$BASE_DIR"' EXIT

mvn -B -q -DskipTests package -pl jmh -am
git worktree add -q --detach "$BASE_DIR/src" "$BASE"
(cd "$BASE_DIR/src" && mvn -B -q -DskipTests package -pl jmh -am)
BASE_JAR=$BASE_DIR/src/jmh/target/benchmarks.jar

rm -rf "$RAW"
mkdir -p "$RAW"
UNTAGGED='L1HitBenchmark\.(caffeineTickedGetIfPresent|nearcacheGet)$'
TAGGED='L1HitBenchmark\.(caffeineTickedGetIfPresent|nearcacheGet|nearcacheTaggedGet)$'
for threads in 1 2; do
  java -jar "$BASE_JAR" "$UNTAGGED" -t $threads -f 6 -rf json -rff $RAW/base-l1-t$threads.json "$@"
  java -jar $HEAD_JAR "$TAGGED" -t $threads -f 6 -rf json -rff $RAW/head-l1-t$threads.json "$@"
done
java -Xms2g -Xmx2g -cp $HEAD_JAR io.nearcache.jmh.TaggedFootprint $RAW/footprint.json
java -cp $HEAD_JAR io.nearcache.jmh.RefreshAhead $RAW/refresh.json
java -cp $HEAD_JAR io.nearcache.jmh.report.TagsRefreshReport $RAW jmh/results "$BASE"
