#include "itsm/taxonomy.hpp"

#include <doctest/doctest.h>

#include "helpers.hpp"
#include "itsm/schema.hpp"

using namespace itsm;
using itsm_test::Desk;
using itsm_test::error_of;
using itsm_test::refused_unchanged;

namespace {

// Entries deliberately out of order: children may come before their parents.
const char* tree_json = R"({"categories": [
  {"id": "battery", "name": "Battery", "parent": "laptop"},
  {"id": "hardware", "name": "Hardware", "kinds": ["incident", "service_request"]},
  {"id": "laptop", "name": "Laptop", "parent": "hardware"},
  {"id": "printer", "name": "Printer", "parent": "hardware"},
  {"id": "network", "name": "Network"},
  {"id": "vpn", "name": "VPN", "parent": "network"},
  {"id": "wifi", "name": "Wi-Fi", "parent": "network", "segments": ["emea"]},
  {"id": "release", "name": "Release", "kinds": ["change"]}
]})";

CategoryDef cat(Symbol id, std::string name, Symbol parent, std::vector<Symbol> kinds) {
    CategoryDef c;
    c.id = id;
    c.name = std::move(name);
    c.parent = parent;
    c.kinds = std::move(kinds);
    return c;
}

Taxonomy tree() {
    Schema s = Schema::itil();
    return Taxonomy::from_json(tree_json, &s);
}

std::string config_error(const std::string& json) {
    Schema s = Schema::itil();
    return error_of([&] { Taxonomy::from_json(json, &s); }, Errc::invalid_config);
}

Ticket file(Desk& d, Symbol kind, Symbol category, Symbol segment = {}) {
    NewTicket in;
    in.kind = kind;
    in.title = "Something broke";
    in.category = category;
    in.segment = segment;
    return d.engine.create(d.alice, in);
}

// Marks a ticket closed directly in the store (the workflow that closes tickets is not
// part of this suite).
void close_in_store(Desk& d, TicketId id) {
    auto t = std::make_shared<Ticket>(*d.store->get(id));
    std::uint64_t was = t->version;
    t->closed = d.clock->now();
    t->resolved = d.clock->now();
    t->version = was + 1;
    Commit c;
    c.tickets.push_back({t, was});
    d.store->commit(c);
}

}  // namespace

TEST_CASE("taxonomy: paths, subtrees, inheritance of kinds and segments") {
    Taxonomy t = tree();
    CHECK(t.categories().size() == 8);
    // Parents come before their children whatever the document order.
    CHECK(t.categories()[0].id == "hardware");
    CHECK(t.path("battery") == "Hardware > Laptop > Battery");
    CHECK(t.path("battery", "/") == "Hardware/Laptop/Battery");
    CHECK(t.path("nothing").empty());
    CHECK(t.subtree("hardware") == std::vector<Symbol>{"hardware", "laptop", "printer", "battery"});
    CHECK(t.subtree("vpn") == std::vector<Symbol>{"vpn"});
    CHECK(t.children("network") == std::vector<Symbol>{"vpn", "wifi"});
    CHECK(t.within("battery", "hardware"));
    CHECK_FALSE(t.within("hardware", "battery"));
    CHECK(t.is_leaf("battery"));
    CHECK_FALSE(t.is_leaf("laptop"));
    // battery inherits hardware's kinds; network allows every kind; wifi only in emea.
    CHECK(t.allowed_for("battery", "incident", "global"));
    CHECK_FALSE(t.allowed_for("battery", "change", "global"));
    CHECK(t.allowed_for("vpn", "change", "global"));
    CHECK(t.allowed_for("wifi", "incident", "emea"));
    CHECK_FALSE(t.allowed_for("wifi", "incident", "global"));
    t.check_choice("laptop", "incident", "global");
    CHECK(error_of([&] { t.check_choice("release", "incident", "global"); },
                   Errc::validation_failed) ==
          "category: category \"release\" is not allowed for kind \"incident\"");
    t.set_leaf_only(true);
    CHECK(error_of([&] { t.check_choice("laptop", "incident", "global"); },
                   Errc::validation_failed) ==
          "category: category \"laptop\" has subcategories; choose one of them");
}

TEST_CASE("taxonomy JSON: every refusal names its path") {
    CHECK(config_error(R"({"categories":[{"id":"a","name":"A","parent":"zz"}]})") ==
          "categories[0].parent: unknown category \"zz\"");
    CHECK(config_error(R"({"categories":[{"id":"a","name":"A","parent":"b"},
                                         {"id":"b","name":"B","parent":"a"}]})") ==
          "categories[0].parent: a cycle: a > b > a");
    CHECK(config_error(R"({"categories":[{"id":"a","name":"A","parent":"a"}]})") ==
          "categories[0].parent: a cycle: a > a");
    CHECK(config_error(R"({"categories":[{"id":"a","name":"A"},{"id":"a","name":"B"}]})") ==
          "categories[1].id: duplicate category id \"a\"");
    CHECK(config_error(R"({"categories":[{"id":"a","name":"A","kinds":["incident","bug"]}]})") ==
          "categories[0].kinds[1]: unknown kind \"bug\"");
    CHECK(config_error(R"({"categories":[{"id":"a","name":"A","kinds":["incident"]},
                          {"id":"b","name":"B","parent":"a","kinds":["change"]}]})") ==
          "categories[1].kinds[0]: \"change\" is not allowed by the parent \"a\"");
    CHECK(config_error(R"({"categories":[{"id":"a","name":""}]})") ==
          "categories[0].name: must not be empty");
    CHECK(config_error(R"({"categories":[{"id":"a b","name":"A"}]})") ==
          "categories[0].id: \"a b\" is not a category id (1 to 64 of a-z A-Z 0-9 _ - .)");
    CHECK(config_error(R"({"categories":[{"id":"a"}]})") == "categories[0].name: missing");
    CHECK(config_error(R"({"categories":[{"id":"a","name":"A","colour":"red"}]})") ==
          "categories[0].colour: unknown member");
    CHECK(config_error(R"({"categories":[{"id":"a","name":"A","merged_into":"b"}]})") ==
          "categories[0].merged_into: unknown category \"b\"");
    CHECK(config_error(R"({"leaf_only":"yes"})") == "leaf_only: expected true or false");
    CHECK(config_error(
              R"({"categories":[{"id":"a","name":"A","retired_at":"2026-01-01T00:00:00Z"}]})") ==
          "categories[0].retired_at: only a retired category has one");
    CHECK(config_error(
              R"({"categories":[{"id":"a","name":"A","retired":true,"retired_at":"soon"}]})") ==
          "categories[0].retired_at: \"soon\" is not an instant");
    CHECK(config_error("[1,").rfind("(document): not valid JSON", 0) == 0);
}

TEST_CASE("taxonomy builder: checks each category as it is added") {
    Taxonomy t;
    t.add(cat("hardware", "Hardware", {}, {"incident"}));
    CHECK(error_of([&] { t.add(cat("laptop", "Laptop", "hardwre", {})); }, Errc::invalid_config) ==
          "categories.laptop.parent: unknown category \"hardwre\"");
    CHECK(error_of([&] { t.add(cat("hardware", "Again", {}, {})); }, Errc::invalid_config) ==
          "categories.hardware.id: duplicate category id \"hardware\"");
    CHECK(error_of([&] { t.add(cat("x", "X", "hardware", {"change"})); }, Errc::invalid_config) ==
          "categories.x.kinds[0]: \"change\" is not allowed by the parent \"hardware\"");
    CHECK(t.categories().size() == 1);
    Schema s = Schema::itil();
    Taxonomy bad;
    bad.add(cat("x", "X", {}, {"bug"}));
    CHECK(error_of([&] { bad.check_kinds(s); }, Errc::invalid_config) ==
          "categories.x.kinds: unknown kind \"bug\"");
}

TEST_CASE("taxonomy: rename keeps history, round-trips through JSON") {
    Taxonomy t = tree();
    Instant t1 = itsm_test::t0() + std::chrono::hours(1);
    Instant t2 = itsm_test::t0() + std::chrono::hours(2);
    t.rename("laptop", "Notebook", t1);
    t.rename("laptop", "Portable", t2);
    CHECK(t.path("battery") == "Hardware > Portable > Battery");
    CHECK(t.name_at("laptop", itsm_test::t0()) == "Laptop");
    CHECK(t.name_at("laptop", t1) == "Notebook");
    CHECK(t.name_at("laptop", t2) == "Portable");
    CHECK(t.path_at("battery", t1 - std::chrono::seconds(1)) == "Hardware > Laptop > Battery");
    CHECK(error_of([&] { t.rename("laptop", "Old", t1); }, Errc::validation_failed) ==
          "at: a rename cannot be dated before the previous one");
    CHECK(error_of([&] { t.rename("nope", "X", t2); }, Errc::not_found) ==
          "category: unknown category \"nope\"");
    t.retire("printer", t2);
    Taxonomy back = Taxonomy::from_json(t.to_json());
    CHECK(back.categories() == t.categories());
    CHECK(back.name_at("laptop", t1) == "Notebook");
    CHECK(back.is_retired("printer"));
}

TEST_CASE("taxonomy: move re-parents a subtree and refuses cycles and misfits") {
    Taxonomy t = tree();
    t.move("hardware", "network");
    CHECK(t.path("battery") == "Network > Hardware > Laptop > Battery");
    CHECK(t.within("battery", "network"));
    t.move("hardware", {});
    CHECK(t.path("battery") == "Hardware > Laptop > Battery");
    Taxonomy before = t;
    CHECK(error_of([&] { t.move("hardware", "battery"); }, Errc::validation_failed) ==
          "parent: moving \"hardware\" under \"battery\" makes a cycle (\"battery\" is below it)");
    CHECK(
        error_of([&] { t.move("hardware", "hardware"); }, Errc::validation_failed).find("itself") !=
        std::string::npos);
    // hardware allows incident and service_request; release only allows change.
    CHECK(error_of([&] { t.move("hardware", "release"); }, Errc::validation_failed) ==
          "parent: \"hardware\" allows kind \"incident\", which \"release\" does not");
    CHECK(error_of([&] { t.move("laptop", "nowhere"); }, Errc::not_found) ==
          "parent: unknown category \"nowhere\"");
    CHECK(t.categories() == before.categories());
    // A category moved under one that was listed after it is reordered behind its parent.
    t.add(cat("misc", "Misc", {}, {}));
    t.move("hardware", "misc");
    CHECK(t.subtree("misc") ==
          std::vector<Symbol>{"misc", "hardware", "laptop", "printer", "battery"});
    CHECK(t.path("battery") == "Misc > Hardware > Laptop > Battery");
}

TEST_CASE("taxonomy: retire, merge and remove on the tree") {
    Taxonomy t = tree();
    Instant at = itsm_test::t0();
    t.retire("hardware", at);
    CHECK(t.is_retired("battery"));  // below a retired category
    CHECK(error_of([&] { t.check_choice("battery", "incident", "global"); },
                   Errc::validation_failed) == "category: category \"battery\" is retired");
    CHECK(error_of([&] { t.retire("hardware", at); }, Errc::conflict) ==
          "category: \"hardware\" is already retired");

    Taxonomy m = tree();
    m.merge("laptop", "printer", at);
    CHECK(m.find("laptop")->retired);
    CHECK(m.find("laptop")->merged_into == "printer");
    CHECK(m.path("battery") == "Hardware > Printer > Battery");
    CHECK(error_of([&] { m.merge("hardware", "battery", at); }, Errc::validation_failed) ==
          "into: \"battery\" is below \"hardware\"; merging would make a cycle");
    CHECK(error_of([&] { m.merge("vpn", "laptop", at); }, Errc::validation_failed) ==
          "into: \"laptop\" is retired");
    CHECK(error_of([&] { m.merge("vpn", "vpn", at); }, Errc::validation_failed) ==
          "into: a category cannot merge into itself");
    CHECK(error_of([&] { m.remove("hardware"); }, Errc::conflict) ==
          "category: \"hardware\" has subcategories; move or remove them first");
    CHECK(error_of([&] { m.remove("printer"); }, Errc::conflict) ==
          "category: \"printer\" has subcategories; move or remove them first");
    m.remove("vpn");
    CHECK_FALSE(m.find("vpn"));
    CHECK(m.children("network") == std::vector<Symbol>{"wifi"});
}

// ---- Through the engine ---------------------------------------------------------------

TEST_CASE("engine: categories are checked on create and on edits") {
    Desk d;
    Ticket free = file(d, "incident", "anything");  // no taxonomy: any category id
    d.engine.set_taxonomy(d.alice, tree());
    Ticket ok = file(d, "incident", "battery");
    CHECK(ok.category == "battery");
    auto before = d.store->size();
    CHECK(error_of([&] { file(d, "incident", "nothing"); }, Errc::validation_failed) ==
          "category: unknown category \"nothing\"");
    CHECK(error_of([&] { file(d, "change", "battery"); }, Errc::validation_failed) ==
          "category: category \"battery\" is not allowed for kind \"change\"");
    CHECK(error_of([&] { file(d, "incident", "wifi"); }, Errc::validation_failed) ==
          "category: category \"wifi\" is not allowed in segment \"global\"");
    CHECK(d.store->size() == before);
    CHECK(file(d, "incident", "wifi", "emea").category == "wifi");

    TicketPatch p;
    p.category = Symbol("release");
    refused_unchanged(
        d, ok.id, [&] { d.engine.update(d.alice, ok.id, p); }, Errc::validation_failed);
    // Moving a wifi ticket out of the only segment its category allows is refused too.
    Ticket w = file(d, "incident", "wifi", "emea");
    TicketPatch seg;
    seg.segment = Symbol("global");
    CHECK(refused_unchanged(
              d, w.id, [&] { d.engine.update(d.alice, w.id, seg); }, Errc::validation_failed) ==
          "segment: category \"wifi\" is not allowed in segment \"global\"");
    // A ticket filed before the taxonomy keeps its category through unrelated edits.
    TicketPatch title;
    title.title = "Renamed";
    CHECK(d.engine.update(d.alice, free.id, title).category == "anything");
}

TEST_CASE("engine: leaf-only taxonomies refuse folders") {
    Desk d;
    d.engine.set_taxonomy(d.alice, tree().set_leaf_only(true));
    CHECK(error_of([&] { file(d, "incident", "hardware"); }, Errc::validation_failed) ==
          "category: category \"hardware\" has subcategories; choose one of them");
    CHECK(file(d, "incident", "printer").category == "printer");
}

TEST_CASE("engine: set_taxonomy refusals change nothing") {
    Desk d;
    Schema s = Schema::itil();
    d.engine.set_taxonomy(d.alice, tree());
    Ticket t = file(d, "incident", "vpn");
    Taxonomy bad;
    bad.add(cat("x", "X", {}, {"bug"}));
    CHECK(error_of([&] { d.engine.set_taxonomy(d.alice, bad); }, Errc::invalid_config) ==
          "categories.x.kinds: unknown kind \"bug\"");
    // Dropping a category a ticket still uses is refused.
    Taxonomy smaller = Taxonomy::from_json(R"({"categories":[{"id":"network","name":"Net"}]})");
    CHECK(error_of([&] { d.engine.set_taxonomy(d.alice, smaller); }, Errc::conflict) ==
          "categories: category \"vpn\" is missing but 1 ticket(s) use it");
    CHECK(d.engine.taxonomy().categories() == tree().categories());
    CHECK(d.engine.get(d.alice, t.id).category == "vpn");
}

TEST_CASE("engine: rename keeps ids in tickets and history, reports show either name") {
    Desk d;
    d.engine.set_taxonomy(d.alice, tree());
    Ticket t = file(d, "incident", "laptop");
    Instant filed = d.clock->now();
    d.clock->advance(std::chrono::hours(1));
    d.engine.rename_category(d.alice, "laptop", "Notebook");
    Taxonomy tax = d.engine.taxonomy();
    CHECK(tax.path("laptop") == "Hardware > Notebook");
    CHECK(tax.path_at("laptop", filed) == "Hardware > Laptop");
    CHECK(tax.find("laptop")->former_names ==
          std::vector<FormerName>{{"Laptop", itsm_test::t0() + std::chrono::hours(1)}});
    // The ticket is untouched: same id, same version, no event.
    Ticket after = d.engine.get(d.alice, t.id);
    CHECK(after.category == "laptop");
    CHECK(after.version == t.version);
    CHECK(d.engine.history(d.alice, t.id).size() == 1);
    auto counts = d.engine.category_counts(d.alice);
    auto laptop = std::find_if(counts.begin(), counts.end(),
                               [](const CategoryCount& c) { return c.id == "laptop"; });
    REQUIRE(laptop != counts.end());
    CHECK(laptop->path == "Hardware > Notebook");
    CHECK(laptop->total == 1);
    auto then = d.engine.category_counts(d.alice, {}, filed);
    CHECK(std::find_if(then.begin(), then.end(), [](const CategoryCount& c) {
              return c.path == "Hardware > Laptop";
          }) != then.end());
    CHECK(error_of([&] { d.engine.rename_category(d.alice, "laptop", ""); },
                   Errc::invalid_config) == "name: must not be empty");
    CHECK(error_of([&] { d.engine.rename_category(d.alice, "ghost", "G"); }, Errc::not_found) ==
          "category: unknown category \"ghost\"");
}

namespace {

const CategoryCount& count_of(const std::vector<CategoryCount>& counts, Symbol id) {
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const CategoryCount& c) { return c.id == id; });
    REQUIRE(it != counts.end());
    return *it;
}

}  // namespace

TEST_CASE("engine: counts per subtree follow moves; open counts skip closed tickets") {
    Desk d;
    d.engine.set_taxonomy(d.alice, tree());
    file(d, "incident", "battery");
    Ticket closed = file(d, "incident", "battery");
    file(d, "incident", "printer");
    file(d, "incident", "vpn");
    file(d, "change", "vpn");
    close_in_store(d, closed.id);
    auto counts = d.engine.category_counts(d.alice);
    CHECK(count_of(counts, "hardware").total == 3);
    CHECK(count_of(counts, "hardware").open == 2);
    CHECK(count_of(counts, "hardware").direct == 0);
    CHECK(count_of(counts, "laptop").total == 2);
    CHECK(count_of(counts, "battery").direct == 2);
    CHECK(count_of(counts, "network").total == 2);
    Query incidents;
    incidents.kinds = {"incident"};
    CHECK(count_of(d.engine.category_counts(d.alice, incidents), "network").total == 1);

    d.engine.move_category(d.alice, "laptop", "network");
    counts = d.engine.category_counts(d.alice);
    CHECK(count_of(counts, "hardware").total == 1);
    CHECK(count_of(counts, "network").total == 4);
    CHECK(count_of(counts, "network").open == 3);
    CHECK(count_of(counts, "battery").path == "Network > Laptop > Battery");

    // Tickets are not touched by a move: same version, no event.
    CHECK(d.engine.get(d.alice, closed.id).version == 2);
    CHECK(d.engine.history(d.alice, closed.id).size() == 1);
    Taxonomy moved = d.engine.taxonomy();
    CHECK(error_of([&] { d.engine.move_category(d.alice, "network", "battery"); },
                   Errc::validation_failed)
              .find("makes a cycle") != std::string::npos);
    CHECK(d.engine.taxonomy().categories() == moved.categories());
    Query bad;
    bad.categories = {"vpn"};
    error_of([&] { d.engine.category_counts(d.alice, bad); }, Errc::invalid_argument);
}

TEST_CASE("engine: retire keeps existing tickets, refuses new tickets and edits") {
    Desk d;
    d.engine.set_taxonomy(d.alice, tree());
    Ticket t = file(d, "incident", "printer");
    Ticket other = file(d, "incident", "vpn");
    d.engine.retire_category(d.alice, "printer");
    CHECK(d.engine.taxonomy().find("printer")->retired_at == d.clock->now());
    CHECK(d.engine.get(d.alice, t.id).category == "printer");
    CHECK(error_of([&] { file(d, "incident", "printer"); }, Errc::validation_failed) ==
          "category: category \"printer\" is retired");
    TicketPatch p;
    p.category = Symbol("printer");
    refused_unchanged(
        d, other.id, [&] { d.engine.update(d.alice, other.id, p); }, Errc::validation_failed);
    // The ticket that has it can still be edited otherwise.
    TicketPatch title;
    title.title = "Still jammed";
    CHECK(d.engine.update(d.alice, t.id, title).category == "printer");
    CHECK(error_of([&] { d.engine.retire_category(d.alice, "printer"); }, Errc::conflict) ==
          "category: \"printer\" is already retired");
    CHECK(count_of(d.engine.category_counts(d.alice), "printer").total == 1);
}

TEST_CASE("engine: merge re-points every ticket, closed ones too, in one commit") {
    Desk d;
    d.engine.set_taxonomy(d.alice, tree());
    Ticket a = file(d, "incident", "laptop");
    Ticket b = file(d, "service_request", "laptop");
    Ticket keep = file(d, "incident", "printer");
    close_in_store(d, b.id);
    std::vector<std::uint64_t> seqs;
    d.engine.subscribe([&](const Event& e) { seqs.push_back(e.seq); });
    d.clock->advance(std::chrono::minutes(5));
    CHECK(d.engine.merge_category(d.alice, "laptop", "printer") == 2);
    for (TicketId id : {a.id, b.id}) {
        Ticket t = d.engine.get(d.alice, id);
        CHECK(t.category == "printer");
        CHECK(t.updated == d.clock->now());
        auto h = d.engine.history(d.alice, id);
        const Event& e = h.back();
        CHECK(e.type == EventType::field_changed);
        CHECK(e.field == "category");
        CHECK(e.old_value == Value{std::string("laptop")});
        CHECK(e.new_value == Value{std::string("printer")});
        CHECK(e.text == "merge");
        CHECK(e.actor == "alice");
    }
    CHECK(d.engine.get(d.alice, b.id).closed);
    CHECK(seqs.size() == 2);
    CHECK(seqs[1] == seqs[0] + 1);  // one commit
    CHECK(d.engine.get(d.alice, keep.id).version == keep.version);
    Taxonomy tax = d.engine.taxonomy();
    CHECK(tax.find("laptop")->merged_into == "printer");
    CHECK(tax.path("battery") == "Hardware > Printer > Battery");
    CHECK(count_of(d.engine.category_counts(d.alice), "printer").total == 3);
    CHECK(count_of(d.engine.category_counts(d.alice), "laptop").total == 0);
    CHECK(error_of([&] { file(d, "incident", "laptop"); }, Errc::validation_failed) ==
          "category: category \"laptop\" is retired (merged into \"printer\")");
}

TEST_CASE("engine: merge refusals leave tickets and tree unchanged") {
    Desk d;
    d.engine.set_taxonomy(d.alice, tree());
    Ticket t = file(d, "incident", "vpn");
    Taxonomy before = d.engine.taxonomy();
    // release only allows changes: the incident could not follow.
    CHECK(refused_unchanged(
              d, t.id, [&] { d.engine.merge_category(d.alice, "vpn", "release"); },
              Errc::validation_failed) ==
          "into: \"release\" is not allowed for INC0000001 (incident in global)");
    refused_unchanged(
        d, t.id, [&] { d.engine.merge_category(d.alice, "network", "vpn"); },
        Errc::validation_failed);
    refused_unchanged(
        d, t.id, [&] { d.engine.merge_category(d.alice, "vpn", "ghost"); }, Errc::not_found);
    CHECK(d.engine.taxonomy().categories() == before.categories());
}

TEST_CASE("engine: a category that tickets use cannot be deleted") {
    Desk d;
    d.engine.set_taxonomy(d.alice, tree());
    Ticket t = file(d, "incident", "vpn");
    close_in_store(d, t.id);
    CHECK(refused_unchanged(
              d, t.id, [&] { d.engine.remove_category(d.alice, "vpn"); }, Errc::conflict) ==
          "category: category \"vpn\" is used by 1 ticket(s); retire or merge it");
    CHECK(error_of([&] { d.engine.remove_category(d.alice, "network"); }, Errc::conflict)
              .find("has subcategories") != std::string::npos);
    d.engine.remove_category(d.alice, "wifi");
    CHECK_FALSE(d.engine.taxonomy().find("wifi"));
    CHECK(d.engine.taxonomy().find("vpn"));
}

TEST_CASE("engine: tag counts over the store, most used first") {
    Desk d;
    for (auto tags : {std::vector<std::string>{"VPN", "remote"}, {" vpn "}, {"printer"}}) {
        NewTicket in;
        in.kind = "incident";
        in.title = "x";
        in.tags = tags;
        d.engine.create(d.alice, in);
    }
    auto counts = d.engine.tag_counts(d.alice);
    REQUIRE(counts.size() == 3);
    CHECK(counts[0].tag == "vpn");
    CHECK(counts[0].count == 2);
    CHECK(counts[1].tag == "printer");
    CHECK(counts[2].tag == "remote");
    Query q;
    q.tags = {"printer"};
    CHECK(d.engine.tag_counts(d.alice, q).size() == 1);
}
