import KetteClient
import KetteCommandLine
import KetteProtocol

private let storeName = Option<String>("name", value: "NAME", help: LocalizedText(
    "who works with this store (a coordinator or an office); shown as author of changes",
    "wer mit diesem Speicher arbeitet (Koordinator*in oder Büro); erscheint als Autor von Änderungen"))

let storeCommands: [KetteCommand] = [
    KetteCommand(
        "init", abstract: LocalizedText("create the local store", "den lokalen Speicher anlegen"),
        options: [storeName],
        run: { args, context in
            let directory = context.homeDirectory
            if try LocalStore.create(directory: directory, name: args[storeName]) {
                context.say(context.pick("Created a Kette store in \(directory).", "Kette-Speicher in \(directory) angelegt."))
            } else {
                context.say(context.pick("A Kette store already exists in \(directory); left unchanged.",
                                         "In \(directory) gibt es bereits einen Kette-Speicher; unverändert gelassen."))
            }
        }),
    KetteCommand(
        "status", abstract: LocalizedText("counts of records and of change sets waiting to be synced",
                                          "Anzahl der Datensätze und der Änderungssätze, die auf Sync warten"),
        options: [jsonFlag],
        run: { _, context in
            var status = try context.store().status()
            status.remote = try RemoteConfiguration.load(from: context.homeDirectory)?.url
            if context.wantsJSON { return try context.printJSON(status) }
            let rows: [(String, String)] = [
                (context.pick("Store", "Speicher"), status.store),
                (context.pick("Name", "Name"), status.name ?? "–"),
                (context.pick("Districts", "Sozialräume"), String(status.districts)),
                (context.pick("Organizations", "Träger"), String(status.organizations)),
                (context.pick("Offers", "Angebote"), String(status.offers)),
                (context.pick("Bodies", "Gremien"), String(status.bodies)),
                (context.pick("Meetings", "Sitzungen"), String(status.meetings)),
                (context.pick("Open action items", "Offene Arbeitsaufträge"), String(status.openTasks)),
                (context.pick("Change sets waiting to sync", "Änderungssätze, die auf Sync warten"), String(status.pendingChangeSets)),
                (context.pick("Server", "Server"), status.remote ?? context.pick("none (kette remote URL --token T)", "keiner (kette remote URL --token T)")),
                (context.pick("Last successful sync", "Letzter erfolgreicher Sync"), status.lastSuccessfulSync ?? context.pick("never", "noch nie")),
                (context.pick("Open conflicts", "Offene Konflikte"), String(status.openConflicts)),
                (context.pick("Refused change sets", "Abgelehnte Änderungssätze"), String(status.refusedChangeSets.count)),
            ]
            let width = rows.map(\.0.count).max() ?? 0
            for (label, value) in rows { context.say(label + ":" + String(repeating: " ", count: width - label.count + 1) + value) }
            for refused in status.refusedChangeSets {
                context.say("  \(refused.summary) [\(shortID(refused.id))] \(refused.code): \(refused.reason)")
            }
        }),
]
