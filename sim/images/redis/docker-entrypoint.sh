#!/bin/sh
# kubesim's redis image: Debian's redis-server, run as the official image runs it: in
# /data (where it saves), listening on 6379 on every address of the pod, and with protected
# mode off unless a configuration file or an option says otherwise (the official build
# turns it off by default).
set -e
case "$1" in -*|*.conf) set -- redis-server "$@" ;; esac
if [ "$1" != redis-server ]; then
  exec "$@"
fi
shift
cd /data
case "$1 $*" in
  *.conf\ *|*protected-mode*) exec redis-server "$@" ;;
esac
exec redis-server "$@" --protected-mode no
