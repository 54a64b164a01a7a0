#!/usr/bin/env bash
# The main job on embedded defaults: a coordinator's offline day, scripted, in a fresh store.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --product kette >/dev/null
kette="$(swift build --show-bin-path)/kette"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
k() {
    local shown="\$ kette" word
    for word in "$@"; do [[ "$word" == *" "* ]] && shown+=" \"$word\"" || shown+=" $word"; done
    echo "$shown"
    "$kette" --home "$home" "$@"
    echo
}

echo "== A coordinator's field day, offline, in $home"
k init --name "Anna Schmidt (Koordination)"
k district add Nordstadt --id nordstadt
k district add "Südstadt" --id suedstadt
k org add "Familienzentrum Regenbogen" --kind "freier Träger" --sector free-providers
k org add "Gesundheitsamt" --kind "öffentlicher Träger" --sector health
offer=$("$kette" --home "$home" offer add --title "Sprachförderung in der Kita" --district nordstadt \
    --phase preschool,early-childhood --category promotion --sector youth-welfare --provider "familienzentrum regenbogen" \
    --description "Alltagsintegrierte Sprachförderung für Kinder mit Deutsch als Zweitsprache" --languages de,tr,ar --cost free)
echo "recorded offer $offer"
"$kette" --home "$home" offer add --title "Hebammensprechstunde" --district "südstadt" --phase pregnancy \
    --category health --provider gesundheitsamt --location "Stadtteilbüro Süd" --schedule "dienstags 9–11 Uhr" >/dev/null
k offer list
k offer edit "${offer:0:8}" --status planned --contact "Frau Yılmaz"
LANG=de_DE.UTF-8 k offer show "${offer:0:8}"
k body add "Steuerungsgruppe Präventionskette" --level steering
meeting=$("$kette" --home "$home" meeting add --body steuerungsgruppe --date 2026-03-14 --time 09:30 --place "Rathaus, Raum 2" \
    --attendee "Dr. Petra Müller; Gesundheitsamt; Leitung" --attendee "Ali Öztürk; Jugendamt; Jugendhilfeplanung" \
    --minutes "Bestandsaufnahme der Angebote im Übergang Kita–Grundschule.")
k meeting agenda "${meeting:0:8}" "Lückenanalyse Frühe Hilfen" --notes "Zu wenige Hebammenangebote in der Nordstadt."
k meeting decide "${meeting:0:8}" "Eine Facharbeitsgruppe Frühe Hilfen wird eingerichtet."
k task add "${meeting:0:8}" "Angebotsübersicht Nordstadt aktualisieren" --owner "Ali Öztürk" --due 2026-04-01
LANG=de_DE.UTF-8 k meeting show "${meeting:0:8}"
k search hebamme
k task list --open
k status
echo "== Every change above waits in the outbox as one change set per action, ready to sync."
