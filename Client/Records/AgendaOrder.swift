import KetteProtocol
import KetteStore

/// How the items of an agenda are ordered, numbered and placed, so that edits on several laptops
/// merge into one sensible order (SPEC §6.1, agenda positions).
///
/// An item's `position` is only an order key. Items are shown in ascending position; equal
/// positions (two people added an item at the end while offline) are ordered by the timestamp of
/// the position, then by id, which every replica holds alike. The TOP number is the place in
/// that order, from 1, worked out when shown: two offline additions become TOP 1 and TOP 2 (or
/// 3 and 4) on every laptop after sync, instead of both keeping the number they were given.
///
/// Positions are written `spacing` apart, so that moving an item is one change of its own
/// position (the middle of the gap it goes into). Only when there is no gap left (equal
/// neighbours, or the protocol's bounds reached) are the meeting's items numbered afresh, in
/// one change set.
enum AgendaOrder {
    static let spacing: Int64 = 1024

    /// ORDER BY terms for rows of `agenda_items` (not aliased).
    static let sql = """
        position, (SELECT v.hlc FROM field_versions v WHERE v.record_type = 'agenda-item' AND v.record_id = agenda_items.id \
        AND v.field = 'position'), id
        """

    struct Item: Equatable {
        let id: String
        let position: Int64
    }

    /// A meeting's live items in agenda order.
    static func items(meeting: String, in db: Database) throws -> [Item] {
        try db.rows("SELECT id, position FROM agenda_items WHERE meeting = ? AND deleted = 0 ORDER BY \(sql)", [meeting]).map {
            Item(id: $0.string("id") ?? "", position: Int64($0.int("position") ?? 0))
        }
    }

    /// The positions that put `item` at `index` (0 = first) among `others` (the agenda in order,
    /// without it): the item's new position alone when the gap allows, else every item's.
    static func place(_ item: String, at index: Int, among others: [Item]) -> [Item] {
        let bounds = RecordType.agendaItem.integerRange(field: "position")
        let lower = index > 0 ? others[index - 1].position : nil
        let upper = index < others.count ? others[index].position : nil
        if let position = between(lower, upper, bounds: bounds) { return [Item(id: item, position: position)] }
        var ids = others.map(\.id)
        ids.insert(item, at: index)
        return ids.enumerated().map { Item(id: $1, position: spacing * Int64($0 + 1)) }
    }

    /// A position strictly between `lower` and `upper` (nil: no neighbour on that side) within
    /// `bounds`, `spacing` away from a lone neighbour; nil when there is none.
    private static func between(_ lower: Int64?, _ upper: Int64?, bounds: ClosedRange<Int64>) -> Int64? {
        switch (lower, upper) {
        case (nil, nil):
            return spacing
        case (let lower?, nil):
            guard bounds.contains(lower), lower <= bounds.upperBound - spacing else { return nil }
            return lower + spacing
        case (nil, let upper?):
            guard bounds.contains(upper), upper >= bounds.lowerBound + spacing else { return nil }
            return upper - spacing
        case (let lower?, let upper?):
            guard bounds.contains(lower), bounds.contains(upper), upper - lower >= 2 else { return nil }
            return lower + (upper - lower) / 2
        }
    }
}
