import KetteClient
import KetteCommandLine
import KetteProtocol

private let storeName = Option<String>("name", value: "NAME", help: LocalizedText(
    "who works with this store (a coordinator or an office), the author of its changes; on an existing store: renames its owner",
    "wer mit diesem Speicher arbeitet (Koordinator*in oder Büro), Autor seiner Änderungen; bei einem bestehenden Speicher: benennt die Inhaber*in um"))

/// `kette init`: makes the store, or with `--name` on an existing one renames its owner (a store
/// made without `--name` would otherwise stay nameless for ever).
private func initStore(_ args: ParsedInput, _ context: CommandContext) throws {
    let directory = context.homeDirectory
    let name = try args[storeName].map { try Input.requiredText($0, field: "name") }
    if try LocalStore.create(directory: directory, name: name) {
        return context.say(name.map { StoreText.createdNamed.with(["directory": directory, "name": $0]) }
                           ?? StoreText.created.with(["directory": directory]))
    }
    guard let name else { return context.say(StoreText.exists.with(["directory": directory])) }
    let renamed = try context.store().rename(to: name)
    context.say((renamed ? StoreText.renamed : StoreText.nameUnchanged).with(["name": name]))
}

/// `kette status` for people: one labelled line per figure, then the refused change sets.
private func printStatus(_ status: StoreStatus, _ context: CommandContext) {
    let rows: [(StoreText, any MessageValue)] = [
        (.statusStore, status.store),
        (.statusName, status.name ?? StoreText.statusNoName.text),
        (.statusDistricts, status.districts),
        (.statusOrganizations, status.organizations),
        (.statusOffers, status.offers),
        (.statusBodies, status.bodies),
        (.statusMeetings, status.meetings),
        (.statusOpenTasks, status.openTasks),
        (.statusWaiting, status.pendingChangeSets),
        (.statusServer, status.remote ?? StoreText.statusNoServer.text),
        (.statusLastSync, status.lastSuccessfulSync.map { Moment(iso: $0) as any MessageValue } ?? StoreText.statusNever.text),
        (.statusConflicts, status.openConflicts),
        (.statusRefused, status.refusedChangeSets.count),
    ]
    let labels = rows.map { $0.0(context.language) }
    let width = labels.map(\.count).max() ?? 0
    for (label, row) in zip(labels, rows) {
        context.say(label + ":" + String(repeating: " ", count: width - label.count + 1) + row.1.text(context.language))
    }
    for refused in status.refusedChangeSets {
        context.say("  \(refused.summary) [\(shortID(refused.id))]: " + RefusalText.explain(code: refused.code, details: nil)(context.language))
    }
}

let storeCommands: [KetteCommand] = [
    KetteCommand(
        "init", abstract: LocalizedText("create the local store, or rename its owner (--name)", "den lokalen Speicher anlegen oder die Inhaber*in umbenennen (--name)"),
        options: [storeName],
        discussion: LocalizedText("""
            The owner's name is the author of every change made in this store from then on. `kette init --name NAME` on an
            existing store changes it (earlier changes keep the author they were made with); `kette status` shows it.
            """, """
            Der Name der Inhaber*in ist Autor aller Änderungen, die danach in diesem Speicher entstehen. `kette init --name NAME`
            ändert ihn bei einem bestehenden Speicher (frühere Änderungen behalten ihren Autor); `kette status` zeigt ihn.
            """),
        run: initStore),
    KetteCommand(
        "status", abstract: LocalizedText("owner, counts of records and of change sets waiting to be synced, last sync",
                                          "Inhaber*in, Anzahl der Datensätze und der Änderungssätze, die auf Sync warten, letzter Sync"),
        options: [jsonFlag],
        run: { _, context in
            var status = try context.store().status()
            status.remote = try RemoteConfiguration.load(from: context.homeDirectory)?.url
            if context.wantsJSON { return try context.printJSON(status) }
            printStatus(status, context)
        }),
]
