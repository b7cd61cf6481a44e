#!/usr/bin/env bash
# CI set-up for the Wine tests (test/e2e/wine.test.ts). Idempotent and quick when already done;
# .ci/run calls it after `npm ci`.
#  1. Wine (Debian 12: package wine64, launcher `wine`).
#  2. A Wine prefix reporting Windows 10 (Node refuses the Windows 7 of a default prefix), created
#     once in the cached folder the tests use (WINEPREFIX, default ~/.cache/altazion-wine): the
#     first creation takes tens of seconds, later runs reuse it.
set -euo pipefail
say() { echo "test/setup/wine: $*"; }

if ! command -v wine >/dev/null 2>&1 && ! command -v wine64 >/dev/null 2>&1; then
  say "installing wine64"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends wine wine64 >/dev/null
fi
wine_bin="$(command -v wine || command -v wine64)"

export WINEPREFIX="${WINEPREFIX:-$HOME/.cache/altazion-wine}"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/.altazion-win10" ]; then
  say "creating the Wine prefix $WINEPREFIX (Windows 10)"
  mkdir -p "$WINEPREFIX"
  # Same lock and marker as test/helpers/wine.ts.
  flock /tmp/altazion-wineprefix.lock sh -c "'$wine_bin' wineboot -i >/dev/null 2>&1; '$wine_bin' winecfg -v win10 >/dev/null 2>&1; wineserver -w 2>/dev/null; true"
  echo win10 > "$WINEPREFIX/.altazion-win10"
fi
