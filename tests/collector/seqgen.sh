#!/bin/sh
# Test generator for the collector's exec input (influx format): each run
# emits the next N sequence numbers as points seq,src=t value=K K (time K
# ms), remembering the last one in COUNTER.  Stops emitting once
# COUNTER.stop exists.  With BASE the time is BASE+K ms instead.
# Usage: seqgen.sh COUNTER [N] [PAD] [BASE]
f=$1
n=${2:-5}
pad=${3:-}
base=${4:-0}
[ -e "$f.stop" ] && exit 0
k=$(cat "$f" 2>/dev/null || echo 0)
i=0
while [ $i -lt "$n" ]; do
	k=$((k + 1))
	i=$((i + 1))
	if [ -n "$pad" ]; then
		echo "seq,src=t,pad=$pad value=$k $((base + k))"
	else
		echo "seq,src=t value=$k $((base + k))"
	fi
done
echo "$k" >"$f.tmp" && mv "$f.tmp" "$f"
