#!/usr/bin/env bash
# Renders the committee report of a generated county in a real browser (headless Chromium) and
# checks what came out: a screenshot that is not blank and shows the heat map's colours, and a
# print to PDF on A4 pages. Part of the long tests (KETTE_LONG_TESTS=1 scripts/test.sh).
#
# KETTE_RENDER_DIR=DIR keeps the county, the page, the screenshot and the PDF in DIR to look at;
# otherwise everything goes to a throw-away directory.
#
# --large: instead of the small hand-made county, a generated one of 30 districts and 20,000 offers
# (kette-bench county, release build), with the committee page's budget checked: at most 4 A4
# pages, nothing printed outside the printable area (no clipped table), every district named, the
# heat map's labels and numbers at least 7 pt, and the appendix with the full lists written.
set -euo pipefail
large=0
[ "${1:-}" = "--large" ] && large=1
cd "$(dirname "$0")/.."
source scripts/setup.sh
# KETTE_BIN_DIR=DIR: use the kette and kette-bench in DIR instead of building them.

if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
    echo "installing: chromium poppler-utils" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium poppler-utils >/dev/null
fi

if [ -n "${KETTE_BIN_DIR:-}" ]; then
    # Binaries built already (the XCTest that runs this script holds SwiftPM's lock on .build).
    kette_binary="$KETTE_BIN_DIR/kette"
    bench_binary="$KETTE_BIN_DIR/kette-bench"
elif [ "$large" -eq 1 ]; then
    swift build -c release --product kette >/dev/null
    swift build -c release --product kette-bench >/dev/null
    kette_binary="$(swift build -c release --show-bin-path)/kette"
    bench_binary="$(swift build -c release --show-bin-path)/kette-bench"
else
    swift build --product kette >/dev/null
    kette_binary="$(swift build --show-bin-path)/kette"
fi

if [ -n "${KETTE_RENDER_DIR:-}" ]; then
    work="$KETTE_RENDER_DIR"
    rm -rf "$work/home"
    mkdir -p "$work"
else
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
fi
export KETTE_HOME="$work/home" LANG=de_DE.UTF-8 KETTE_TODAY=2026-04-14
kette() { "$kette_binary" "$@"; }

chrome=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --no-default-browser-check
        --user-data-dir="$work/chromium-profile")

if [ "$large" -eq 1 ]; then
    "$bench_binary" county --out "$KETTE_HOME" --districts 30 --offers 20000 --meetings 2000 >/dev/null
    page="$work/committee-report.html"
    kette report committee --period 2026-Q1 --title "Jugendhilfeausschuss: Bericht zur Präventionskette" \
        --out "$page" --appendix "$work/committee-appendix.html"
    "${chrome[@]}" --no-pdf-header-footer --print-to-pdf="$work/committee-report.pdf" "file://$page" >/dev/null 2>&1
    "${chrome[@]}" --no-pdf-header-footer --print-to-pdf="$work/committee-appendix.pdf" "file://$work/committee-appendix.html" >/dev/null 2>&1
    kette district list --json > "$work/districts.json"
    pdftotext -bbox-layout "$work/committee-report.pdf" "$work/committee-report.bbox.html"
    python3 - "$work" <<'PYTHON'
"""The committee page's budget, from the PDF Chromium printed."""
import json, re, subprocess, sys, html
work = sys.argv[1]
pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", f"{work}/committee-report.pdf"], capture_output=True, text=True).stdout).group(1))
appendix = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", f"{work}/committee-appendix.pdf"], capture_output=True, text=True).stdout).group(1))
print(f"committee report: {pages} A4 pages (appendix with the full lists: {appendix} pages)")
assert pages <= 4, f"the committee report takes {pages} pages, more than the budget of 4"
bbox = open(f"{work}/committee-report.bbox.html", encoding="utf-8").read()
page_boxes = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S)
words = []
for number, (width, height, body) in enumerate(page_boxes, 1):
    for x0, y0, x1, y1, text in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body):
        words.append((number, float(width), float(x0), float(y0), float(x1), float(y1), html.unescape(text)))
margin = 15 / 25.4 * 72  # the page's left and right margins (HTMLDocument.styles: 15 mm)
outside = [w for w in words if w[2] < margin - 2 or w[4] > w[1] - margin + 2]
assert not outside, f"text printed outside the printable area (a clipped table?): {outside[:5]}"
text = " ".join(w[6] for w in words)
names = [d["name"] for d in json.load(open(f"{work}/districts.json"))]
missing = [n for n in names if n.split()[0] not in text]
assert len(names) == 30 and not missing, f"districts missing from the page: {missing}"
first = [w for w in words if w[0] == 1]
labels = [w for w in first if w[6] == names[0].split()[0]]
assert labels, "the heat map's first district label is not on page 1"
label_height = min(w[5] - w[3] for w in labels)
top = min(w[3] for w in labels)
numbers = [w for w in first if w[6].isdigit() and w[3] >= top - 2 and w[2] > labels[0][4]]
number_height = min(w[5] - w[3] for w in numbers) if numbers else 0
print(f"heat map: district labels {label_height:.1f} pt high, cell numbers {number_height:.1f} pt high ({len(numbers)} numbers on page 1)")
assert label_height >= 7 and number_height >= 7, "the heat map is too small to read"
assert "weitere" in text, "long lists are cut with '… und N weitere'"
print("committee report renders: ok")
PYTHON
    exit 0
fi

# --- A county with known gaps and known duplicates ----------------------------------------------
kette init --name "Koordination Landkreis" >/dev/null
districts=(nordstadt:Nordstadt suedstadt:Südstadt weststadt:Weststadt oststadt:Oststadt altstadt:Altstadt
           hafenviertel:Hafenviertel lindenau:Lindenau muehlental:Mühlental)
for entry in "${districts[@]}"; do kette district add "${entry#*:}" --id "${entry%%:*}" >/dev/null; done
kette org add "Familienzentrum Regenbogen" --sector free-providers >/dev/null
kette org add "Gesundheitsamt" --sector health >/dev/null
kette org add "Jugendamt" --sector youth-welfare >/dev/null

phases=(pregnancy early-childhood preschool primary adolescence transition)
categories=(counselling education leisure sport support promotion health)
offers=()
for d in "${!districts[@]}"; do
    district="${districts[$d]%%:*}"
    for p in "${!phases[@]}"; do
        # 0 to 5 offers per cell; every seventh cell is left empty (a gap), and where a cell has
        # three or more offers, every other one has two of one category (a possible parallel structure).
        count=$(( (d * 7 + p * 3) % 6 ))
        [ $(( (d + 2 * p) % 7 )) -eq 0 ] && count=0
        for ((i = 0; i < count; i++)); do
            category="${categories[$(( (d + p + i) % 7 ))]}"
            [ "$i" -eq 2 ] && [ $(( (d + p) % 2 )) -eq 0 ] && category="${categories[$(( (d + p) % 7 ))]}"
            provider=("Familienzentrum Regenbogen" "Gesundheitsamt" "Jugendamt")
            offers+=("$(kette offer add --title "Angebot ${district^} ${phases[$p]} $((i + 1))" --district "$district" \
                --phase "${phases[$p]}" --category "$category" --provider "${provider[$(( i % 3 ))]}")")
        done
    done
done
# An ended offer does not close a gap.
kette offer add --title "Ehemaliges Elterncafé" --district nordstadt --phase pregnancy --category counselling --status ended >/dev/null

for i in "${!offers[@]}"; do
    [ $(( i % 3 )) -eq 0 ] || continue
    kette offer indicator "${offers[$i]}" --period 2025-Q4 --participants $(( 10 + i % 17 )) --sessions $(( 4 + i % 5 )) >/dev/null
    kette offer indicator "${offers[$i]}" --period 2026-Q1 --participants $(( 12 + i % 19 )) --sessions $(( 5 + i % 4 )) >/dev/null
done

kette body add "Steuerungsgruppe Präventionskette" --level steering >/dev/null
kette body add "Netzwerk Frühe Hilfen" --level network >/dev/null
kette body add "Sozialraumgruppe Nordstadt" --level working --district nordstadt >/dev/null
steering=$(kette meeting add --body "steuerungsgruppe" --date 2026-01-20 --place "Kreishaus" --minutes "Bestandsaufnahme" \
    --attendee "Anna Schmidt; Jugendamt; Koordination" --attendee "Dr. Ali Öztürk; Gesundheitsamt" \
    --attendee "Petra Krüger; Familienzentrum Regenbogen" --attendee "Jens Lange; Jugendamt")
kette meeting decide "$steering" "Lückenanalyse für Schwangerschaft und Geburt wird bis Mai vorgelegt" >/dev/null
kette meeting decide "$steering" "Parallele Sprachförderangebote in der Nordstadt werden abgestimmt" >/dev/null
kette task add "$steering" "Angebotsliste Frühe Hilfen aktualisieren" --owner "Anna Schmidt" --due 2026-02-28 >/dev/null
kette task add "$steering" "Träger der Sprachkitas zu einem Abstimmungstermin einladen" --owner "Petra Krüger" --due 2026-05-15 >/dev/null
network=$(kette meeting add --body "netzwerk frühe hilfen" --date 2026-03-11 --minutes "Austausch" \
    --attendee "Maria Weiß; Gesundheitsamt" --attendee "Olga Petrenko; Familienzentrum Regenbogen" --attendee "Uwe Bäcker")
kette meeting decide "$network" "Hebammensprechstunde im Hafenviertel wird geprüft" >/dev/null
kette task add "$network" "Bedarf an Hebammensprechstunden erheben" --owner "Maria Weiß" --due 2026-03-31 >/dev/null
kette task add "$network" "Flyer in leichter Sprache" --owner "Olga Petrenko" >/dev/null

page="$work/committee-report.html"
kette report committee --period 2026-Q1 --title "Jugendhilfeausschuss: Bericht zur Präventionskette" --out "$page"

# --- Render ---------------------------------------------------------------------------------------
"${chrome[@]}" --screenshot="$work/committee-report.png" --window-size=1240,1754 "file://$page" >/dev/null 2>&1
"${chrome[@]}" --no-pdf-header-footer --print-to-pdf="$work/committee-report.pdf" "file://$page" >/dev/null 2>&1

# --- Check ---------------------------------------------------------------------------------------
python3 - "$work/committee-report.png" "$work/committee-report.pdf" <<'PYTHON'
"""Checks the screenshot and the PDF without third-party packages: PNG decoded with zlib."""
import re, struct, sys, zlib

png_path, pdf_path = sys.argv[1], sys.argv[2]

def decode_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunk = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unexpected PNG format {header}"
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride): line[i] = (line[i] + line[i - channels]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = previous[i], previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows

width, height, channels, rows = decode_png(png_path)
counts = {}
for line in rows:
    for x in range(0, len(line), channels):
        key = (line[x], line[x + 1], line[x + 2])
        counts[key] = counts.get(key, 0) + 1
total = width * height
background = max(counts.values())
print(f"screenshot: {width}x{height}, {len(counts)} colours, most common covers {100 * background // total} %")
assert (width, height) == (1240, 1754), "the window size was not honoured"
assert len(counts) > 50 and background < 0.9 * total, "the page looks blank"
dark = sum(n for (r, g, b), n in counts.items() if r + g + b < 200)
assert dark > 2000, f"hardly any text on the page ({dark} dark pixels)"

# The heat map's fills (Client/Reports/CoverageHeatMap.swift, Shade.fill): gaps and blues.
shades = {"gap": (0xF4, 0xA5, 0x82), "1 offer": (0xC6, 0xDB, 0xEF), "2 offers": (0x6B, 0xAE, 0xD6),
          "3-4 offers": (0x21, 0x71, 0xB5), "5+ offers": (0x08, 0x30, 0x6B)}
def near(colour, wanted): return all(abs(a - b) <= 3 for a, b in zip(colour, wanted))
found = {name: sum(n for colour, n in counts.items() if near(colour, wanted)) for name, wanted in shades.items()}
print("heat map pixels:", ", ".join(f"{name} {n}" for name, n in found.items()))
assert found["gap"] > 500, "no gap cells in the heat map"
assert sum(1 for name, n in found.items() if name != "gap" and n > 500) >= 3, "the heat map's blue scale is missing"

pdf = open(pdf_path, "rb").read()
pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
boxes = set(re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf))
print(f"pdf: {pages} pages, media boxes {sorted(b.decode() for b in boxes)}")
assert pages >= 2, "the indicators, which start a page of their own, did not"
for box in boxes:
    x0, y0, x1, y1 = (float(v) for v in box.split())
    assert abs((x1 - x0) - 595.3) < 2 and abs((y1 - y0) - 841.9) < 2, f"not A4: {box}"
print("committee report renders: ok")
PYTHON
if [ -n "${KETTE_RENDER_DIR:-}" ]; then echo "page, screenshot and PDF: $work"; fi
