#!/bin/sh
# Entrypoint of the `mongodb` service (docker-compose.yml): makes sure the replica set's keyfile exists, then
# hands over to the mongo image's own entrypoint with the same command.
#
# A replica set with access control needs its members to authenticate to each other; the keyfile is their shared
# secret (and with it mongod turns authorization on). It is made once, on the first start, in the volume mounted
# for it, and kept: a member added later must be given the same file (docs/operations.md).
#
# The keyfile's path is the one given to mongod with --keyFile, so the command stays the only place that names it.
# mongod refuses a keyfile that anyone but its owner can read, so it is made mode 400 and, when this runs as root
# (as the container starts), owned by the image's mongodb user (uid 999).
set -eu

keyfile=
prev=
for arg in "$@"; do
  case "$arg" in
    --keyFile=*) keyfile=${arg#--keyFile=} ;;
  esac
  if [ "$prev" = --keyFile ]; then keyfile=$arg; fi
  prev=$arg
done
if [ -z "$keyfile" ]; then
  echo "mongo-entrypoint: the command has no --keyFile: authentication on a replica set needs one" >&2
  exit 1
fi

if [ ! -s "$keyfile" ]; then
  umask 077
  # 756 random bytes are 1,008 base64 characters: within mongod's 6 to 1,024, all from the set it accepts.
  head -c 756 /dev/urandom | base64 | tr -d '\n' > "$keyfile.partial"
  mv "$keyfile.partial" "$keyfile"
  echo "mongo-entrypoint: made the replica set keyfile $keyfile" >&2
fi
if [ "$(id -u)" = 0 ]; then
  chown 999:999 "$keyfile"
fi
chmod 400 "$keyfile"

exec docker-entrypoint.sh "$@"
