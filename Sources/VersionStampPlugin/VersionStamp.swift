import Foundation
import PackagePlugin

/// Stamps the git commit a program is built from into it, as `BuildStamp.commit`, so
/// `kette --version` names the exact source of a package. A prebuild command runs before every
/// build (the commit changes without any source file changing); the file is rewritten only when
/// its text changes, so an unchanged commit recompiles nothing. Without git or outside a clone
/// (a source tarball) the commit is "unknown commit".
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [PackagePlugin.Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Stamp")
        let scratch = context.pluginWorkDirectoryURL.appending(path: "Scratch")
        return [.prebuildCommand(displayName: "Stamping the git commit into \(target.name)",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", Self.script, "version-stamp", context.package.directoryURL.path, output.path, scratch.path],
                                 outputFilesDirectory: output)]
    }

    /// `sh -c SCRIPT version-stamp PACKAGE_DIR OUTPUT_DIR SCRATCH_DIR`. A tree with uncommitted
    /// changes to tracked files is marked "+modified": such a build is not the commit it names.
    static let script = #"""
        set -u
        package=$1; output=$2; scratch=$3
        mkdir -p "$output" "$scratch"
        commit=$(git -C "$package" rev-parse --short=12 HEAD 2>/dev/null) || commit=""
        if [ -n "$commit" ] && ! git -C "$package" diff --quiet HEAD -- 2>/dev/null; then commit="$commit+modified"; fi
        [ -n "$commit" ] || commit="unknown commit"
        printf '// Generated at build time by Sources/VersionStampPlugin; not in git.\nenum BuildStamp {\n    /// The git commit this program was built from.\n    static let commit = "%s"\n}\n' "$commit" > "$scratch/BuildStamp.swift"
        cmp -s "$scratch/BuildStamp.swift" "$output/BuildStamp.swift" || cp "$scratch/BuildStamp.swift" "$output/BuildStamp.swift"
        """#
}
