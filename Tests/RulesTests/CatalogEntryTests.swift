import Rules
import Testing

/// `lntrace rules --all`: every requirement of the catalog is a rule or an entry, once; an
/// entry judged elsewhere names a rule that exists.
struct CatalogEntryTests {
    @Test func entriesAndRulesAreDisjointAndUnique() {
        let rules = Catalog.rules.map(\.info.id)
        let entries = CatalogEntry.all.map(\.id)
        #expect(Set(rules).count == rules.count)
        #expect(Set(entries).count == entries.count, "an id listed twice")
        #expect(Set(rules).isDisjoint(with: entries), "\(Set(rules).intersection(entries)) are rules and entries")
    }

    @Test func judgedEntriesNameExistingRules() {
        for entry in CatalogEntry.all {
            if case let .judgedBy(rule, _) = entry.status { #expect(Catalog.rule(rule) != nil, "\(entry.id) → \(rule)") }
            if case let .notCheckable(reason) = entry.status { #expect(!reason.isEmpty, "\(entry.id)") }
        }
    }
}
