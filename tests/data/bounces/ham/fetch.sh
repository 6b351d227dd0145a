#!/bin/sh
# Fetch set P's messages (see ../README.md, "Set P") into DIR, default ~/.cache/mailer/ham.
# They are not kept in the repository: they hold people's names and addresses. This is the one
# step of the corpus that uses the network; the benchmark that reads DIR talks to nothing.
set -eu
dir=${1:-"$HOME/.cache/mailer/ham"}
pkg=golang-github-gatherstars-com-jwz-dev
version=1.3.0-3
sha256=e334566616575deea2ceaaf094aaf71143b76f2af316a6e3466fc28d6fd4641c
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$pkg=$version" 2>/dev/null)
deb="$tmp/${pkg}_${version}_all.deb"
echo "$sha256  $deb" | sha256sum -c --quiet -
dpkg-deb -x "$deb" "$tmp/x"
mkdir -p "$dir"
cp "$tmp"/x/usr/share/gocode/src/github.com/gatherstars-com/jwz/test/testdata/ham/*.eml "$dir/"
echo "$(ls "$dir" | wc -l) messages in $dir"
