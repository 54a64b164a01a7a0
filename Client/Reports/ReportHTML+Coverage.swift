import KetteMessages
import KetteProtocol

/// Coverage as HTML: the heat map with its legend, the gaps, the possible parallel structures and
/// the offers that did not count because they ended or are yet to come.
extension ReportHTML {
    public func coverageSection(_ report: CoverageReport, heading: String) -> HTML {
        var html: HTML = "<section class=\"coverage\">\n<h2>\(heading)</h2>\n"
        let lead = say(.coverageLead, ["offers": report.activeOffers, "districts": String(report.districts.count), "gaps": String(report.gaps.count),
                                       "parallel": String(report.parallelCandidates.count)])
        html += "<p class=\"lead\">\(lead)</p>\n"
        if report.districts.isEmpty {
            return html + "<p class=\"empty\">\(say(.noDistricts))</p>\n</section>\n"
        }
        html += "<figure\(heatMapWidth(report))>\(CoverageHeatMap.svg(report, language: language))</figure>\n"
        html += CoverageHeatMap.legend(report, language: language)
        html += gapList(report)
        html += parallelStructures(report)
        if !report.offersWithoutPhase.isEmpty {
            let shown = report.offersWithoutPhase.prefix(limits.datedOffers)
            html += "<p class=\"note\">\(say(.notInMap, ["offers": shown.map(\.title).joined(separator: "; ")]))</p>\n"
                + more(report.offersWithoutPhase.count - shown.count)
        }
        html += datedOffers(report.ended, heading: .endedHeading, none: .noneEnded)
        html += datedOffers(report.planned, heading: .plannedHeading, none: .nonePlanned)
        return html + "</section>\n"
    }

    /// On a page with a budget, the map is narrowed so that it is at most 150 mm high and fits
    /// the first page with the header: a county of 30 districts still reads at about 8 pt.
    private func heatMapWidth(_ report: CoverageReport) -> HTML {
        guard !limits.isUnlimited else { return HTML() }
        let size = CoverageHeatMap.size(report)
        let width = min(180, 150 * Double(size.width) / Double(size.height))
        return " style=\"max-width: \(Int(width))mm\""
    }

    private func gapList(_ report: CoverageReport) -> HTML {
        var html: HTML = "<h3>\(say(.gapsHeading))</h3>\n"
        guard !report.gaps.isEmpty else {
            return html + "<p class=\"empty\">\(say(.noGaps))</p>\n"
        }
        let byDistrict = report.districts.compactMap { district -> (NamedReference, [String])? in
            let phases = report.gaps.filter { $0.district.id == district.id }.map { ReportFormatting.phaseName($0.phase, language) }
            return phases.isEmpty ? nil : (district, phases)
        }
        let shown = byDistrict.mostRelevant(limits.gapDistricts) { $0.1.count }
        html += "<ul class=\"gap-list\">"
        for (district, phases) in shown {
            html += "<li><strong>\(district.name):</strong> \(phases.joined(separator: ", "))</li>"
        }
        return html + "</ul>\n" + more(byDistrict.count - shown.count)
    }

    private func parallelStructures(_ report: CoverageReport) -> HTML {
        var html: HTML = "<h3>\(say(.parallelHeading))</h3>\n"
        guard !report.parallelCandidates.isEmpty else {
            return html + "<p class=\"empty\">\(say(.noParallel))</p>\n"
        }
        html += "<p class=\"note\">\(say(.parallelNote))"
        if report.parallelCandidates.count > limits.parallelCandidates {
            html += " \(say(.parallelShown))"
        }
        html += "</p>\n"
        html += "<table><thead><tr><th>\(say(.headerDistrict))</th><th>\(say(.headerPhase))</th>"
            + "<th>\(say(.headerCategory))</th><th>\(say(.headerOffersProvider))</th></tr></thead><tbody>"
        let shown = report.parallelCandidates.mostRelevant(limits.parallelCandidates) { $0.offers.count }
        for candidate in shown {
            var offers = candidate.offers.prefix(limits.offersPerCandidate).map { offer -> HTML in
                HTML(text: offer.title) + (offer.provider.map { provider -> HTML in " <span class=\"note\">(\(provider))</span>" } ?? HTML())
            }
            let hidden = candidate.offers.count - offers.count
            if hidden > 0 { offers.append("<span class=\"more\">\(say(.andMore, ["count": String(hidden)]))</span>") }
            html += "<tr><td>\(candidate.district.name)</td><td>\(ReportFormatting.phaseName(candidate.phase, language))</td>"
                + "<td>\(candidate.category.label(language))</td><td>\(offers.joined(separator: "<br>"))</td></tr>"
        }
        return html + "</tbody></table>\n" + more(report.parallelCandidates.count - shown.count)
    }

    /// The ended or planned offers: title, district, dates; cut to the limit.
    private func datedOffers(_ offers: [CoverageReport.DatedOffer], heading: ReportPageText, none: ReportPageText) -> HTML {
        var html: HTML = "<h3>\(say(heading, ["count": offers.count]))</h3>\n"
        guard !offers.isEmpty else { return html + "<p class=\"empty\">\(say(none))</p>\n" }
        html += "<table class=\"dated\"><thead><tr><th>\(say(.headerOffer))</th><th>\(say(.headerDistrict))</th>"
            + "<th>\(say(.headerStart))</th><th>\(say(.headerEnd))</th><th>\(say(.headerStatus))</th></tr></thead><tbody>"
        for offer in offers.prefix(limits.datedOffers) {
            html += "<tr><td>\(offer.title)</td><td>\(offer.district.name)</td><td>\(offer.start.map(day) ?? "–")</td>"
                + "<td>\(offer.end.map(day) ?? "–")</td><td>\(offer.status?.label(language) ?? "–")</td></tr>"
        }
        return html + "</tbody></table>\n" + more(offers.count - min(offers.count, limits.datedOffers))
    }
}
