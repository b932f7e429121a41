#!/bin/sh
# A plugin that hangs and leaves a grandchild behind, for the exec timeout
# test: writes both PIDs to $1, then sleeps.  Both must die at the timeout.
sleep 1000 &
echo "$!" >"$1"
echo "$$" >>"$1"
sleep 1001
echo "OK - never printed"
