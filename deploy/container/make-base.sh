#!/bin/sh
# A Debian bookworm base image from Debian's own packages (debootstrap), for machines that reach
# deb.debian.org but no container registry. Run as root: deploy/container/make-base.sh
set -eu
name=${1:-localhost/debian-bookworm-base}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root" http://deb.debian.org/debian
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import - "$name"
echo "built $name"
