#!/bin/sh
# bench/city-fanout.sh [VAR]: medians of 21 request times through the city
# hub of a running `tools/demo-city --no-console --var VAR` (default
# ./var/demo-city) against the same request on Futian's hub directly
# (docs/scale.md "A city hub over district hubs").
VAR=${1:-var/demo-city}
med() { # label curl-args...
	l=$1; shift
	for i in $(seq 21); do curl -s -o /dev/null -w '%{time_total}\n' "$@"; done | sort -n | awk -v l="$l" '{a[NR]=$1} END{printf "%s: %.1f ms\n", l, a[11]*1000}'
}
S=$VAR/city/citybraind.sock
F=$VAR/futian/citybraind.sock
med "city alerts (merged, 2 districts)" --unix-socket $S "http://c/api/v1/alerts"
med "futian alerts (direct)" --unix-socket $F "http://c/api/v1/alerts"
med "city overview (merged)" --unix-socket $S "http://c/api/v1/overview"
med "futian overview (direct)" --unix-socket $F "http://c/api/v1/overview"
med "city query water_level 1h raw (merged)" --unix-socket $S "http://c/api/v1/query?q=water_level&start=now-1h"
med "futian query water_level 1h raw (direct)" --unix-socket $F "http://c/api/v1/query?q=water_level&start=now-1h"
med "city districts" --unix-socket $S "http://c/api/v1/districts"
