import KetteMessages
import KetteProtocol

/// The coverage matrix as an SVG heat map, with the legend that explains it.
///
/// Districts are rows and life phases columns, so the phases read left to right in the order
/// of growing up and a county with many districts still fits a portrait A4 page. Every cell
/// carries its number, so the map reads in black-and-white print and without colour vision;
/// gaps are hatched as well as coloured for the same reason.
public enum CoverageHeatMap {
    /// The colour classes of a cell by its number of active offers.
    public enum Shade: CaseIterable, Sendable {
        case gap, one, two, threeOrFour, fiveOrMore

        public init(count: Int) {
            switch count {
            case ...0: self = .gap
            case 1: self = .one
            case 2: self = .two
            case 3...4: self = .threeOrFour
            default: self = .fiveOrMore
            }
        }

        /// Fill colours: a warm colour for gaps, a light-to-dark blue scale for coverage.
        /// scripts/render-committee-report.sh looks for these in the rendered picture.
        public var fill: String {
            switch self {
            case .gap: "#f4a582"
            case .one: "#c6dbef"
            case .two: "#6baed6"
            case .threeOrFour: "#2171b5"
            case .fiveOrMore: "#08306b"
            }
        }

        /// Dark text on light cells, white on dark ones.
        var ink: String {
            switch self {
            case .gap: "#67000d"
            case .one, .two: "#08306b"
            case .threeOrFour, .fiveOrMore: "#ffffff"
            }
        }

        func label(_ language: Language) -> String {
            let text: ReportPageText = switch self {
            case .gap: .shadeGap
            case .one: .shadeOne
            case .two: .shadeTwo
            case .threeOrFour: .shadeThreeOrFour
            case .fiveOrMore: .shadeFiveOrMore
            }
            return text(language)
        }
    }

    static let gapStripe = "#d6604d"
    /// A light outline that keeps a number readable over the gap stripes.
    static let halo: HTML = " stroke=\"#fde0d3\" stroke-width=\"3\" paint-order=\"stroke\""
    /// Yellow with a dark edge: it stands out on light and on dark blue, and in grey print.
    static let parallelMark = "#ffd92f"

    // Geometry in SVG units; the picture scales to the page width.
    static let labelWidth = 178
    static let cellWidth = 90
    static let headerHeight = 62
    /// A row's height: lower for a county of many districts, so that its map fits a page at a
    /// type size that still reads (the numbers stay 14 units high either way).
    static func rowHeight(districts: Int) -> Int { districts > 12 ? 20 : 30 }
    static let gutter = 2

    /// The picture's size in SVG units.
    public static func size(_ report: CoverageReport) -> (width: Int, height: Int) {
        (labelWidth + cellWidth * report.phases.count, headerHeight + rowHeight(districts: report.districts.count) * report.districts.count + gutter)
    }

    /// The heat map of `report` as an inline SVG element.
    public static func svg(_ report: CoverageReport, language: Language) -> HTML {
        let (width, height) = size(report)
        let title = ReportPageText.coverageHeading(language)
        var svg: HTML = """
            <svg xmlns="http://www.w3.org/2000/svg" class="heatmap" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" \
            role="img" aria-labelledby="heatmap-title" font-family="Liberation Sans, DejaVu Sans, Arial, Helvetica, sans-serif">
            <title id="heatmap-title">\(title)</title>
            <defs>\(gapPattern(id: "gap-hatch"))</defs>

            """
        svg += phaseHeaders(report, language: language)
        for (row, district) in report.districts.enumerated() {
            let rowHeight = rowHeight(districts: report.districts.count)
            let top = headerHeight + row * rowHeight
            let name = district.name.count > 24 ? String(district.name.prefix(23)) + "…" : district.name
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(top + rowHeight / 2 + 4)\" text-anchor=\"end\" font-size=\"12.5\" fill=\"#1b1b1b\">"
                + "<title>\(district.name)</title>\(name)</text>\n"
            for (column, phase) in report.phases.enumerated() {
                guard let cell = report.cell(district: district.id, phase: phase) else { continue }
                svg += cellSVG(cell, district: district, x: labelWidth + column * cellWidth, y: top, height: rowHeight, language: language)
            }
        }
        return svg + "</svg>"
    }

    /// The column heads: each life phase's name on one or two lines, its ages below.
    private static func phaseHeaders(_ report: CoverageReport, language: Language) -> HTML {
        var svg = HTML()
        for (column, phase) in report.phases.enumerated() {
            let centre = labelWidth + column * cellWidth + cellWidth / 2
            let lines = twoLines(ReportFormatting.phaseName(phase, language))
            var y = lines.count == 1 ? 30 : 18
            for line in lines {
                svg += "<text x=\"\(centre)\" y=\"\(y)\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\" fill=\"#1b1b1b\">\(line)</text>\n"
                y += 14
            }
            if let ages = ReportFormatting.ageRange(phase, language) {
                svg += "<text x=\"\(centre)\" y=\"50\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555555\">\(ages)</text>\n"
            }
        }
        return svg
    }

    private static func cellSVG(_ cell: CoverageReport.Cell, district: NamedReference, x: Int, y: Int, height rowHeight: Int,
                                language: Language) -> HTML {
        let shade = Shade(count: cell.activeOffers)
        let (w, h) = (cellWidth - gutter, rowHeight - gutter)
        var tooltip = ReportPageText.cellTooltip(language, ["district": district.name, "phase": cell.phase.label(language), "count": cell.activeOffers])
        if !cell.openNeeds.isEmpty || !cell.runningMeasures.isEmpty {
            tooltip += "; " + PlanningText.cellMarks(language, ["needs": cell.openNeeds.count, "measures": cell.runningMeasures.count])
        }
        var parallelAttribute = HTML()
        if !cell.parallelCategories.isEmpty {
            tooltip += "; " + ReportPageText.cellParallel(language, ["categories": cell.parallelCategories.map { $0.label(language) }.joined(separator: ", ")])
            parallelAttribute = " data-parallel=\"\(cell.parallelCategories.map(\.slug).joined(separator: ","))\""
        }
        var text: HTML = "<g class=\"cell\" data-district=\"\(district.id)\" data-phase=\"\(cell.phase.slug)\" "
            + "data-count=\"\(cell.activeOffers)\"\(parallelAttribute)><title>\(tooltip)</title>"
        text += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(h)\" fill=\"\(shade.fill)\"/>"
        if shade == .gap {
            text += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(h)\" fill=\"url(#gap-hatch)\"/>"
        }
        text += "<text x=\"\(x + w / 2)\" y=\"\(y + h / 2 + 5)\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" fill=\"\(shade.ink)\"\(shade == .gap ? halo : HTML())>\(cell.activeOffers)</text>"
        if !cell.parallelCategories.isEmpty {
            text += parallelMarkSVG(right: x + w, top: y)
        }
        return text + planningMarkSVG(cell, left: x, bottom: y + h, ink: shade.ink) + "</g>\n"
    }

    /// The marks of the planning cycle in a cell's lower left corner, as in the text report:
    /// "?" a need not closed, "+" a running measure; their counts in the cell's own tooltip.
    private static func planningMarkSVG(_ cell: CoverageReport.Cell, left: Int, bottom: Int, ink: String) -> HTML {
        let marks = (cell.openNeeds.isEmpty ? "" : "?") + (cell.runningMeasures.isEmpty ? "" : "+")
        guard !marks.isEmpty else { return HTML() }
        return "<text class=\"planning\" x=\"\(left + 4)\" y=\"\(bottom - 4)\" font-size=\"11\" font-weight=\"bold\" fill=\"\(ink)\" "
            + "data-open-needs=\"\(cell.openNeeds.count)\" data-running-measures=\"\(cell.runningMeasures.count)\">\(marks)</text>"
    }

    /// The corner mark of a cell with possible parallel structures.
    static func parallelMarkSVG(right: Int, top: Int, size: Int = 13) -> HTML {
        "<polygon points=\"\(right - size),\(top + 1) \(right - 1),\(top + 1) \(right - 1),\(top + size)\" fill=\"\(parallelMark)\" stroke=\"#1b1b1b\" stroke-width=\"1.2\" stroke-linejoin=\"round\"/>"
    }

    /// Thin diagonal stripes over the gap colour: gaps stay recognizable when printed in grey.
    static func gapPattern(id: String) -> HTML {
        "<pattern id=\"\(id)\" patternUnits=\"userSpaceOnUse\" width=\"9\" height=\"9\" patternTransform=\"rotate(45)\">"
            + "<rect x=\"0\" y=\"0\" width=\"2\" height=\"9\" fill=\"\(gapStripe)\"/></pattern>"
    }

    /// A header label split into at most two lines of similar length.
    static func twoLines(_ text: String) -> [String] {
        let words = text.split(separator: " ").map(String.init)
        guard text.count > 13, words.count > 1 else { return [text] }
        var best = (index: 1, difference: Int.max)
        for index in 1..<words.count {
            let first = words[..<index].joined(separator: " ").count
            let second = words[index...].joined(separator: " ").count
            if abs(first - second) < best.difference { best = (index, abs(first - second)) }
        }
        return [words[..<best.index].joined(separator: " "), words[best.index...].joined(separator: " ")]
    }

    /// The legend under the map, in words a committee member understands without help.
    public static func legend(_ report: CoverageReport, language: Language) -> HTML {
        var items = Shade.allCases.map { shade -> HTML in "<li>\(swatch(shade))<span>\(shade.label(language))</span></li>" }
        items.append("<li><svg width=\"30\" height=\"18\" viewBox=\"0 0 30 18\" aria-hidden=\"true\">"
                     + "<rect x=\"0\" y=\"0\" width=\"30\" height=\"18\" fill=\"\(Shade.two.fill)\" stroke=\"#999\" stroke-width=\"0.5\"/>"
                     + parallelMarkSVG(right: 30, top: 0, size: 10) + "</svg><span>"
                     + "\(ReportPageText.parallelMark(language))"
                     + "</span></li>")
        if report.cells.contains(where: { !$0.openNeeds.isEmpty || !$0.runningMeasures.isEmpty }) {
            items.append("<li><span>\(PlanningText.coverageMarks(language))</span></li>")
        }
        let scope = report.category.map { ReportPageText.categoryOnly(language, ["category": $0.label(language)]) + " " } ?? ""
        let reading = report.window.isDay ? ReportPageText.mapReadingDay(language, ["day": report.window.from.label(language)]) + " "
                                          : ReportPageText.mapReadingPeriod(language) + " "
        return """
            <div class="legend">
            <p>\(reading + scope)</p>
            <ul>\(items.joined())</ul>
            </div>
            """
    }

    /// A legend's colour sample.
    private static func swatch(_ shade: Shade) -> HTML {
        var svg: HTML = "<svg width=\"30\" height=\"18\" viewBox=\"0 0 30 18\" aria-hidden=\"true\">"
        if shade == .gap { svg += "<defs>\(gapPattern(id: "gap-hatch-legend"))</defs>" }
        svg += "<rect x=\"0\" y=\"0\" width=\"30\" height=\"18\" fill=\"\(shade.fill)\" stroke=\"#999\" stroke-width=\"0.5\"/>"
        if shade == .gap { svg += "<rect x=\"0\" y=\"0\" width=\"30\" height=\"18\" fill=\"url(#gap-hatch-legend)\"/>" }
        return svg + "</svg>"
    }
}
