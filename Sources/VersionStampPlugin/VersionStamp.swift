import Foundation
import PackagePlugin

/// Stamps the git commit a program is built from into it, as `BuildStamp.commit`, so
/// `kette --version` names the exact source of a package. A prebuild command runs before every
/// build (the commit changes without any source file changing); `stamp.sh` beside this file does
/// the work and says what it writes.
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [PackagePlugin.Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Stamp")
        let scratch = context.pluginWorkDirectoryURL.appending(path: "Scratch")
        let script = context.package.directoryURL.appending(path: "Sources/VersionStampPlugin/stamp.sh")
        return [.prebuildCommand(displayName: "Stamping the git commit into \(target.name)",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: [script.path, context.package.directoryURL.path, output.path, scratch.path],
                                 outputFilesDirectory: output)]
    }
}
