#!/bin/sh
# The standby of the `ha` profile: on its first start it copies the primary with pg_basebackup
# (-R writes standby.signal and primary_conninfo; -C -S keeps a replication slot on the primary so
# WAL it has not received yet is retained), then runs as a hot standby until an operator promotes
# it (`docker-compose exec -u postgres db-standby pg_ctl promote`).
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h db -U "$POSTGRES_USER" -d "$POSTGRES_DB"; do sleep 1; done
  PGPASSWORD="$FUYI_REPLICATION_PASSWORD" pg_basebackup -h db -U replicator -D "$PGDATA" \
    -X stream -R -C -S standby_1 --checkpoint=fast
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on
