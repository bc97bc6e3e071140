#!/bin/sh
# The man page is complete on its own: every option that "streamstat help
# CMD" prints, for every command, every fit model and every exit code is
# described in man/streamstat.1 (see man_check.py).
set -eu
: "${STREAMSTAT:?set STREAMSTAT to the binary}"
/usr/bin/python3 "$(dirname "$0")/man_check.py" "$STREAMSTAT" "$(dirname "$0")/../../man/streamstat.1"
