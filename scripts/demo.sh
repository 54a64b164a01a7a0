#!/usr/bin/env bash
# The main job on embedded defaults: a county server on loopback with a fresh database, a county
# office and coordinators of two districts recording offline in their own stores, a sync, the
# county's merged view, and one conflict being resolved.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --product kette >/dev/null
swift build --product kette-server >/dev/null
bin="$(swift build --show-bin-path)"
work="$(mktemp -d)"
server_pid=""
# The server finishes its shutdown (its last checkpoint writes to $work) before $work goes.
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

show() {
    local shown="\$" word
    for word in "$@"; do [[ "$word" == *" "* ]] && shown+=" \"$word\"" || shown+=" $word"; done
    echo "$shown"
}
# kette in a named store: k STORE ARGS…
k() { local store="$1"; shift; echo "$(show kette "$@")   # $store"; "$bin/kette" --home "$work/$store" "$@" || true; echo; }
ks() { "$bin/kette" --home "$work/$1" "${@:2}"; }
# The eight-character code lists show for an id: the random end of a time-ordered (version-7) id,
# the start of any other, as RecordIdentifier.shortCode makes it.
code() { if [[ ${#1} -eq 36 && ${1:14:1} == 7 ]]; then echo "${1: -8}"; else echo "${1:0:8}"; fi; }
admin() { show kette-server "$@"; "$bin/kette-server" "$@" --db "$work/county.db"; }

echo "== The county office sets up its server (fresh database in $work)"
admin district add nordstadt Nordstadt
admin district add suedstadt "Südstadt"
admin district list
county_token=$(admin user add kreis --role county 2>/dev/null | tail -1)
anna_token=$(admin user add anna --role coordinator --district nordstadt 2>/dev/null | tail -1)
bert_token=$(admin user add bert --role coordinator --district suedstadt 2>/dev/null | tail -1)
admin user list
port=$((20000 + RANDOM % 20000))
"$bin/kette-server" serve --db "$work/county.db" --port "$port" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do grep -q "127.0.0.1:$port" "$work/server.log" 2>/dev/null && break; sleep 0.1; done   # the start line, in any language
cat "$work/server.log"
url="http://127.0.0.1:$port"
echo

echo "== Three stores: the county office and the coordinators of Nordstadt and Südstadt"
for pair in "kreis:$county_token" "anna:$anna_token" "bert:$bert_token"; do
    store="${pair%%:*}"; token="${pair#*:}"
    ks "$store" init --name "$store" >/dev/null
    ks "$store" remote "$url" --token "$token" >/dev/null
    ks "$store" sync >/dev/null
done
echo "(each: kette init, kette remote $url --token …, kette sync)"
echo

echo "== Offline in the field: Anna in Nordstadt, Bert in Südstadt"
k anna org add "Familienzentrum Regenbogen" --sector free-providers
offer=$(ks anna offer add --title "Sprachförderung in der Kita" --district nordstadt --phase preschool,early-childhood \
    --category promotion --provider "familienzentrum regenbogen" --languages de,tr,ar --cost free)
echo "\$ kette offer add --title \"Sprachförderung in der Kita\" --district nordstadt …   # anna -> $offer"
k anna body add "Netzwerk Frühe Hilfen Nordstadt" --level network --district nordstadt
meeting=$(ks anna meeting add --body "netzwerk frühe hilfen" --date 2026-03-14 --time 09:30 --place "Familienzentrum" \
    --attendee "Dr. Petra Müller; Gesundheitsamt; Leitung" --attendee "Ali Öztürk; Jugendamt; Jugendhilfeplanung" \
    --minutes "Bestandsaufnahme: zu wenige Hebammenangebote im Quartier.")
echo "\$ kette meeting add --body \"netzwerk frühe hilfen\" --date 2026-03-14 …   # anna -> $meeting"
k anna meeting decide "$(code "$meeting")" "Eine Hebammensprechstunde im Familienzentrum wird geplant."
k anna task add "$(code "$meeting")" "Träger für Hebammensprechstunde ansprechen" --owner "Ali Öztürk" --due 2026-04-15
k bert offer add --title "Hausaufgabenhilfe an der Grundschule Süd" --district "südstadt" --phase primary --category education
k bert offer add --title "Jugendtreff am Bahnhof" --district suedstadt --phase adolescence --category leisure
k anna status

echo "== Back online: everyone syncs"
k anna sync
k bert sync
k kreis sync

echo "== The county's merged view"
k kreis offer list
LANG=de_DE.UTF-8 k kreis meeting show "$(code "$meeting")"
k kreis search hebamme

echo "== A conflict: Anna and the county office rename the same offer without seeing each other"
k anna offer edit "$(code "$offer")" --title "Sprachförderung Kita Regenbogen"
k kreis offer edit "$(code "$offer")" --title "Alltagsintegrierte Sprachförderung"
k anna sync
k kreis sync
k anna sync
k anna conflicts
conflict=$(ks anna conflicts --json | sed -n 's/.*"id" : "\([0-9a-f-]*\)".*/\1/p' | head -1)
k anna conflicts resolve "$(code "$conflict")" --keep mine
k anna sync
k kreis sync
k kreis offer show "$(code "$offer")"
k kreis conflicts
echo "== Done: every store holds the same merged state."
