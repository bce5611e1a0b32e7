// Ticket records: to_json's document, plus the names of custom fields holding instants
// (JSON shows them as text), read back member by member.
#include "itsm/record.hpp"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "../json_reader.hpp"
#include "itsm/error.hpp"
#include "itsm/json.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using detail::json;

class RecordReader {
  public:
    explicit RecordReader(const json& doc, const char* what = "stored ticket")
        : doc_(doc), what_(what) {
        r_.object(doc, "");
    }

    const json& at(const char* name) const {
        auto it = doc_.find(name);
        if (it == doc_.end()) r_.fail(name, fmt::format("missing from the {}", what_));
        return *it;
    }
    std::string text(const char* name) const { return r_.string(at(name), name); }
    Symbol symbol(const json& j, const std::string& path) const {
        return j.is_null() ? Symbol{} : Symbol(r_.string(j, path));
    }
    Symbol symbol(const char* name) const { return symbol(at(name), name); }
    template <typename Int>
    Int integer(const json& j, const std::string& path) const {
        return static_cast<Int>(r_.integer(j, path));
    }
    template <typename Int>
    Int integer(const char* name) const {
        return integer<Int>(at(name), name);
    }
    bool boolean(const char* name) const { return r_.boolean(at(name), name); }
    Instant instant(const json& j, const std::string& path) const {
        try {
            return parse_instant(r_.string(j, path));
        } catch (const Error& e) {
            r_.fail(path, e.what());
        }
    }
    Instant instant(const char* name) const { return instant(at(name), name); }
    std::optional<Instant> optional_instant(const json& j, const std::string& path) const {
        if (j.is_null()) return std::nullopt;
        return instant(j, path);
    }
    std::vector<Symbol> symbols(const char* name) const {
        const json& a = r_.array(at(name), name);
        std::vector<Symbol> out;
        for (std::size_t i = 0; i < a.size(); ++i)
            out.push_back(symbol(a[i], detail::JsonReader::index(name, i)));
        std::sort(out.begin(), out.end());  // the model keeps them in identity order
        return out;
    }
    template <typename Enum>
    Enum named(const json& j, const std::string& path,
               std::optional<Enum> (*parse)(std::string_view) noexcept) const {
        std::string s = r_.string(j, path);
        auto v = parse(s);
        if (!v) r_.fail(path, fmt::format("unknown value \"{}\"", s));
        return *v;
    }
    const detail::JsonReader& reader() const { return r_; }

  private:
    const json& doc_;
    const char* what_;
    detail::JsonReader r_{Errc::storage};
};

std::optional<ApprovalDecision> decision_from_string(std::string_view s) noexcept {
    for (auto d : {ApprovalDecision::pending, ApprovalDecision::approved,
                   ApprovalDecision::rejected, ApprovalDecision::canceled})
        if (to_string(d) == s) return d;
    return std::nullopt;
}

std::vector<CustomField> read_custom(const RecordReader& r, const json& doc) {
    std::vector<std::string> instants;
    if (auto it = doc.find("custom_instants"); it != doc.end())
        for (const auto& n : *it)
            instants.push_back(n.get<std::string>());
    std::vector<CustomField> out;
    const json& custom = r.reader().object(r.at("custom"), "custom");
    for (auto it = custom.begin(); it != custom.end(); ++it) {
        std::string path = "custom." + it.key();
        const json& v = it.value();
        Value value;
        if (std::find(instants.begin(), instants.end(), it.key()) != instants.end())
            value = r.instant(v, path);
        else if (v.is_string())
            value = v.get<std::string>();
        else if (v.is_boolean())
            value = v.get<bool>();
        else if (v.is_number_integer())
            value = v.get<std::int64_t>();
        else if (!v.is_null())
            r.reader().fail(path, "expected a text, integer, boolean or null");
        out.push_back({Symbol(it.key()), std::move(value)});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
    return out;
}

std::vector<Link> read_links(const RecordReader& r) {
    std::vector<Link> out;
    const json& a = r.reader().array(r.at("links"), "links");
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string path = detail::JsonReader::index("links", i);
        out.push_back({r.named<LinkType>(a[i].at("type"), path + ".type", link_type_from_string),
                       r.integer<TicketId>(a[i].at("ticket"), path + ".ticket")});
    }
    return out;
}

std::vector<Approval> read_approvals(const RecordReader& r) {
    std::vector<Approval> out;
    const json& a = r.reader().array(r.at("approvals"), "approvals");
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string path = detail::JsonReader::index("approvals", i);
        const json& j = r.reader().object(a[i], path);
        Approval ap;
        ap.step = r.integer<std::uint32_t>(j.at("step"), path + ".step");
        ap.approver = r.symbol(j.at("approver"), path + ".approver");
        ap.decision =
            r.named<ApprovalDecision>(j.at("decision"), path + ".decision", decision_from_string);
        ap.delegated_from = r.symbol(j.at("delegated_from"), path + ".delegated_from");
        ap.decided = r.optional_instant(j.at("decided"), path + ".decided");
        ap.comment = r.reader().string(j.at("comment"), path + ".comment");
        out.push_back(std::move(ap));
    }
    return out;
}

std::optional<ClockState> clock_state_from_string(std::string_view s) noexcept {
    for (auto c : {ClockState::running, ClockState::paused, ClockState::met, ClockState::breached,
                   ClockState::canceled})
        if (to_string(c) == s) return c;
    return std::nullopt;
}

std::vector<PauseInterval> read_pauses(const RecordReader& r, const json& j,
                                       const std::string& path) {
    std::vector<PauseInterval> out;
    const json& a = r.reader().array(j, path);
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string at = detail::JsonReader::index(path, i);
        const json& p = r.reader().object(a[i], at);
        out.push_back(
            {r.instant(p.at("from"), at + ".from"), r.optional_instant(p.at("to"), at + ".to")});
    }
    return out;
}

// The SLA clocks as to_json writes them (the target in whole seconds).
std::vector<SlaClock> read_clocks(const RecordReader& r) {
    std::vector<SlaClock> out;
    const json& a = r.reader().array(r.at("sla"), "sla");
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::string path = detail::JsonReader::index("sla", i);
        const json& j = r.reader().object(a[i], path);
        SlaClock c;
        c.policy = r.symbol(j.at("policy"), path + ".policy");
        c.metric = r.symbol(j.at("metric"), path + ".metric");
        c.cycle = r.integer<std::uint32_t>(j.at("cycle"), path + ".cycle");
        c.start = r.instant(j.at("start"), path + ".start");
        c.pauses = read_pauses(r, j.at("pauses"), path + ".pauses");
        c.stopped = r.optional_instant(j.at("stopped"), path + ".stopped");
        c.canceled = r.reader().boolean(j.at("canceled"), path + ".canceled");
        c.target = std::chrono::seconds(r.integer<std::int64_t>(j.at("target"), path + ".target"));
        c.due = r.optional_instant(j.at("due"), path + ".due");
        c.alarm = r.optional_instant(j.at("alarm"), path + ".alarm");
        c.state = r.named<ClockState>(j.at("state"), path + ".state", clock_state_from_string);
        c.warnings_emitted =
            r.integer<std::uint8_t>(j.at("warnings_emitted"), path + ".warnings_emitted");
        c.breach_emitted = r.reader().boolean(j.at("breach_emitted"), path + ".breach_emitted");
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

std::string ticket_record(const Ticket& t) {
    std::string doc = to_json(t);
    std::string instants;
    for (const auto& f : t.custom)
        if (std::holds_alternative<Instant>(f.value))
            instants += (instants.empty() ? "" : ",") + json(f.name.str()).dump();
    if (instants.empty()) return doc;
    doc.pop_back();  // the closing brace of the ticket's object
    doc += ",\"custom_instants\":[" + instants + "]}";
    return doc;
}

Ticket ticket_from_record(std::string_view text) {
    json doc = detail::JsonReader(Errc::storage).parse(text, "stored ticket");
    RecordReader r(doc);
    try {
        Ticket t;
        t.id = r.integer<TicketId>("id");
        t.key = r.text("key");
        t.kind = r.symbol("kind");
        t.model = r.symbol("model");
        t.state = r.symbol("state");
        t.title = r.text("title");
        t.description = r.text("description");
        t.impact = r.integer<std::uint8_t>("impact");
        t.urgency = r.integer<std::uint8_t>("urgency");
        t.priority = r.integer<std::uint8_t>("priority");
        t.priority_overridden = r.boolean("priority_overridden");
        t.channel = r.named<Channel>(r.at("channel"), "channel", channel_from_string);
        t.reopen_count = r.integer<std::uint32_t>("reopen_count");
        t.category = r.symbol("category");
        t.requester = r.symbol("requester");
        t.assignee = r.symbol("assignee");
        t.assignment_group = r.symbol("assignment_group");
        t.segment = r.symbol("segment");
        t.tags = r.symbols("tags");
        t.watchers = r.symbols("watchers");
        t.custom = read_custom(r, doc);
        t.links = read_links(r);
        t.approvals = read_approvals(r);
        t.sla = read_clocks(r);
        t.created = r.instant("created");
        t.updated = r.instant("updated");
        t.resolved = r.optional_instant(r.at("resolved"), "resolved");
        t.closed = r.optional_instant(r.at("closed"), "closed");
        t.state_entered = r.instant("state_entered");
        t.hold_reason = r.symbol("hold_reason");
        t.resolution_code = r.symbol("resolution_code");
        t.resolution_notes = r.text("resolution_notes");
        t.close_code = r.symbol("close_code");
        t.version = r.integer<std::uint64_t>("version");
        return t;
    } catch (const json::exception& e) {
        throw Error(Errc::storage, "stored ticket", e.what());
    }
}

namespace {

json value_json(const Value& v) {
    return std::visit(
        [](const auto& x) -> json {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>)
                return nullptr;
            else if constexpr (std::is_same_v<T, Instant>)
                return format_instant(x);
            else
                return x;
        },
        v);
}

Value read_value(const RecordReader& r, const json& doc, const char* name, bool instant) {
    auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) return std::monostate{};
    if (instant) return r.instant(*it, name);
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_number_integer()) return it->get<std::int64_t>();
    r.reader().fail(name, "expected a text, integer, boolean or null");
}

}  // namespace

std::string event_record(const Event& e) {
    std::string doc = to_json(e);
    bool has_old = !std::holds_alternative<std::monostate>(e.old_value);
    bool has_new = !std::holds_alternative<std::monostate>(e.new_value);
    std::string extra;
    // to_json shows the values only for an event with a field.
    if (e.field.empty() && (has_old || has_new))
        extra += ",\"new\":" + value_json(e.new_value).dump() +
                 ",\"old\":" + value_json(e.old_value).dump();
    bool old_instant = std::holds_alternative<Instant>(e.old_value);
    bool new_instant = std::holds_alternative<Instant>(e.new_value);
    if (old_instant || new_instant)
        extra += std::string(",\"value_instants\":[") + (old_instant ? "\"old\"" : "") +
                 (old_instant && new_instant ? "," : "") + (new_instant ? "\"new\"" : "") + "]";
    if (extra.empty()) return doc;
    doc.pop_back();  // the closing brace of the event's object
    doc += extra;
    doc += '}';
    return doc;
}

Event event_from_record(std::string_view text) {
    json doc = detail::JsonReader(Errc::storage).parse(text, "stored event");
    RecordReader r(doc, "stored event");
    try {
        bool old_instant = false, new_instant = false;
        if (auto it = doc.find("value_instants"); it != doc.end())
            for (const auto& n : r.reader().array(*it, "value_instants")) {
                old_instant = old_instant || n == "old";
                new_instant = new_instant || n == "new";
            }
        Event e;
        e.seq = r.integer<std::uint64_t>("seq");
        e.ticket = r.integer<TicketId>("ticket");
        e.at = r.instant("at");
        e.actor = r.symbol("actor");
        e.type = r.named<EventType>(r.at("type"), "type", event_type_from_string);
        if (auto it = doc.find("field"); it != doc.end()) e.field = r.symbol(*it, "field");
        e.old_value = read_value(r, doc, "old", old_instant);
        e.new_value = read_value(r, doc, "new", new_instant);
        if (auto it = doc.find("text"); it != doc.end()) e.text = r.reader().string(*it, "text");
        if (auto it = doc.find("link"); it != doc.end() && !it->is_null()) {
            const json& l = r.reader().object(*it, "link");
            e.link = Link{r.named<LinkType>(l.at("type"), "link.type", link_type_from_string),
                          r.integer<TicketId>(l.at("ticket"), "link.ticket")};
        }
        return e;
    } catch (const json::exception& e) {
        throw Error(Errc::storage, "stored event", e.what());
    }
}

ITSM_END_NAMESPACE
