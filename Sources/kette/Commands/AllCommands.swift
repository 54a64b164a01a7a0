/// Every command of `kette`, in the order `kette --help` lists them.
let allCommands: [CommandSpec] =
    storeCommands + registerCommands + offerCommands + bodyCommands + meetingCommands + taskCommands + findCommands + syncCommands + refusalCommands
    + reportCommands + exchangeCommands

let jsonFlag = OptionSpec.flag("json", "print JSON (stable English keys and slugs) for scripts")
