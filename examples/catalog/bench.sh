#!/usr/bin/env bash
# The catalog benchmark: the service in modes none, redis and near under autocannon (500
# connections, 10,000 listing requests), then the consistency run; writes
# examples/catalog/results/RESULTS.md and latency.png. Not part of mvn verify.
#
#   examples/catalog/bench.sh                 PostgreSQL on 127.0.0.1:5432 if it answers, else H2
#   CATALOG_JDBC_URL=jdbc:postgresql://... examples/catalog/bench.sh
#
# Needs JDK 17, Maven, Node.js and npm (autocannon is installed from package-lock.json). Redis is a
# redis-server of its own on a free port (testkit), never the one on 6379.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -DskipTests install
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
mvn -B -q -f examples/pom.xml exec:java \
  -Dexec.mainClass=io.nearcache.examples.catalog.bench.CatalogBench \
  -Dexec.args="examples/catalog examples/catalog/results $JDBC"
cat examples/catalog/results/RESULTS.md
