#!/usr/bin/env bash
# Runs the benchmark suite's short profile (about 14 minutes on 2 cores, 15 at most; each step
# prints the minute it starts at) and writes jmh/results/RESULTS.md and jmh/results/throughput.png
# from that one run.
#
#   jmh/run.sh                      the whole suite
#   jmh/run.sh -p workingSet=1000   extra JMH options, passed to every JMH run
#
# Redis: REDIS_URL if set (keys under a prefix unique to each trial, deleted afterwards); else
# testkit starts a redis-server per trial on a free loopback port. Jedis client-side caching needs
# Redis 7.4 or later; when the redis-server on PATH is older (Debian 12 ships 7.0), Redis 8.0.2 is
# built once from Debian's source tarball into jmh/target/redis (about a minute) and put first on
# PATH for this run.
#
# Redis Cluster: the L2 hit (nearcache's) and the propagation harness are measured on a testkit
# Redis Cluster too (three primaries, three replicas on free loopback ports, started per trial),
# beside the standalone figures of the same run. That cluster is always testkit's: with REDIS_URL
# set, it runs the redis-server on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=jmh/results
RAW=$RESULTS/raw
JAR=jmh/target/benchmarks.jar

mvn -B -q -DskipTests install

redis_at_least_7_4() {
  local version
  version=$(redis-server --version 2>/dev/null | sed -n 's/.*v=\([0-9]*\.[0-9]*\).*/\1/p')
  [[ -n "$version" ]] && printf '7.4\n%s\n' "$version" | sort -V -C
}

if [[ -z "${REDIS_URL:-}" ]] && ! redis_at_least_7_4; then
  echo "redis-server on PATH is older than 7.4: using Redis 8.0.2 built from Debian's sources"
  REDIS_BIN=$(.ci/redis-8.sh jmh/target/redis)
  export PATH="${REDIS_BIN%/redis-server}:$PATH"
fi
if ! command -v redis-server > /dev/null; then
  echo "redis-server not on PATH: the cluster rows run on testkit's cluster, REDIS_URL or not" >&2
  exit 1
fi
REDIS_VERSION=${REDIS_URL:+"REDIS_URL"}
TESTKIT_REDIS="Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')"
REDIS_VERSION=${REDIS_VERSION:+"$REDIS_VERSION · cluster rows on testkit's $TESTKIT_REDIS"}
REDIS_VERSION=${REDIS_VERSION:-$TESTKIT_REDIS}

# Each step's start, minutes into the run, so that the run's length can be read off its output.
step() {
  printf '== %s (%d:%02d)\n' "$1" $((SECONDS / 60)) $((SECONDS % 60))
}

EXTRA=("$@")
rm -rf "$RAW"
mkdir -p "$RAW"
# The L1 hits with a target row; the tagged hit is tags-refresh.sh's, getIfPresent's hit is get's.
L1_HITS='L1HitBenchmark\.(caffeine(Ticked)?GetIfPresent|nearcacheGet(NoStats)?'
L1_HITS="$L1_HITS|redissonLocalCachedMapGet|jedisClientSideCacheGet)\$"
step "L1 hit, 1 thread"
java -jar $JAR "$L1_HITS" -t 1 -rf json -rff $RAW/l1-t1.json "$@"
step "L1 hit, 2 threads"
java -jar $JAR "$L1_HITS" -t 2 -rf json -rff $RAW/l1-t2.json "$@"
# The Redis-path benchmarks run on one CPU, with the redis-server each trial starts (it inherits the
# affinity): across two vCPUs, every round trip pays for waking the other one, and which CPUs a
# fork's client thread and server landed on swung whole forks between 52 and 75 us a GET. On one
# CPU a GET costs about 10 us, the same in every fork, and what remains is the read path itself.
# The L2 hit's cluster trial inherits the pin too: its six redis-servers share that one CPU.
PIN=()
if [[ -n "${REDIS_URL:-}" ]]; then
  : # a Redis of the user's: not ours to pin
elif command -v taskset > /dev/null; then
  PIN=(taskset -c 0)
  REDIS_VERSION="$REDIS_VERSION · L2 hit, miss and fill, put, getAll on one CPU with their Redis"
  REDIS_VERSION="$REDIS_VERSION (taskset; the L2 hit's cluster: all six nodes on that CPU)"
else
  echo "taskset not found: the Redis-path benchmarks run unpinned, their figures swing by fork"
fi
step "Redis paths, one CPU"
"${PIN[@]}" java -jar $JAR '(L2Hit|Put|GetAll)Benchmark' -rf json -rff $RAW/redis.json "$@"
# The miss benchmarks, fork by fork in ABBA order (the baseline's fork, then nearcache's; then
# nearcache's, then the baseline's; ...), each fork a JMH run of its own that Report pools with
# its benchmark's other forks. JMH runs every fork of one benchmark before the next, so a VM whose
# speed drifts over those minutes put its drift into the ratio: one build's miss ratio moved from
# 1.34x to 1.53x between runs on 2026-12-07. Interleaved, both sides see the same drift.
interleave() {  # benchmark class, baseline method, nearcache method, rounds
  local round first second
  for ((round = 1; round <= $4; round++)); do
    if ((round % 2)); then first=$2 second=$3; else first=$3 second=$2; fi
    for method in "$first" "$second"; do
      "${PIN[@]}" java -jar $JAR "$1\.$method\$" -f 1 -rf json \
        -rff "$RAW/$1-$round-$method.json" "${EXTRA[@]}"
    done
  done
}
interleave MissFillBenchmark rawJedisCacheAside nearcacheGet 3
interleave MissFillAllBenchmark rawJedisCacheAside nearcacheGetAll 2
# Where a miss spends its time: Redis' CPU and commands beside the client's, on the same CPU.
step "miss profile"
"${PIN[@]}" java -cp $JAR io.nearcache.jmh.MissProfile $RAW/missprofile.json
step "serializers"
java -jar $JAR 'SerializerBenchmark' -rf json -rff $RAW/serializers.json "$@"
# Unpinned; nearcache on one Redis, on a testkit cluster, and Redisson, in alternating blocks.
step "propagation"
java -cp $JAR io.nearcache.jmh.Propagation $RAW/propagation.json 2000
step "fan-out"
java -cp $JAR io.nearcache.jmh.FanOut $RAW/fanout.json 2000 20,100
# Heap per L1 entry against bare Caffeine, and an idle client's CPU beside a bare JVM's.
step "heap per entry, idle CPU"
java -Xms3g -Xmx3g -cp $JAR io.nearcache.jmh.L1Footprint $RAW/footprint.json
java -cp $JAR io.nearcache.jmh.IdleCpu $RAW/idle.json
step "report"
java -Djava.awt.headless=true -cp $JAR io.nearcache.jmh.report.Report $RAW $RESULTS \
  "$REDIS_VERSION"
step "done"
