import KetteProtocol

/// The frame every HTML report shares: one self-contained page (styles inline, no scripts, no
/// fonts or images from elsewhere) that reads on screen and prints on A4.
///
/// Reports are opened from a USB stick in a council's meeting room or mailed to committee
/// members: nothing may depend on a network or on files beside the page.
public enum HTMLDocument {
    /// Text made safe for HTML element content and attribute values.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A whole page around `body`.
    public static func page(title: String, body: HTML, language: Language) -> String {
        let page: HTML = """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="Kette">
            <title>\(title)</title>
            <style>
            \(trusted: styles)
            </style>
            </head>
            <body>
            <main class="sheet">
            \(body)
            </main>
            </body>
            </html>

            """
        return page.markup
    }

    /// Print first: A4 with margins a printer keeps, headings kept with what follows them, rows
    /// and figures not cut in half, table headers repeated on every page. On screen the page
    /// looks like the sheet it will print as.
    static let styles = """
        @page { size: A4 portrait; margin: 16mm 15mm 18mm 15mm; }
        * { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        html { background: #e9e9e6; }
        body { margin: 0; padding: 24px 0; color: #1b1b1b; font-family: "Liberation Sans", "DejaVu Sans", Arial, Helvetica, sans-serif;
               font-size: 10.5pt; line-height: 1.42; }
        .sheet { background: #fff; width: 210mm; min-height: 297mm; margin: 0 auto; padding: 16mm 15mm 18mm 15mm;
                 box-shadow: 0 1px 6px rgba(0,0,0,.18); }
        @media print {
          html { background: none; }
          body { padding: 0; }
          .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
        }
        header.report { border-bottom: 2px solid #1b1b1b; padding-bottom: 3mm; margin-bottom: 5mm; }
        header.report .kicker { font-size: 9pt; text-transform: uppercase; letter-spacing: .08em; color: #555; margin: 0; }
        h1 { font-size: 19pt; line-height: 1.2; margin: 1mm 0 1.5mm; }
        header.report .meta { margin: 0; color: #444; }
        h2 { font-size: 14pt; margin: 7mm 0 2.5mm; padding-bottom: 1mm; border-bottom: 1px solid #999; break-after: avoid; }
        h3 { font-size: 11.5pt; margin: 5mm 0 1.5mm; break-after: avoid; }
        h2 + p, h3 + p { break-before: avoid; }
        p { margin: 0 0 2.5mm; }
        .lead { color: #333; }
        .note { font-size: 9pt; color: #555; }
        .new-page { break-before: page; }
        section { break-inside: auto; }
        figure { margin: 0 0 3mm; break-inside: avoid; }
        figure svg { display: block; width: 100%; height: auto; }
        table { width: 100%; border-collapse: collapse; margin: 0 0 4mm; font-size: 9.5pt; }
        thead { display: table-header-group; }
        tr, li { break-inside: avoid; }
        th { text-align: left; font-weight: bold; border-bottom: 1.5px solid #444; padding: 1.2mm 2mm; vertical-align: bottom; }
        td { border-bottom: 0.5px solid #c8c8c8; padding: 1.2mm 2mm; vertical-align: top; }
        .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        tr.total td { font-weight: bold; border-top: 1.5px solid #444; }
        .legend { break-inside: avoid; border: 1px solid #c8c8c8; padding: 2.5mm 3mm; margin: 0 0 4mm; font-size: 9.5pt; }
        .legend p { margin: 0 0 1.5mm; }
        .legend ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 1.5mm 5mm; }
        .legend li { display: flex; align-items: center; gap: 1.8mm; }
        .legend svg { flex: none; }
        .glance { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2.5mm; margin: 0 0 5mm; break-inside: avoid; }
        .glance div { border: 1px solid #c8c8c8; padding: 2mm 2.5mm; }
        .glance strong { display: block; font-size: 16pt; line-height: 1.15; }
        .glance span { display: block; font-size: 8.5pt; line-height: 1.3; color: #444; }
        .gap-list { margin: 0 0 4mm; padding-left: 5mm; break-inside: avoid; }
        .overdue { color: #a50f15; font-weight: bold; }
        .empty { color: #555; font-style: italic; }
        .keep { break-inside: avoid; }
        header.report .scope { font-size: 8.5pt; line-height: 1.3; margin-top: 1mm; }
        .more { font-size: 9pt; color: #555; font-style: italic; }
        table.compact { font-size: 8.5pt; margin-bottom: 3mm; }
        table.compact th, table.compact td { padding: 0.6mm 1.5mm; }
        table.compact td:first-child { white-space: nowrap; }
        ul.decisions { margin: 1mm 0 3mm; padding-left: 5mm; }
        """
}

/// A piece of HTML built so that text cannot become markup by accident: in an `HTML` literal the
/// literal parts are markup (they are written in code), and every interpolated string is escaped.
/// Markup built elsewhere goes in as an `HTML` value, numbers as their digits; anything else
/// (trusted markup held in a `String`) needs `\(trusted:)`, which says so where it happens.
///
///     let row: HTML = "<td>\(offer.title)</td><td class=\"num\">\(count)</td>"
///
/// The idea is GRDB's `SQL` literal, whose interpolations become bound arguments, not SQL text.
public struct HTML: Equatable, Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup, ready to write out.
    public private(set) var markup: String

    public init() { markup = "" }

    /// A literal without interpolations: markup written in code.
    public init(stringLiteral literal: String) { markup = literal }

    public init(stringInterpolation: StringInterpolation) { markup = stringInterpolation.markup }

    /// `text` as the content of an element or a quoted attribute value.
    public init(text: some StringProtocol) { markup = HTMLDocument.escape(String(text)) }

    /// Markup that is known to be safe (a fixed style sheet, a colour): no escaping.
    public init(trusted markup: String) { self.markup = markup }

    public var description: String { markup }
    public var isEmpty: Bool { markup.isEmpty }

    public static func + (left: HTML, right: HTML) -> HTML { HTML(trusted: left.markup + right.markup) }
    public static func += (left: inout HTML, right: HTML) { left.markup += right.markup }

    public struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""

        public init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity + 16 * interpolationCount) }

        public mutating func appendLiteral(_ literal: String) { markup += literal }

        /// Text: escaped.
        public mutating func appendInterpolation(_ text: some StringProtocol) { markup += HTMLDocument.escape(String(text)) }

        /// Markup built as `HTML`: as it is.
        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }

        /// A whole number: its digits need no escaping.
        public mutating func appendInterpolation(_ number: Int) { markup += String(number) }

        /// Markup held in a string, inserted without escaping: only for text written in code.
        public mutating func appendInterpolation(trusted markup: String) { self.markup += markup }
    }
}

extension Sequence where Element == HTML {
    /// The pieces one after the other, with `separator` between them.
    public func joined(separator: HTML = HTML()) -> HTML {
        var result = HTML()
        for (index, piece) in enumerated() {
            if index > 0 { result += separator }
            result += piece
        }
        return result
    }
}
