// load_config: a configuration document with one section per setter, checked whole and then
// applied in one batch, all or nothing.
#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>

#include "itsm/config.hpp"
#include "itsm/error.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using nlohmann::json;

// In the order they are applied. Workflows come last: nothing after them can fail, so they
// never need putting back (an engine without workflows cannot be given "none" again).
constexpr const char* section_names[] = {"directory", "calendars",    "access",    "taxonomy",
                                         "routing",   "sla_policies", "scorecard", "workflows"};

struct Sections {
    std::optional<Directory> directory;
    std::optional<AccessPolicy> access;
    std::optional<Taxonomy> taxonomy;
    std::optional<RoutingRules> routing;
    std::optional<CalendarSet> calendars;
    std::optional<SlaPolicies> sla_policies;
    std::optional<Scorecard> scorecard;
    std::optional<Workflows> workflows;
};

// An error of a section's own document (where it was read, or where its setter refused it),
// moved to its path in the whole document; `note` is added to the message.
[[noreturn]] void relocate(const Error& e, std::string_view source, std::string_view section,
                           std::string_view note = {}) {
    std::string path(section);
    std::string message = e.what();
    // Only a refused document has a JSON path as its `where` (a permission refusal names
    // the permission, for instance): other messages are kept whole.
    const std::string& where = e.code() == Errc::invalid_config ? e.where() : std::string();
    if (!where.empty() && where != "(document)") path += (where[0] == '[' ? "" : ".") + where;
    if (!where.empty()) message.erase(0, where.size() + 2);  // what() is "<where>: <message>"
    if (!note.empty()) message += fmt::format(" ({})", note);
    throw Error(e.code(), fmt::format("{}: {}", source, path), message);
}

json parse_document(std::string_view text, std::string_view source) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(Errc::invalid_config, std::string(source),
                    fmt::format("not valid JSON ({})", e.what()));
    }
    if (!doc.is_object())
        throw Error(Errc::invalid_config, std::string(source),
                    "expected an object whose members are configuration sections");
    for (const auto& item : doc.items()) {
        bool known = false;
        for (const char* name : section_names)
            known = known || item.key() == name;
        if (!known)
            throw Error(Errc::invalid_config, fmt::format("{}: {}", source, item.key()),
                        "unknown section (directory, access, taxonomy, routing, calendars, "
                        "sla_policies, scorecard, workflows)");
    }
    return doc;
}

// Reads and checks every present section; throws with the path of the first fault.
Sections read_sections(const Engine& engine, const json& doc, std::string_view source) {
    Sections s;
    auto section = [&](const char* name, auto&& read) {
        auto it = doc.find(name);
        if (it == doc.end()) return;
        try {
            read(it->dump());
        } catch (const Error& e) {
            relocate(e, source, name);
        }
    };
    section("directory", [&](const std::string& t) { s.directory = Directory::from_json(t); });
    section("calendars", [&](const std::string& t) { s.calendars = CalendarSet::from_json(t); });
    section("access", [&](const std::string& t) {
        s.access = AccessPolicy::from_json(t);
        s.access->check_principals(s.directory ? *s.directory : engine.directory());
    });
    section("taxonomy",
            [&](const std::string& t) { s.taxonomy = Taxonomy::from_json(t, &engine.schema()); });
    section("routing", [&](const std::string& t) {
        s.routing = RoutingRules::from_json(t);
        s.routing->check(engine.schema(), s.taxonomy ? *s.taxonomy : engine.taxonomy(),
                         s.directory ? *s.directory : engine.directory());
    });
    section("sla_policies", [&](const std::string& t) {
        CalendarSet calendars = s.calendars ? *s.calendars : engine.calendars();
        s.sla_policies = SlaPolicies::from_json(t, &calendars);
    });
    section("scorecard", [&](const std::string& t) { s.scorecard = Scorecard::from_json(t); });
    section("workflows", [&](const std::string& t) {
        s.workflows = Workflows::from_json(t);
        s.workflows->check(engine.schema());
    });
    return s;
}

// What the engine had before, for the sections the document replaces.
struct Before {
    Directory directory;
    AccessPolicy access;
    Taxonomy taxonomy;
    RoutingRules routing;
    CalendarSet calendars;
    SlaPolicies sla_policies;
    Scorecard scorecard;
};

// The sections whose value in the engine may differ from `Before` (set, or cleared).
using Touched = std::vector<std::string_view>;

bool has(const Touched& t, std::string_view name) {
    return std::find(t.begin(), t.end(), name) != t.end();
}

// Routing rules name categories and SLA policies name calendars, and each setter checks the
// other side: to change both sides, the dependent one is emptied first.
void clear_dependents(Engine& e, const Actor& actor, Touched& touched, bool sla, bool routing) {
    if (sla) {
        touched.push_back("sla_policies");
        e.set_sla_policies(actor, SlaPolicies{});
    }
    if (routing) {
        touched.push_back("routing");
        e.set_routing(actor, RoutingRules{});
    }
}

// Puts back every touched section, as the system (the actor may have just lost the
// permission), dependents emptied first. Returns what could not be put back, which should
// never happen.
std::string put_back(Engine& e, const Before& b, Touched touched) {
    const Actor system = Actor::system();
    std::string failures;
    auto again = [&](std::string_view name, auto&& set) {
        if (!has(touched, name)) return;
        try {
            set();
        } catch (const std::exception& x) {
            failures += fmt::format("; putting back {} failed: {}", name, x.what());
        }
    };
    try {
        clear_dependents(e, system, touched,
                         has(touched, "calendars") || has(touched, "sla_policies"),
                         has(touched, "taxonomy") || has(touched, "routing"));
    } catch (const std::exception& x) {
        failures += fmt::format("; emptying routing or SLA policies failed: {}", x.what());
    }
    again("directory", [&] { e.set_directory(system, b.directory); });
    again("calendars", [&] { e.set_calendars(system, b.calendars); });
    again("access", [&] { e.set_access(system, b.access); });
    again("taxonomy", [&] { e.set_taxonomy(system, b.taxonomy); });
    again("routing", [&] { e.set_routing(system, b.routing); });
    again("sla_policies", [&] { e.set_sla_policies(system, b.sla_policies); });
    again("scorecard", [&] { e.set_scorecard(system, b.scorecard); });
    return failures;
}

void apply(Engine& e, const Actor& actor, Sections& s, std::string_view source) {
    Before before{e.directory(), e.access_policy(), e.taxonomy(), e.routing(),
                  e.calendars(), e.sla_policies(),  e.scorecard()};
    Touched touched;
    std::string_view current;
    auto step = [&](std::string_view name, auto& value, auto&& set) {
        if (!value) return;
        current = name;
        touched.push_back(name);  // a refused setter changes nothing; putting back is harmless
        set(std::move(*value));
    };
    try {
        step("directory", s.directory, [&](auto v) { e.set_directory(actor, std::move(v)); });
        current = "sla_policies";
        clear_dependents(e, actor, touched, s.calendars && s.sla_policies, false);
        step("calendars", s.calendars, [&](auto v) { e.set_calendars(actor, std::move(v)); });
        step("access", s.access, [&](auto v) { e.set_access(actor, std::move(v)); });
        current = "routing";
        clear_dependents(e, actor, touched, false, s.taxonomy && s.routing);
        step("taxonomy", s.taxonomy, [&](auto v) { e.set_taxonomy(actor, std::move(v)); });
        step("routing", s.routing, [&](auto v) { e.set_routing(actor, std::move(v)); });
        step("sla_policies", s.sla_policies,
             [&](auto v) { e.set_sla_policies(actor, std::move(v)); });
        step("scorecard", s.scorecard, [&](auto v) { e.set_scorecard(actor, std::move(v)); });
        step("workflows", s.workflows, [&](auto v) { e.set_workflows(actor, std::move(v)); });
    } catch (const Error& x) {
        std::string failures = put_back(e, before, touched);
        relocate(x, source, current,
                 failures.empty() ? std::string_view("nothing was applied")
                                  : std::string_view(failures).substr(2));
    }
}

}  // namespace

void load_config(Engine& engine, const Actor& actor, std::string_view json_text,
                 std::string_view source) {
    json doc = parse_document(json_text, source);
    Sections sections = read_sections(engine, doc, source);
    // One batch: other threads wait, and see the whole configuration or none of it.
    engine.batch([&](Engine& e) { apply(e, actor, sections, source); });
}

void load_config_file(Engine& engine, const Actor& actor, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(Errc::not_found, path,
                    fmt::format("cannot be read ({})", std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw Error(Errc::not_found, path, "cannot be read");
    load_config(engine, actor, text.str(), path);
}

ITSM_END_NAMESPACE
