#!/usr/bin/env bash
# The catalog benchmark: the service in modes none, redis and near under autocannon (500
# connections, 10,000 listing requests); then the mixed runs, 20 s each of the same load: three
# rounds of near alone and near (tag invalidation) with 20 price updates a second, then near-all
# (invalidateAll) with the same updates; then the consistency run. Writes
# examples/catalog/results/RESULTS.md, latency.png and raw/. Not part of mvn verify; about 5
# minutes on 2 cores.
#
#   examples/catalog/bench.sh                 PostgreSQL on 127.0.0.1:5432 if it answers, else H2
#   CATALOG_JDBC_URL=jdbc:postgresql://... examples/catalog/bench.sh
#
# Needs JDK 17, Maven, Node.js and npm (autocannon is installed from package-lock.json). Redis is a
# redis-server of its own on a free port (testkit), never the one on 6379.
#
# It builds the examples module only, against the nearcache modules installed in ~/.m2: install
# those first (`mvn -B -q -DskipTests install` from the root) when they changed. The script installs
# nothing itself, so that it never replaces the snapshot jars other builds on the machine use.
# MAVEN_FLAGS are added to each mvn call: on a machine where another build installs snapshots while
# the benchmark runs, `MAVEN_FLAGS="-o -Dmaven.repo.local=<a copy of ~/.m2/repository>"` keeps the
# jars from changing under it.
set -euo pipefail
cd "$(dirname "$0")/../.."
read -r -a mvn_flags <<< "${MAVEN_FLAGS:-}"
mvn -B -q "${mvn_flags[@]}" -f examples/pom.xml compile
(cd examples/catalog && npm ci --no-audit --no-fund --loglevel=error)
JDBC=${CATALOG_JDBC_URL:-}
if [[ -z $JDBC ]] && command -v pg_isready > /dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  # A database of its own, so that the benchmark's tables meet nobody else's.
  if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'catalog_bench'" \
      | grep -q 1; then
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE catalog_bench"
  fi
  JDBC="jdbc:postgresql://127.0.0.1:5432/catalog_bench?user=postgres&reWriteBatchedInserts=true"
fi
[[ -z $JDBC ]] && echo "PostgreSQL not reachable: using the embedded H2 database"
mvn -B -q "${mvn_flags[@]}" -f examples/pom.xml exec:java \
  -Dexec.mainClass=io.nearcache.examples.catalog.bench.CatalogBench \
  -Dexec.args="examples/catalog examples/catalog/results $JDBC"
cat examples/catalog/results/RESULTS.md
