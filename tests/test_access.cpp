// Access control: policy validation, the preset and relationship decision tables (read from
// docs/access.md), seals, conditions, and the policy's builders and JSON form.
#include <fstream>
#include <sstream>

#include "helpers.hpp"
#include "itsm/access.hpp"

using namespace itsm;
using itsm_test::error_of;

namespace {

Ticket ticket_in(Symbol segment, Symbol kind = "incident") {
    Ticket t;
    t.id = 7;
    t.key = "INC0000007";
    t.kind = kind;
    t.state = "new";
    t.segment = segment;
    t.requester = "rita";
    return t;
}

// A Markdown table between `<!-- marker -->` and `<!-- end -->`: header cells, then rows.
std::vector<std::vector<std::string>> doc_table(const std::string& marker) {
    std::ifstream in(std::string(ITSM_SOURCE_DIR) + "/docs/access.md");
    REQUIRE(in.good());
    std::vector<std::vector<std::string>> rows;
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line == "<!-- " + marker + " -->")
            inside = true;
        else if (inside && line == "<!-- end -->")
            break;
        else if (inside && line.rfind("| ---", 0) != 0 && line.rfind("|", 0) == 0) {
            std::vector<std::string> cells;
            std::stringstream ss(line.substr(1));
            std::string cell;
            while (std::getline(ss, cell, '|')) {
                auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
                cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
            }
            rows.push_back(cells);
        }
    }
    REQUIRE(rows.size() > 1);
    return rows;
}

bool ticketless(std::string_view permission) {
    return permission.rfind("manage.", 0) == 0 || permission == "metrics.read";
}

}  // namespace

TEST_CASE("access: every preset decides as the table in docs/access.md says") {
    auto table = doc_table("decision-table");
    const auto& header = table.front();
    CHECK(table.size() - 1 == AccessPolicy::preset_roles().size());
    for (std::size_t r = 1; r < table.size(); ++r) {
        const auto& row = table[r];
        REQUIRE(row.size() == header.size());
        AccessPolicy p;
        p.add_segment({"it", {}, false, "IT"}).add_preset_role(row[0]);
        p.add_grant({"uma", {}, Symbol(row[0]), root_segment, true, {}});
        AccessControl ac(p, Directory{});
        Ticket t = ticket_in("it");
        for (std::size_t c = 1; c < header.size(); ++c) {
            INFO("role ", row[0], ", permission ", header[c]);
            REQUIRE((row[c] == "yes" || row[c] == "-"));
            const Ticket* on = ticketless(header[c]) ? nullptr : &t;
            CHECK(ac.decide("uma", on, header[c]).allowed == (row[c] == "yes"));
            // an unrelated user without grants gets nothing
            CHECK_FALSE(ac.decide("zed", on, header[c]).allowed);
        }
    }
}

TEST_CASE("access: relationships decide as the table in docs/access.md says") {
    auto table = doc_table("relationship-table");
    const auto& header = table.front();
    CHECK(table.size() - 1 == relationship_count);
    Directory dir;
    dir.add_user({"rel", "", true}).add_group({"desk", "", {}, {"rel"}});
    AccessPolicy p;
    p.add_segment({"hr", {}, true, "HR"});  // sealed, no grants: only relationships count
    AccessControl ac(p, dir);
    for (std::size_t r = 1; r < table.size(); ++r) {
        const auto& row = table[r];
        Ticket t = ticket_in("hr");
        Approval pending;
        pending.approver = "rel";
        if (row[0] == "requester") t.requester = "rel";
        if (row[0] == "watcher") t.watchers = {"rel"};
        if (row[0] == "assignee") t.assignee = "rel";
        if (row[0] == "group_member") t.assignment_group = "desk";
        if (row[0] == "approver") t.approvals = {pending};
        for (std::size_t c = 1; c < header.size(); ++c) {
            INFO("relationship ", row[0], ", permission ", header[c]);
            auto d = ac.decide("rel", ticketless(header[c]) ? nullptr : &t, header[c]);
            CHECK(d.allowed == (row[c] == "yes"));
            if (d.allowed) CHECK(to_string(d.relationship) == row[0]);
        }
    }
    // a decided approval no longer counts
    Ticket t = ticket_in("hr");
    Approval done;
    done.approver = "rel";
    done.decision = ApprovalDecision::approved;
    t.approvals = {done};
    CHECK_FALSE(ac.decide("rel", &t, "ticket.read").allowed);
}

TEST_CASE("access: a sealed segment is out of reach of grants on its ancestors") {
    AccessPolicy p;
    p.add_segment({"it", {}, false, ""})
        .add_segment({"it_emea", "it", false, ""})
        .add_segment({"hr", {}, true, ""})
        .add_segment({"hr_payroll", "hr", false, ""})
        .add_segment({"it_secret", "it", true, ""})
        .add_preset_role("administrator")
        .add_preset_role("auditor")
        .add_grant({"root", {}, "administrator", root_segment, true, {}})
        .add_grant({"hrboss", {}, "auditor", "hr", true, {}})
        .add_grant({"itonly", {}, "auditor", "it", false, {}});
    AccessControl ac(p, Directory{});
    auto reads = [&](Symbol user, Symbol seg) {
        Ticket t = ticket_in(seg);
        return ac.decide(user, &t, "ticket.read").allowed;
    };
    CHECK(reads("root", "it"));
    CHECK(reads("root", "it_emea"));
    CHECK_FALSE(reads("root", "hr"));
    CHECK_FALSE(reads("root", "hr_payroll"));
    CHECK_FALSE(reads("root", "it_secret"));
    CHECK(reads("hrboss", "hr"));
    CHECK(reads("hrboss", "hr_payroll"));
    CHECK_FALSE(reads("hrboss", "it"));
    CHECK(reads("itonly", "it"));
    CHECK_FALSE(reads("itonly", "it_emea"));  // not recursive
    CHECK_FALSE(reads("root", "undeclared"));
    // the root grant holds the ticket-less permissions; a segment grant does not
    CHECK(ac.decide("root", nullptr, "manage.grants").allowed);
    CHECK_FALSE(ac.decide("hrboss", nullptr, "metrics.read").allowed);
    Ticket hr = ticket_in("hr");
    CHECK(ac.explain("root", &hr, "ticket.read").reason.find("sealed") != std::string::npos);
    CHECK(ac.holders_of("auditor", "hr_payroll") == std::vector<Symbol>{"hrboss"});
    CHECK(ac.holders_of("administrator", "hr").empty());
}

TEST_CASE("access: grant conditions on kind, category subtree and open tickets") {
    Directory dir;
    dir.add_user({"cm", "", true}).add_user({"hw", "", true});
    dir.add_group({"hw_techs", "", {}, {"hw"}});
    AccessPolicy p = AccessPolicy::from_json(R"({
        "segments": [{"id": "it"}],
        "roles": [{"preset": "change_manager"}, {"preset": "technician"}],
        "grants": [
            {"user": "cm", "role": "change_manager", "segment": "it", "kinds": ["change"]},
            {"group": "hw_techs", "role": "technician", "segment": "it",
             "categories": ["hardware"], "open_only": true}
        ]})");
    p.check_principals(dir);
    AccessControl ac(p, dir);
    Ticket change = ticket_in("it", "change"), incident = ticket_in("it");
    CHECK(ac.decide("cm", &change, "approval.approve").allowed);
    CHECK_FALSE(ac.decide("cm", &incident, "ticket.read").allowed);

    Ticket t = ticket_in("it");
    for (auto [category, allowed] : {std::pair{"hardware", true},
                                     {"hardware.printer", true},
                                     {"hardwarex", false},
                                     {"software", false},
                                     {"", false}}) {
        t.category = category;
        INFO("category ", category);
        CHECK(ac.decide("hw", &t, "ticket.update").allowed == allowed);
    }
    t.category = "hardware.laptop";
    t.resolved = t.created;
    CHECK_FALSE(ac.decide("hw", &t, "ticket.read").allowed);
    auto vis = ac.visibility("hw");
    REQUIRE(vis->segments.size() == 1);
    CHECK(vis->segments[0].open_only);
    CHECK_FALSE(vis->allows(t));
    t.resolved.reset();
    CHECK(vis->allows(t));
}

TEST_CASE("access: decisions and explanations name what decided") {
    Directory dir;
    dir.add_user({"ann", "", true}).add_group({"it_agents", "", {}, {"ann"}});
    AccessPolicy p;
    p.add_segment({"it", {}, false, ""}).add_preset_role("service_desk_agent");
    p.add_grant({{}, "it_agents", "service_desk_agent", "it", true, {}});
    AccessControl ac(p, dir);
    Ticket t = ticket_in("it");
    auto x = ac.explain("ann", &t, "ticket.update");
    CHECK(x.decision.allowed);
    CHECK(x.decision.grant == 0);
    CHECK(x.reason.find("grants[0]") != std::string::npos);
    CHECK(x.reason.find("it_agents") != std::string::npos);
    x = ac.explain("rita", &t, "ticket.read");
    CHECK(x.decision.relationship == Relationship::requester);
    CHECK(x.reason.find("requester") != std::string::npos);
    x = ac.explain("rita", &t, "work_notes.read");
    CHECK_FALSE(x.decision.allowed);
    CHECK(x.reason.rfind("denied", 0) == 0);
    CHECK(to_json(x).find("\"allowed\":false") != std::string::npos);
    // transitions: transition.* covers every id, named or not
    CHECK(ac.decide("ann", &t, "transition.resolve").allowed);
    CHECK(ac.decide("ann", &t, "transition.anything_else").allowed);
    CHECK_FALSE(ac.decide("ann", &t, "manage.grants").allowed);
    // a name outside the vocabulary is simply not held (the engine's explain refuses it)
    x = ac.explain("ann", &t, "ticket.raed");
    CHECK_FALSE(x.decision.allowed);
    CHECK(x.reason.find("not a permission") != std::string::npos);
}

TEST_CASE("access: permission names are checked") {
    for (auto ok : {"ticket.read", "transition.resolve", "ticket.update.title",
                    "ticket.update.custom", "manage.grants", "transition.*"})
        CHECK(is_valid_permission(ok));
    for (auto bad :
         {"", "ticket", "ticket.raed", "transition.", "ticket.update.colour", "manage.everything"})
        CHECK_FALSE(is_valid_permission(bad));
    CHECK(field_group("custom.cost") == "custom");
    CHECK(field_group("title") == "title");
}

TEST_CASE("access: the builder refuses bad input, naming the place") {
    AccessPolicy p;
    p.add_segment({"it", {}, false, ""}).add_preset_role("technician");
    auto where = [](const std::function<void()>& op) {
        try {
            op();
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid_config);
            return e.where();
        }
        FAIL("expected invalid_config");
        return std::string();
    };
    CHECK(where([&] { p.add_segment({"it", {}, false, ""}); }) == "segments.it");
    CHECK(where([&] { p.add_segment({"*", {}, false, ""}); }) == "segments.*.id");
    CHECK(where([&] { p.add_segment({"x", "nowhere", false, ""}); }) == "segments.x.parent");
    CHECK(where([&] {
              p.add_role({"r", "", {"ticket.read", "ticket.raed"}});
          }) == "roles.r.permissions[1]");
    CHECK(where([&] { p.add_role({"technician", "", {}}); }) == "roles.technician");
    CHECK(where([&] { p.add_preset_role("wizard"); }) == "preset");
    CHECK(where([&] { p.add_grant({"u", {}, "nobody", "it", true, {}}); }) == "grants[0].role");
    CHECK(where([&] {
              p.add_grant({"u", {}, "technician", "hrr", true, {}});
          }) == "grants[0].segment");
    CHECK(where([&] { p.add_grant({"u", "g", "technician", "it", true, {}}); }) == "grants[0]");
    CHECK(where([&] { p.add_grant({{}, {}, "technician", "it", true, {}}); }) == "grants[0]");
    CHECK(where([&] { p.set_relationship(Relationship::watcher, {"nope"}); }) ==
          "relationships.watcher[0]");
    // nothing was half-added
    CHECK(p.segments().size() == 1);
    CHECK(p.roles().size() == 1);
    CHECK(p.grants().empty());
}

TEST_CASE("access: a JSON policy is refused whole with the JSON path") {
    struct Case {
        const char* json;
        const char* where;
    };
    const Case cases[] = {
        {R"({"segments": [{"id": "it"}], "roles": [{"id": "r", "permissions": ["ticket.read",
            "ticket.raed"]}]})",
         "roles[0].permissions[1]"},
        {R"({"segments": [{"id": "it"}], "roles": [{"preset": "technician"}],
            "grants": [{"user": "u", "role": "tech", "segment": "it"}]})",
         "grants[0].role"},
        {R"({"segments": [{"id": "it"}], "roles": [{"preset": "technician"}],
            "grants": [{"user": "u", "role": "technician", "segment": "hrr"}]})",
         "grants[0].segment"},
        {R"({"segments": [{"id": "it"}, {"id": "x", "parent": "later"}]})", "segments[1].parent"},
        {R"({"segments": [{"id": "it", "sealed": "yes"}]})", "segments[0].sealed"},
        {R"({"roles": [{"preset": "wizard"}]})", "roles[0]"},
        {R"({"relationships": {"boss": ["ticket.read"]}})", "relationships.boss"},
        {R"({"relationships": {"watcher": ["ticket.raed"]}})", "relationships.watcher[0]"},
        {R"({"grants": [{"role": "x"}]})", "grants[0].segment"},
        {R"({"segment": []})", "segment"},
        {R"([1])", "(document)"},
    };
    for (const auto& c : cases) {
        INFO(c.json);
        try {
            AccessPolicy::from_json(c.json);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid_config);
            CHECK(e.where() == c.where);
        }
    }
}

TEST_CASE("access: a policy round-trips through JSON") {
    AccessPolicy p = AccessPolicy::from_json(R"({
        "segments": [{"id": "it", "name": "IT"}, {"id": "hr", "sealed": true}],
        "roles": [{"preset": "auditor"}, {"id": "hr_worker", "permissions": ["ticket.read"]}],
        "grants": [{"group": "audit", "role": "auditor", "segment": "*", "kinds": ["change"],
                    "categories": ["hardware"], "open_only": true, "recursive": false}],
        "relationships": {"watcher": []}})");
    AccessPolicy q = AccessPolicy::from_json(p.to_json());
    CHECK(q.to_json() == p.to_json());
    CHECK(q.segment("hr")->sealed);
    CHECK(q.grants()[0].when.open_only);
    CHECK_FALSE(q.grants()[0].recursive);
    CHECK(q.relationship(Relationship::watcher).empty());
    Directory dir;
    error_of([&] { q.check_principals(dir); }, Errc::invalid_config);
}
