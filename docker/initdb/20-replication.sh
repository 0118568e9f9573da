#!/bin/sh
# Runs once, when the primary's volume is first initialised: the role the standby of the `ha`
# profile streams WAL as, and the pg_hba line that lets it connect for replication. Harmless
# without a standby.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$FUYI_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
