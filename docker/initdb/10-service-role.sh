#!/bin/sh
# Runs once, when the database volume is first initialised: the login role the service connects
# as. It is a member of `fuyi_app`, which the migrations grant row access to; the tables belong to
# POSTGRES_USER, which runs the migrations (FUYI_MIGRATION_DATABASE_URL), so the service cannot
# alter them or disable the triggers that keep case history and the audit append-only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$FUYI_SERVICE_DB_PASSWORD" <<'SQL'
CREATE ROLE fuyi_app NOLOGIN;
CREATE ROLE fuyi_service LOGIN PASSWORD :'password' IN ROLE fuyi_app;
SQL
