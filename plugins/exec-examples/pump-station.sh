#!/bin/sh
# Example exec plugin in shell, Nagios format: checks a pump station's
# pressure and reports it as performance data.
#
#   {"type": "exec", "name": "pump-ft-03", "interval": "30s",
#    "timeout": "10s", "format": "nagios",
#    "command": ["/usr/local/lib/citybrain/exec/pump-station.sh",
#                "--station", "FT-PS-03", "-w", "250", "-c", "300"],
#    "tags": {"system": "water-supply", "grid": "440304001003007"}}
#
# Installed in $(pkglibdir)/exec: /usr/local/lib/citybrain/exec after make
# install, /usr/lib/<arch>/citybrain/exec from the citybrain-collector package.
#
# The exit code is the state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
# The first line is "TEXT | perfdata"; perfdata is
# 'label'=value[UOM];warn;crit;min;max.
set -u
station=FT-PS-01
warn=250
crit=300
while [ $# -gt 0 ]; do
	case "$1" in
	--station) station=$2; shift 2 ;;
	-w) warn=$2; shift 2 ;;
	-c) crit=$2; shift 2 ;;
	*) echo "UNKNOWN - usage: $0 [--station ID] [-w KPA] [-c KPA]"; exit 3 ;;
	esac
done

# A real plugin would ask the station's gateway, e.g.:
#   pressure=$(curl -fsS "http://gw.$station.local/api/pressure") || {
#           echo "UNKNOWN - gateway of $station not answering"; exit 3; }
# This example makes a plausible reading up from the clock.
sec=$(date +%S)
min=$(date +%M)
pressure=$(( 200 + ${sec#0} ))
flow=$(( 40 + ${min#0} % 20 ))

state=0
label=OK
if [ "$pressure" -ge "$crit" ]; then
	state=2; label=CRITICAL
elif [ "$pressure" -ge "$warn" ]; then
	state=1; label=WARNING
fi
echo "PUMP $label - $station pressure ${pressure} kPa | 'pressure'=${pressure}kPa;$warn;$crit;0;400 'flow rate'=${flow};;;0"
echo "station $station, 2 of 3 pumps running"
exit $state
