#!/bin/sh
# Every program answers --help and --version (exit 0) and rejects an
# unknown flag with its usage on stderr (exit 2).
. "$top_srcdir/tests/integration/lib.sh"

for prog in hub/citybraind tui/citybrain collectors/citybrain-collector; do
	bin="$top_builddir/$prog"
	name=$(basename "$prog")
	out=$("$bin" --help 2>&1)
	cb_assert_eq 0 $? "$name --help exit status"
	cb_assert_contains "$out" "Usage: $name" "$name --help"
	out=$("$bin" --version 2>&1)
	cb_assert_eq 0 $? "$name --version exit status"
	cb_assert_contains "$out" "$name (citybrain) " "$name --version"
	out=$("$bin" --no-such-flag 2>&1 >/dev/null)
	cb_assert_eq 2 $? "$name --no-such-flag exit status"
	cb_assert_contains "$out" "Usage: $name" "$name --no-such-flag"
done
cb_done
