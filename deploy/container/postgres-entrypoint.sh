#!/bin/sh
# First start: a cluster whose superuser is growthbot (password POSTGRES_PASSWORD) and a growthbot database.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pwfile
    initdb --encoding=UTF8 --locale=C.UTF-8 --username=growthbot --pwfile=/tmp/pwfile --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f /tmp/pwfile
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    echo "CREATE DATABASE growthbot" | postgres --single -D "$PGDATA" postgres >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
