#!/usr/bin/env bash
# Builds both Debian packages (scripts/package.sh) and checks them the way a county's IT
# department would meet them: their control data, files and modes (dpkg-deb), then `dpkg -i` into
# a fresh Debian 12 root (debootstrap --variant=minbase, cached in .build-package/ after the first
# run) that has only what the packages' Depends name installed, and there: the programs run
# against Debian's libraries only (ldd), the system user, folders and modes postinst makes, the
# installed units pass `systemd-analyze verify`, the server serves with the shipped settings, the
# backup service's command keeps its copies, and a purge removes what it should and keeps the data.
# Needs root (chroot) and Debian's package mirror; about 10 minutes on 2 cores the first time.
# KETTE_LONG_TESTS=1 swift test runs it too (PackageTests).
#   scripts/package-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
checks=0
failures=0
check() {  # check DESCRIPTION COMMAND…: runs COMMAND, counts and reports the outcome
    local description=$1; shift
    checks=$((checks + 1))
    if "$@"; then echo "ok: $description"; else echo "FAILED: $description" >&2; failures=$((failures + 1)); fi
}

debs=$repo/.build-package/debs
rm -rf "$debs"
scripts/package.sh "$debs" > /dev/null
version=$(.build-package/release/kette --version | awk '{print $2}')
client=$debs/kette_${version}_amd64.deb
server=$debs/kette-server_${version}_amd64.deb

# 1. What dpkg-deb says about the packages.
field() { dpkg-deb -f "$1" "$2"; }
depends_are_debian_libraries() {  # every Depends entry is a package of Debian's archive, none from Swift
    local package names
    names=$(field "$1" Depends | tr ',' '\n' | sed 's/(.*)//; s/ //g')
    [ -n "$names" ] || return 1
    for package in $names; do
        apt-cache show "$package" >/dev/null 2>&1 || { echo "  $package is not in Debian's archive" >&2; return 1; }
        case $package in *swift*) echo "  $package is a Swift package" >&2; return 1 ;; esac
    done
}
mode_of() { dpkg-deb -c "$1" | awk -v path="./$2" '$6 == path { print $1 " " $2 }'; }
check "kette is version $version, amd64" test "$(field "$client" Version) $(field "$client" Architecture)" = "$version amd64"
check "kette-server is version $version, amd64" test "$(field "$server" Version) $(field "$server" Architecture)" = "$version amd64"
check "kette depends only on Debian's libraries" depends_are_debian_libraries "$client"
check "kette-server depends only on Debian's libraries" depends_are_debian_libraries "$server"
check "kette-server depends on libmicrohttpd12, libsqlite3-0 and adduser" \
    sh -c "dpkg-deb -f '$server' Depends | grep -q libmicrohttpd12 && dpkg-deb -f '$server' Depends | grep -q libsqlite3-0 && dpkg-deb -f '$server' Depends | grep -q adduser"
check "kette depends on libcurl4" sh -c "dpkg-deb -f '$client' Depends | grep -q libcurl4"
for entry in "usr/bin/kette -rwxr-xr-x" "usr/share/man/man1/kette.1.gz -rw-r--r--" "usr/share/man/de/man1/kette.1.gz -rw-r--r--" \
             "usr/share/bash-completion/completions/kette -rw-r--r--" "usr/lib/systemd/user/kette-sync.service -rw-r--r--" \
             "usr/lib/systemd/user/kette-sync.timer -rw-r--r--"; do
    set -- $entry
    check "kette ships /$1 with mode $2, owned by root" test "$(mode_of "$client" "$1")" = "$2 root/root"
done
for entry in "usr/bin/kette-server -rwxr-xr-x" "usr/lib/kette-server/kette-server-backup -rwxr-xr-x" \
             "lib/systemd/system/kette-server.service -rw-r--r--" "lib/systemd/system/kette-server-backup.service -rw-r--r--" \
             "lib/systemd/system/kette-server-backup.timer -rw-r--r--" "etc/kette/kette-server.conf -rw-r--r--" \
             "etc/kette/kette-server-backup.conf -rw-r--r--" "usr/share/man/man1/kette-server.1.gz -rw-r--r--" \
             "usr/share/bash-completion/completions/kette-server -rw-r--r--" "usr/share/doc/kette-server/DEPLOY.md -rw-r--r--"; do
    set -- $entry
    check "kette-server ships /$1 with mode $2, owned by root" test "$(mode_of "$server" "$1")" = "$2 root/root"
done
check "kette-server's settings are conffiles" \
    sh -c "dpkg-deb --ctrl-tarfile '$server' | tar -xO ./conffiles | sort | tr '\n' ' ' | grep -qx '/etc/kette/kette-server-backup.conf /etc/kette/kette-server.conf '"

# 2. A fresh Debian 12 root with only what Depends names (and systemd, to verify the units).
cache=$repo/.build-package/bookworm-minbase.tar.gz
if [ ! -f "$cache" ]; then
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    building=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$building" http://deb.debian.org/debian >/dev/null
    tar -C "$building" -czf "$cache" .
    rm -rf "$building"
fi
root=$(mktemp -d /tmp/kette-package-root.XXXXXX)
cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf "$root"; }
trap cleanup EXIT
tar -C "$root" -xzf "$cache"
# A root file system's / is 0755; mktemp made both this folder and the cached tree's ./ 0700, which
# would keep the service user from reaching anything in the root.
chmod 755 "$root"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" "$@"; }
dependencies=$( (field "$client" Depends; echo ","; field "$server" Depends) | tr ',' '\n' | sed 's/(.*)//; s/ //g' | sort -u | tr '\n' ' ')
check "the root lacks libmicrohttpd before the install" sh -c "! chroot '$root' dpkg-query -W libmicrohttpd12 >/dev/null 2>&1"
in_root apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -qq --no-install-recommends $dependencies systemd >/dev/null 2>&1
cp "$client" "$server" "$root/tmp/"
check "dpkg -i installs both packages" in_root dpkg -i "/tmp/$(basename "$server")" "/tmp/$(basename "$client")"

# 3. What the installed programs and postinst did.
check "kette-server --version runs: kette-server $version" sh -c "chroot '$root' kette-server --version | grep -q '^kette-server $version (commit '"
check "kette --version runs: kette $version" sh -c "chroot '$root' kette --version | grep -q '^kette $version (commit '"
only_debian_libraries() {  # every library ldd lists resolves, and each belongs to an installed Debian package
    local listing library
    listing=$(in_root ldd "$1")
    ! grep -q 'not found' <<< "$listing" || { echo "$listing" >&2; return 1; }
    ! grep -qi swift <<< "$listing" || { echo "$listing" >&2; return 1; }
    for library in $(awk '/=>/ { print $3 }' <<< "$listing"); do
        in_root dpkg -S "$(in_root readlink -f "$library")" >/dev/null 2>&1 || in_root dpkg -S "$library" >/dev/null 2>&1 \
            || { echo "  $library belongs to no package" >&2; return 1; }
    done
}
check "kette-server links only Debian's libraries" only_debian_libraries /usr/bin/kette-server
check "kette links only Debian's libraries" only_debian_libraries /usr/bin/kette
check "postinst made the system user kette-server (home /var/lib/kette-server, no login)" \
    sh -c "chroot '$root' getent passwd kette-server | awk -F: '\$3 < 1000 && \$6 == \"/var/lib/kette-server\" && \$7 ~ /nologin|false/' | grep -q ."
check "/var/lib/kette-server is 0700, kette-server's" test "$(in_root stat -c '%a %U %G' /var/lib/kette-server)" = "700 kette-server kette-server"
check "/etc/kette/kette-server.conf is 0640 root:kette-server" test "$(in_root stat -c '%a %U %G' /etc/kette/kette-server.conf)" = "640 root kette-server"
check "dpkg knows the conffiles" sh -c "chroot '$root' dpkg-query -W -f='\${Conffiles}' kette-server | grep -q /etc/kette/kette-server.conf"
check "the installed system units pass systemd-analyze verify" sh -c \
    "out=\$(systemd-analyze verify --man=no --root='$root' kette-server.service kette-server-backup.service kette-server-backup.timer 2>&1) && [ -z \"\$out\" ] || { echo \"\$out\" >&2; false; }"

# 4. The server as the service runs it: its user, its umask, the shipped settings, a free port.
as_service() { chroot --userspec=kette-server:kette-server "$root" env HOME=/var/lib/kette-server sh -c 'umask 077; exec "$@"' as-service "$@"; }
db=/var/lib/kette-server/kette-server.db
as_service kette-server district add nordstadt Nordstadt --db "$db" >/dev/null
as_service kette-server user add anna --role coordinator --district nordstadt --db "$db" > "$root/tmp/token" 2>/dev/null
# Not through the function: $! must be the server itself (chroot and env exec it), not a subshell.
chroot --userspec=kette-server:kette-server "$root" env HOME=/var/lib/kette-server sh -c \
    'umask 077 && cd /var/lib/kette-server && exec kette-server serve --config /etc/kette/kette-server.conf --port 0' > "$root/tmp/serve.out" 2>&1 &
serve=$!
for _ in $(seq 100); do grep -q listening "$root/tmp/serve.out" && break; sleep 0.1; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$root/tmp/serve.out")
check "the server serves with the shipped settings, as its user" sh -c "curl -s --noproxy '*' http://127.0.0.1:$port/v1/health | grep -q '\"version\":\"$version\"'"
check "the database and its audit key are 0600" test "$(in_root stat -c '%a' "$db") $(in_root stat -c '%a' "$db.audit-key")" = "600 600"
# kette loads libcurl with dlopen when it syncs (not a link the ldd checks above would see): a
# coordinator's first sync with the installed server, in the root that has only the Depends.
check "the installed kette syncs an offer with the installed server" chroot "$root" env HOME=/tmp/anna sh -c \
    "kette init --name Anna >/dev/null && kette remote http://127.0.0.1:$port --token \$(cat /tmp/token) >/dev/null && kette sync >/dev/null &&
     kette offer add --title Elterncafé --district nordstadt >/dev/null && kette sync >/dev/null && kette status --json | grep -q '\"pendingChangeSets\" : 0'"
# The backup service's command, as the unit runs it (its environment file, its user), three
# times with KETTE_BACKUP_KEEP=2.
sed -i 's/^KETTE_BACKUP_KEEP=.*/KETTE_BACKUP_KEEP=2/' "$root/etc/kette/kette-server-backup.conf"
backup_ok=true
for _ in 1 2 3; do
    as_service sh -c 'set -a; . /etc/kette/kette-server-backup.conf; set +a; exec /usr/lib/kette-server/kette-server-backup' >/dev/null || backup_ok=false
done
check "the backup service's command ran three times" $backup_ok
check "two dated backups are kept, each with its audit key and head, all 0600" sh -c \
    "test \"\$(cd '$root/var/lib/kette-server/backups' && ls | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}Z/DATE/' | sort | uniq -c | awk '{print \$1, \$2}' | tr '\n' ' ')\" = '2 kette-server-DATE.db 2 kette-server-DATE.db.audit-head 2 kette-server-DATE.db.audit-key ' && test -z \"\$(find '$root/var/lib/kette-server/backups' -type f ! -perm 600)\""
kill "$serve" 2>/dev/null || true
wait "$serve" 2>/dev/null || true

# 5. Purge: programs, settings and user go; the county's data stays.
check "dpkg --purge removes both packages" in_root dpkg --purge kette kette-server
check "the programs and settings are gone" sh -c "! test -e '$root/usr/bin/kette-server' && ! test -e '$root/etc/kette' && ! test -e '$root/lib/systemd/system/kette-server.service'"
check "the system user is gone" sh -c "! chroot '$root' getent passwd kette-server"
check "the database stays" test -f "$root$db"

echo "package-test: $((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
