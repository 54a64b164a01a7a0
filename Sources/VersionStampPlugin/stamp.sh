#!/bin/sh
# Writes OUTPUT_DIR/BuildStamp.swift with the git commit PACKAGE_DIR is at, for `--version`; run
# before every build by the VersionStamp plugin. The file is replaced only when its text changes,
# so an unchanged commit recompiles nothing. A tree with uncommitted changes to tracked files is
# marked "+modified" (such a build is not the commit it names); without git or outside a clone
# (a source tarball) the commit is "unknown commit".
#   stamp.sh PACKAGE_DIR OUTPUT_DIR SCRATCH_DIR
set -u
package=$1; output=$2; scratch=$3
mkdir -p "$output" "$scratch"
commit=$(git -C "$package" rev-parse --short=12 HEAD 2>/dev/null) || commit=""
if [ -n "$commit" ] && ! git -C "$package" diff --quiet HEAD -- 2>/dev/null; then commit="$commit+modified"; fi
[ -n "$commit" ] || commit="unknown commit"
printf '// Generated at build time by Sources/VersionStampPlugin; not in git.\nenum BuildStamp {\n    /// The git commit this program was built from.\n    static let commit = "%s"\n}\n' "$commit" > "$scratch/BuildStamp.swift"
cmp -s "$scratch/BuildStamp.swift" "$output/BuildStamp.swift" || cp "$scratch/BuildStamp.swift" "$output/BuildStamp.swift"
