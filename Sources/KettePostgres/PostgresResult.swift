import CPostgres
import KetteStore

/// One result of libpq: owns its `PGresult`, cleared in `deinit`.
final class PostgresResult {
    let handle: OpaquePointer
    let sql: String

    /// Takes ownership of `handle`; throws (and clears it) when it reports an error.
    init(_ handle: OpaquePointer?, connection: OpaquePointer, sql: String) throws(PostgresError) {
        guard let handle else {
            // libpq returns no result only when it ran out of memory or lost the connection.
            throw PostgresError(code: .connectionFailure, message: PostgresConnection.message(of: connection), sql: sql)
        }
        self.handle = handle
        self.sql = sql
        switch PQresultStatus(handle) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_COPY_IN, PGRES_EMPTY_QUERY:
            return
        default:
            // `deinit` clears the result: a throwing init of a fully initialized class releases it.
            throw error()
        }
    }

    deinit { PQclear(handle) }

    var status: ExecStatusType { PQresultStatus(handle) }

    func error() -> PostgresError {
        let code = PQresultErrorField(handle, kette_pg_diag_sqlstate()).map { String(cString: $0) }
        let primary = PQresultErrorField(handle, kette_pg_diag_message_primary()).map { String(cString: $0) }
        let message = primary ?? String(cString: PQresultErrorMessage(handle)).trimmingTrailingWhitespace()
        return PostgresError(code: code.map(SQLState.init(rawValue:)) ?? .connectionFailure, message: message, sql: sql)
    }

    var rowCount: Int { Int(PQntuples(handle)) }

    /// Rows changed by an INSERT, UPDATE, DELETE or COPY.
    var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    /// The result's column names, read once and shared by all its rows.
    func columns() -> RowColumns {
        let count = Int(PQnfields(handle))
        return RowColumns(names: (0..<count).map { String(cString: PQfname(handle, Int32($0))) }, sql: sql)
    }

    /// Row `index` with its values typed by their column types (text format results).
    func row(_ index: Int, columns: RowColumns) -> Row {
        let count = Int32(columns.names.count)
        var values: [DatabaseValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            values.append(value(row: Int32(index), column: column))
        }
        return Row(values: values, columns: columns)
    }

    func rows() -> [Row] {
        let columns = columns()
        return (0..<rowCount).map { row($0, columns: columns) }
    }

    /// One value: integers, reals, booleans (as 1 and 0, as SQLite has them) and text. Kette keeps
    /// no bytes in PostgreSQL; a bytea column would read as its text form.
    private func value(row: Int32, column: Int32) -> DatabaseValue {
        if PQgetisnull(handle, row, column) == 1 { return .null }
        let text = String(cString: PQgetvalue(handle, row, column))
        switch PQftype(handle, column) {
        case TypeOID.int8, TypeOID.int4, TypeOID.int2, TypeOID.oid:
            return Int64(text).map(DatabaseValue.integer) ?? .text(text)
        case TypeOID.float8, TypeOID.float4, TypeOID.numeric:
            return Double(text).map(DatabaseValue.real) ?? .text(text)
        case TypeOID.bool:
            return .integer(text == "t" ? 1 : 0)
        default:
            return .text(text)
        }
    }
}

@available(*, unavailable)
extension PostgresResult: Sendable {}

/// The type OIDs of PostgreSQL's built-in types that a result may carry (pg_type.oid, fixed).
enum TypeOID {
    static let bool: Oid = 16
    static let int8: Oid = 20
    static let int2: Oid = 21
    static let int4: Oid = 23
    static let oid: Oid = 26
    static let float4: Oid = 700
    static let float8: Oid = 701
    static let numeric: Oid = 1700
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
