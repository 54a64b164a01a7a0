import Foundation
import KetteClient
import KetteProtocol
import KetteStore

/// `kette import offers` timed as a whole process: a new list of `offers` rows into a store with
/// 30 districts, then the store's own export with `changed` titles edited, imported back; reports
/// the medians and how many offers the update's change set touched (it should be `changed`).
struct ImportBenchmark {
    let binaries: Binaries
    let offers: Int
    let changed: Int
    let runs: Int
    let seed: UInt64
    let work: String

    func run() throws -> String {
        var creates: [Double] = [], updates: [Double] = [], touched: [Int] = []
        for run in 0..<runs {
            let home = work + "/run-\(run)"
            try prepare(home)
            let list = work + "/list-\(run).csv"
            try newList().write(to: URL(fileURLWithPath: list))
            creates.append(try ChildProcess.run(binaries.kette, ["--home", home, "import", "offers", list]).milliseconds / 1000)
            _ = try ChildProcess.run(binaries.kette, ["--home", home, "export", "csv", "--out", work + "/export-\(run)"])
            let edited = work + "/edited-\(run).csv"
            try edit(work + "/export-\(run)/offers.csv", to: edited)
            updates.append(try ChildProcess.run(binaries.kette, ["--home", home, "import", "offers", edited]).milliseconds / 1000)
            touched.append(try offersInLastChangeSet(home))
        }
        let createSample = Sample(values: creates), updateSample = Sample(values: updates)
        let touchedList = touched.map { "\($0)" }.joined(separator: ", ")
        return "import of \(offers) new offers: median \(String(format: "%.2f", createSample.median)) s (\(createSample)); "
            + "update import of \(offers) rows with \(changed) edited: median \(String(format: "%.2f", updateSample.median)) s (\(updateSample)); "
            + "offers in the update's change set: \(touchedList)"
    }

    private func prepare(_ home: String) throws {
        try LocalStore.create(directory: home, name: "Benchmark")
        let store = try LocalStore(directory: home)
        for index in 0..<30 { _ = try store.addDistrict(name: CountyGenerator.districtName(index), id: "d\(index + 1)", parent: nil, language: .english) }
        for index in 0..<40 { _ = try store.addOrganization(name: "Träger \(index + 1)", kind: nil, sector: nil, contact: nil, language: .english) }
    }

    /// A list as a coordinator keeps it: German headers and labels, umlauts, ';' between cells.
    private func newList() -> Data {
        var random = SeededGenerator(seed: seed)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        var rows = [["Titel", "Sozialraum", "Lebensphasen", "Kategorie", "Träger", "Sprachen", "Beginn", "Beschreibung"]]
        for index in 0..<offers {
            rows.append(["\(pick(CountyGenerator.topics)) \(pick(CountyGenerator.audiences)) \(index + 1)", CountyGenerator.districtName(index % 30),
                         pick(["Frühe Kindheit", "Kita-Alter, Grundschulalter", "Jugend", "Übergang Schule–Beruf"]),
                         pick(["Bildung", "Beratung", "Förderung", "Sport"]), "Träger \(index % 40 + 1)", pick(["de", "de, tr", "de, ar, uk"]),
                         "2026-0\(1 + index % 9)-01", "\(pick(CountyGenerator.topics)) für Familien; Kontakt über \(pick(CountyGenerator.people))."])
        }
        return CSV.write(rows, dialect: .excel)
    }

    /// The export with every (offers / changed)-th row's title edited.
    private func edit(_ path: String, to edited: String) throws {
        var rows = try CSV.read(try Data(contentsOf: URL(fileURLWithPath: path))).map(\.cells)
        let step = max(1, offers / changed)
        var done = 0
        for index in stride(from: 1, to: rows.count, by: step) where done < changed {
            rows[index][1] += " (geändert)"
            done += 1
        }
        try CSV.write(rows, dialect: .excel).write(to: URL(fileURLWithPath: edited))
    }

    private func offersInLastChangeSet(_ home: String) throws -> Int {
        let store = try LocalStore(directory: home)
        return try store.database.scalarInt("""
            SELECT count(DISTINCT record_id) FROM outbox_changes WHERE change_set_seq = (SELECT max(seq) FROM outbox_change_sets)
            """) ?? 0
    }
}
