#!/bin/sh
# Hook interpreter for the install tests: see pwsh-hook.mjs beside it.
exec node "$(dirname "$0")/pwsh-hook.mjs" "$@"
