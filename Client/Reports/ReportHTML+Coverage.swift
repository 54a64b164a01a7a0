import KetteProtocol

/// Coverage as HTML: the heat map with its legend, the gaps, the possible parallel structures and
/// the offers that did not count because they ended or are yet to come.
extension ReportHTML {
    public func coverageSection(_ report: CoverageReport, heading: String) -> HTML {
        var html: HTML = "<section class=\"coverage\">\n<h2>\(heading)</h2>\n"
        let lead = pick(
            "\(number(report.activeOffers)) active offers in \(report.districts.count) districts: \(report.gaps.count) gaps, \(report.parallelCandidates.count) possible parallel structures.",
            "\(number(report.activeOffers)) aktive Angebote in \(report.districts.count) Sozialräumen: \(report.gaps.count) Lücken, \(report.parallelCandidates.count) mögliche Parallelstrukturen.")
        html += "<p class=\"lead\">\(lead)</p>\n"
        if report.districts.isEmpty {
            return html + "<p class=\"empty\">\(pick("No districts recorded yet.", "Noch keine Sozialräume erfasst."))</p>\n</section>\n"
        }
        html += "<figure\(heatMapWidth(report))>\(CoverageHeatMap.svg(report, language: language))</figure>\n"
        html += CoverageHeatMap.legend(report, language: language)
        html += gapList(report)
        html += parallelStructures(report)
        if !report.offersWithoutPhase.isEmpty {
            let shown = report.offersWithoutPhase.prefix(limits.datedOffers)
            html += "<p class=\"note\">\(pick("Not in the map because no life phase is recorded for them: ", "Nicht in der Karte, weil keine Lebensphase erfasst ist: "))"
                + "\(shown.map(\.title).joined(separator: "; "))</p>\n" + more(report.offersWithoutPhase.count - shown.count)
        }
        html += datedOffers(report.ended, heading: pick("Ended: not counted any more", "Beendet: nicht mehr gezählt"),
                            none: pick("No offer ended in the period.", "Kein Angebot ist im Zeitraum ausgelaufen."))
        html += datedOffers(report.planned, heading: pick("Planned: not counted yet", "Geplant: noch nicht gezählt"),
                            none: pick("No offer is planned.", "Kein Angebot ist geplant."))
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
        var html: HTML = "<h3>\(pick("Gaps", "Lücken"))</h3>\n"
        guard !report.gaps.isEmpty else {
            return html + "<p class=\"empty\">\(pick("No gaps: every district has an active offer for every life phase.", "Keine Lücken: Jeder Sozialraum hat für jede Lebensphase ein aktives Angebot."))</p>\n"
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
        var html: HTML = "<h3>\(pick("Possible parallel structures", "Mögliche Parallelstrukturen"))</h3>\n"
        guard !report.parallelCandidates.isEmpty else {
            return html + "<p class=\"empty\">\(pick("None: no district has two active offers of the same category for the same life phase.", "Keine: Kein Sozialraum hat zwei aktive Angebote derselben Kategorie für dieselbe Lebensphase."))</p>\n"
        }
        html += "<p class=\"note\">\(pick("Not necessarily a problem: two offers of the same category may reach different families. A reason to look closer and talk to the providers.", "Nicht unbedingt ein Problem: Zwei Angebote derselben Kategorie können unterschiedliche Familien erreichen. Ein Anlass, genauer hinzusehen und mit den Trägern zu sprechen."))"
        if report.parallelCandidates.count > limits.parallelCandidates {
            html += HTML(text: pick(" Shown: those with most offers.", " Gezeigt: die mit den meisten Angeboten."))
        }
        html += "</p>\n"
        html += "<table><thead><tr><th>\(pick("District", "Sozialraum"))</th><th>\(pick("Life phase", "Lebensphase"))</th>"
            + "<th>\(pick("Category", "Kategorie"))</th><th>\(pick("Offers (provider)", "Angebote (Träger)"))</th></tr></thead><tbody>"
        let shown = report.parallelCandidates.mostRelevant(limits.parallelCandidates) { $0.offers.count }
        for candidate in shown {
            var offers = candidate.offers.prefix(limits.offersPerCandidate).map { offer -> HTML in
                HTML(text: offer.title) + (offer.provider.map { provider -> HTML in " <span class=\"note\">(\(provider))</span>" } ?? HTML())
            }
            let hidden = candidate.offers.count - offers.count
            if hidden > 0 { offers.append("<span class=\"more\">\(pick("… and \(hidden) more", "… und \(hidden) weitere"))</span>") }
            html += "<tr><td>\(candidate.district.name)</td><td>\(ReportFormatting.phaseName(candidate.phase, language))</td>"
                + "<td>\(candidate.category.label(language))</td><td>\(offers.joined(separator: "<br>"))</td></tr>"
        }
        return html + "</tbody></table>\n" + more(report.parallelCandidates.count - shown.count)
    }

    /// The ended or planned offers: title, district, dates; cut to the limit.
    private func datedOffers(_ offers: [CoverageReport.DatedOffer], heading: String, none: String) -> HTML {
        var html: HTML = "<h3>\(heading) (\(number(offers.count)))</h3>\n"
        guard !offers.isEmpty else { return html + "<p class=\"empty\">\(none)</p>\n" }
        html += "<table class=\"dated\"><thead><tr><th>\(pick("Offer", "Angebot"))</th><th>\(pick("District", "Sozialraum"))</th>"
            + "<th>\(pick("Start", "Beginn"))</th><th>\(pick("End", "Ende"))</th><th>\(pick("Status", "Status"))</th></tr></thead><tbody>"
        for offer in offers.prefix(limits.datedOffers) {
            html += "<tr><td>\(offer.title)</td><td>\(offer.district.name)</td><td>\(offer.start.map(day) ?? "–")</td>"
                + "<td>\(offer.end.map(day) ?? "–")</td><td>\(offer.status?.label(language) ?? "–")</td></tr>"
        }
        return html + "</tbody></table>\n" + more(offers.count - min(offers.count, limits.datedOffers))
    }
}
