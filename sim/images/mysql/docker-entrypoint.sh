#!/bin/sh
# kubesim's mysql image: Debian's MariaDB, set up the way the official image's entrypoint
# sets up MySQL: an empty data directory is initialised first (root's password from
# MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER and MYSQL_PASSWORD), then the server
# listens on 3306 on every address of the pod.
set -e
datadir=/var/lib/mysql
case "$1" in -*) set -- mysqld "$@" ;; esac
if [ "$1" != mysqld ] && [ "$1" != mariadbd ]; then
  exec "$@"
fi
shift
quote() { printf "%s" "$1" | sed "s/'/''/g"; }
init=""
if [ ! -d "$datadir/mysql" ]; then
  if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "$MYSQL_ALLOW_EMPTY_PASSWORD" ] && [ -z "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
    echo "error: database is uninitialized and password option is not specified" >&2
    echo "  You need to specify one of the following as an environment variable:" >&2
    echo "  - MYSQL_ROOT_PASSWORD" >&2
    echo "  - MYSQL_ALLOW_EMPTY_PASSWORD" >&2
    echo "  - MYSQL_RANDOM_ROOT_PASSWORD" >&2
    exit 1
  fi
  echo "Initializing database files"
  mariadb-install-db --no-defaults --user=root --datadir="$datadir" \
    --auth-root-authentication-method=normal --skip-test-db >/dev/null
  init=/run/mysqld/init.sql
  mkdir -p /run/mysqld
  pw=$(quote "$MYSQL_ROOT_PASSWORD")
  {
    # The official image has no anonymous users nor host-named roots; an anonymous
    # ''@'HOSTNAME' would win over 'root'@'%' for a client whose address names this host.
    host=$(hostname)
    echo "DROP USER IF EXISTS ''@'localhost', ''@'$host', 'root'@'$host', 'root'@'127.0.0.1', 'root'@'::1';"
    echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '$pw';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';"
    if [ -n "$MYSQL_DATABASE" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
    fi
    if [ -n "$MYSQL_USER" ]; then
      echo "CREATE USER IF NOT EXISTS '$(quote "$MYSQL_USER")'@'%' IDENTIFIED BY '$(quote "$MYSQL_PASSWORD")';"
      [ -z "$MYSQL_DATABASE" ] || echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$(quote "$MYSQL_USER")'@'%';"
    fi
  } > "$init"
fi
mkdir -p /run/mysqld
echo "Starting the server: ready for connections on port 3306"
exec mariadbd --no-defaults --user=root --datadir="$datadir" --bind-address=0.0.0.0 \
  --port=3306 --socket=/run/mysqld/mysqld.sock ${init:+--init-file="$init"} "$@"
