// The direct JSON writer (src/json_write.cpp) against the writer it replaced, which built an
// nlohmann::json document and dumped it: over many random records, with every field type,
// unicode, control characters and invalid UTF-8, both must print the same bytes.
//
// The reference below is that old writer, kept as it was. A member added to a record's JSON
// is added to both (one line each).
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "itsm/json.hpp"

using namespace itsm;
using nlohmann::json;

namespace reference {

json symbol_json(Symbol s) {
    return s.empty() ? json(nullptr) : json(s.str());
}

json value_json(const Value& v) {
    struct Visitor {
        json operator()(std::monostate) const { return nullptr; }
        json operator()(const std::string& s) const { return s; }
        json operator()(std::int64_t i) const { return i; }
        json operator()(bool b) const { return b; }
        json operator()(Instant t) const { return format_instant(t); }
    };
    return std::visit(Visitor{}, v);
}

json ticket_json(const Ticket& t) {
    auto sorted_text = [](std::span<const Symbol> symbols) {
        std::vector<std::string> out;
        for (auto s : symbols)
            out.push_back(s.str());
        std::sort(out.begin(), out.end());
        return out;
    };
    json custom = json::object();
    for (const auto& f : t.custom)
        custom[f.name.str()] = value_json(f.value);
    json links = json::array();
    for (const auto& l : t.links)
        links.push_back({{"type", std::string(to_string(l.type))}, {"ticket", l.other}});
    auto optional_instant = [](const std::optional<Instant>& i) {
        return i ? json(format_instant(*i)) : json(nullptr);
    };
    json approvals = json::array();
    for (const auto& a : t.approvals)
        approvals.push_back({{"step", a.step},
                             {"approver", a.approver.str()},
                             {"decision", std::string(to_string(a.decision))},
                             {"delegated_from", symbol_json(a.delegated_from)},
                             {"decided", optional_instant(a.decided)},
                             {"comment", a.comment}});
    json clocks = json::array();
    for (const auto& c : t.sla) {
        json pauses = json::array();
        for (const auto& p : c.pauses)
            pauses.push_back({{"from", format_instant(p.from)}, {"to", optional_instant(p.to)}});
        clocks.push_back({{"policy", c.policy.str()},
                          {"metric", c.metric.str()},
                          {"cycle", c.cycle},
                          {"start", format_instant(c.start)},
                          {"pauses", pauses},
                          {"stopped", optional_instant(c.stopped)},
                          {"canceled", c.canceled},
                          {"target", c.target.count() / 1000000},
                          {"due", optional_instant(c.due)},
                          {"alarm", optional_instant(c.alarm)},
                          {"state", std::string(to_string(c.state))},
                          {"warnings_emitted", c.warnings_emitted},
                          {"breach_emitted", c.breach_emitted}});
    }
    return {{"id", t.id},
            {"key", t.key},
            {"kind", t.kind.str()},
            {"model", symbol_json(t.model)},
            {"state", t.state.str()},
            {"title", t.title},
            {"description", t.description},
            {"impact", t.impact},
            {"urgency", t.urgency},
            {"priority", t.priority},
            {"priority_overridden", t.priority_overridden},
            {"channel", std::string(to_string(t.channel))},
            {"reopen_count", t.reopen_count},
            {"category", symbol_json(t.category)},
            {"requester", symbol_json(t.requester)},
            {"assignee", symbol_json(t.assignee)},
            {"assignment_group", symbol_json(t.assignment_group)},
            {"segment", symbol_json(t.segment)},
            {"tags", sorted_text(t.tags)},
            {"watchers", sorted_text(t.watchers)},
            {"custom", custom},
            {"links", links},
            {"created", format_instant(t.created)},
            {"updated", format_instant(t.updated)},
            {"resolved", optional_instant(t.resolved)},
            {"closed", optional_instant(t.closed)},
            {"state_entered", format_instant(t.state_entered)},
            {"hold_reason", symbol_json(t.hold_reason)},
            {"resolution_code", symbol_json(t.resolution_code)},
            {"resolution_notes", t.resolution_notes},
            {"close_code", symbol_json(t.close_code)},
            {"approvals", approvals},
            {"sla", clocks},
            {"version", t.version}};
}

json event_json(const Event& e) {
    json j = {{"seq", e.seq},
              {"ticket", e.ticket},
              {"at", format_instant(e.at)},
              {"actor", symbol_json(e.actor)},
              {"type", std::string(to_string(e.type))}};
    if (!e.field.empty()) {
        j["field"] = e.field.str();
        j["old"] = value_json(e.old_value);
        j["new"] = value_json(e.new_value);
    }
    if (!e.text.empty()) j["text"] = e.text;
    if (e.link)
        j["link"] = {{"type", std::string(to_string(e.link->type))}, {"ticket", e.link->other}};
    return j;
}

json comment_json(const Comment& c) {
    return {{"seq", c.seq},
            {"author", symbol_json(c.author)},
            {"at", format_instant(c.at)},
            {"visibility", c.visibility == CommentVisibility::work_note ? "work_note" : "public"},
            {"text", c.text}};
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string page_json(const Page& page, std::size_t total) {
    json tickets = json::array();
    for (const auto& t : page.tickets)
        tickets.push_back(ticket_json(*t));
    return dump(
        json{{"tickets", tickets},
             {"next_cursor", page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor)},
             {"total", total}});
}

}  // namespace reference

namespace {

// Random records whose texts mix plain ASCII, JSON's special characters, every control
// character, DEL, valid 2-, 3- and 4-byte UTF-8 and broken UTF-8 of every kind.
class Random {
  public:
    explicit Random(unsigned seed) : rng_(seed) {}

    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    bool chance(int percent) { return below(100) < percent; }

    std::string text(int max_pieces = 12) {
        static const char* const pieces[] = {
            "a", "Printer", " ", "floor 3", "\"", "\\", "/", "\x7f", "\xc3\xa9", "\xe2\x82\xac",
            "\xf0\x9f\x98\x80", "\xe6\x97\xa5\xe6\x9c\xac",
            // broken: a lone continuation, overlong forms, a surrogate, beyond U+10FFFF,
            // bytes that never occur, sequences cut short
            "\x80", "\xbf", "\xc0\xaf", "\xc1\x81", "\xe0\x80\xaf", "\xed\xa0\x80",
            "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", "\xc3", "\xe2\x82",
            "\xf0\x9f\x98", "\xf0\x9f", "\xe2\x28\xa1", "\xc3\x28"};
        std::string s;
        int n = below(max_pieces + 1);
        for (int i = 0; i < n; ++i) {
            if (chance(15))
                s += static_cast<char>(below(0x20));  // a control character, NUL included
            else if (chance(5))
                s += static_cast<char>(0x80 + below(0x80));  // any high byte
            else
                s += pieces[below(static_cast<int>(std::size(pieces)))];
        }
        return s;
    }
    Symbol symbol() {
        if (chance(25)) return Symbol{};
        static const char* const plain[] = {"alice", "bob",     "desk",         "it",
                                            "hr",    "network", "software.mail"};
        if (chance(70)) return Symbol(plain[below(static_cast<int>(std::size(plain)))]);
        std::string t = text(4);
        return t.empty() ? Symbol{} : Symbol(t);
    }
    std::vector<Symbol> symbols(int max) {
        std::vector<Symbol> out;
        int n = below(max + 1);
        for (int i = 0; i < n; ++i) {
            Symbol s = symbol();
            if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
        }
        return out;
    }
    Instant instant() {
        // mostly years 1970..2100, sometimes anywhere in 0000..9999, and rarely outside it
        std::int64_t micros;
        int pick = below(20);
        if (pick == 0)
            micros = std::uniform_int_distribution<std::int64_t>(-62167219200000000,
                                                                 253402300799999999)(rng_);
        else if (pick == 1)
            micros = chance(50) ? -62167219200000001 - below(1000000000)
                                : 253402300800000000 + below(1000000000);
        else
            micros = std::uniform_int_distribution<std::int64_t>(0, 4102444800000000)(rng_);
        if (chance(50)) micros -= micros % 1000000;  // whole seconds print without a fraction
        return instant_from_micros(micros);
    }
    std::optional<Instant> maybe_instant() {
        return chance(50) ? std::optional<Instant>(instant()) : std::nullopt;
    }
    std::uint64_t number() {
        switch (below(4)) {
            case 0:
                return 0;
            case 1:
                return std::numeric_limits<std::uint64_t>::max();
            case 2:
                return static_cast<std::uint64_t>(below(1000));
            default:
                return rng_();
        }
    }
    Value value() {
        switch (below(5)) {
            case 0:
                return std::monostate{};
            case 1:
                return text();
            case 2:
                return chance(20) ? std::numeric_limits<std::int64_t>::min()
                                  : static_cast<std::int64_t>(rng_()) - (1LL << 40);
            case 3:
                return chance(50);
            default:
                return instant();
        }
    }
    Link link() { return Link{static_cast<LinkType>(below(9)), number()}; }

    Ticket ticket() {
        Ticket t;
        t.id = number();
        t.key = text(3);
        t.kind = symbol();
        t.model = symbol();
        t.state = symbol();
        t.title = text();
        t.description = chance(30) ? std::string() : text(40);
        t.impact = static_cast<std::uint8_t>(below(256));
        t.urgency = static_cast<std::uint8_t>(below(256));
        t.priority = static_cast<std::uint8_t>(below(256));
        t.priority_overridden = chance(50);
        t.channel = static_cast<Channel>(below(7));
        t.reopen_count = static_cast<std::uint32_t>(rng_());
        t.category = symbol();
        t.requester = symbol();
        t.assignee = symbol();
        t.assignment_group = symbol();
        t.segment = symbol();
        t.tags = symbols(chance(10) ? 30 : 4);  // more than 16 takes the writer's other path
        t.watchers = symbols(chance(10) ? 30 : 4);
        for (Symbol name : symbols(chance(10) ? 24 : 5))
            t.custom.push_back({name, value()});
        for (int i = below(4); i > 0; --i)
            t.links.push_back(link());
        for (int i = below(4); i > 0; --i)
            t.approvals.push_back({static_cast<std::uint32_t>(below(5)), symbol(),
                                   static_cast<ApprovalDecision>(below(4)), symbol(),
                                   maybe_instant(), text()});
        for (int i = below(3); i > 0; --i) {
            SlaClock c;
            c.policy = symbol();
            c.metric = symbol();
            c.cycle = static_cast<std::uint32_t>(below(4));
            c.start = instant();
            for (int k = below(3); k > 0; --k)
                c.pauses.push_back({instant(), maybe_instant()});
            c.stopped = maybe_instant();
            c.canceled = chance(20);
            c.target = std::chrono::seconds(below(100000));
            c.due = maybe_instant();
            c.alarm = maybe_instant();
            c.state = static_cast<ClockState>(below(5));
            c.warnings_emitted = static_cast<std::uint8_t>(below(3));
            c.breach_emitted = chance(30);
            t.sla.push_back(std::move(c));
        }
        t.created = instant();
        t.updated = instant();
        t.resolved = maybe_instant();
        t.closed = maybe_instant();
        t.state_entered = instant();
        t.hold_reason = symbol();
        t.resolution_code = symbol();
        t.resolution_notes = text();
        t.close_code = symbol();
        t.version = number();
        return t;
    }
    Event event() {
        Event e;
        e.seq = number();
        e.ticket = number();
        e.at = instant();
        e.actor = symbol();
        e.type = static_cast<EventType>(below(9));
        e.field = symbol();
        e.old_value = value();
        e.new_value = value();
        e.text = chance(50) ? std::string() : text();
        if (chance(30)) e.link = link();
        return e;
    }
    Comment comment() {
        return Comment{number(), symbol(), instant(),
                       chance(50) ? CommentVisibility::public_reply : CommentVisibility::work_note,
                       text(30)};
    }

  private:
    std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("the direct writer prints random tickets byte for byte as the document writer did") {
    Random r(20260302);
    for (int i = 0; i < 3000; ++i) {
        Ticket t = r.ticket();
        std::string want = reference::dump(reference::ticket_json(t));
        std::string got = to_json(t);
        REQUIRE_MESSAGE(got == want, "ticket ", i, "\n got: ", got, "\nwant: ", want);
    }
}

TEST_CASE("the direct writer prints random events and comments as the document writer did") {
    Random r(7);
    std::vector<Event> events;
    std::vector<Comment> comments;
    for (int i = 0; i < 3000; ++i) {
        Event e = r.event();
        Comment c = r.comment();
        REQUIRE(to_json(e) == reference::dump(reference::event_json(e)));
        REQUIRE(to_json(c) == reference::dump(reference::comment_json(c)));
        if (i % 300 == 0) {
            json ea = json::array(), ca = json::array();
            for (const auto& x : events)
                ea.push_back(reference::event_json(x));
            for (const auto& x : comments)
                ca.push_back(reference::comment_json(x));
            REQUIRE(to_json(events) == reference::dump(ea));
            REQUIRE(to_json(comments) == reference::dump(ca));
        }
        events.push_back(e);
        comments.push_back(c);
    }
}

TEST_CASE("the direct writer prints pages as the document writer did") {
    Random r(11);
    for (int i = 0; i < 200; ++i) {
        Page page;
        for (int k = r.below(5); k > 0; --k)
            page.tickets.push_back(std::make_shared<const Ticket>(r.ticket()));
        page.next_cursor = r.chance(50) ? std::string() : r.text(3);
        std::size_t total = r.number();
        REQUIRE(to_json(page, total) == reference::page_json(page, total));
    }
}

TEST_CASE("the direct writer's escaping of chosen strings") {
    auto title_of = [](std::string title) {
        Comment c;
        c.text = std::move(title);
        std::string out = to_json(c);
        auto at = out.find("\"text\":") + 7;
        return out.substr(at, out.find(",\"visibility\"") - at);
    };
    CHECK(title_of("plain") == "\"plain\"");
    CHECK(title_of("a\"b\\c/d") == R"("a\"b\\c/d")");
    CHECK(title_of("\b\f\n\r\t") == R"("\b\f\n\r\t")");
    CHECK(title_of(std::string("\0\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
    CHECK(title_of("caf\xc3\xa9 \xf0\x9f\x98\x80") == "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
    // one U+FFFD per broken sequence; the byte that broke it starts the next one
    CHECK(title_of("a\xff"
                   "b") ==
          "\"a\xef\xbf\xbd"
          "b\"");
    CHECK(title_of("\xe2\x82"
                   "A") ==
          "\"\xef\xbf\xbd"
          "A\"");
    CHECK(title_of("\xe2\x82\xc3\xa9") == "\"\xef\xbf\xbd\xc3\xa9\"");
    CHECK(title_of("\xed\xa0\x80") == "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    CHECK(title_of("end\xf0\x9f\x98") == "\"end\xef\xbf\xbd\"");
}
