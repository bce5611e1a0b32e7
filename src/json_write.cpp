// JSON text for tickets, events, comments and pages, written straight into one string.
// Each record is one function below that lists its members in byte order of their names:
// adding a member to a record is one member() line there.
#include <algorithm>
#include <charconv>
#include <chrono>

#include "itsm/json.hpp"
#include "json_out.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail {

// ---- JsonOut ----------------------------------------------------------------------------

void JsonOut::grow(std::size_t n) {
    auto used = static_cast<std::size_t>(p_ - buf_);
    std::size_t capacity =
        std::max<std::size_t>(2 * static_cast<std::size_t>(end_ - buf_), used + n + 1);
    auto* bigger = static_cast<char*>(std::realloc(buf_, capacity));
    if (!bigger) throw std::bad_alloc();
    buf_ = bigger;
    p_ = bigger + used;
    end_ = bigger + capacity;
}

void JsonOut::integer(std::int64_t v) {
    separate();
    room(24);
    p_ = std::to_chars(p_, end_, v).ptr;
}

void JsonOut::unsigned_integer(std::uint64_t v) {
    separate();
    room(24);
    p_ = std::to_chars(p_, end_, v).ptr;
}

bool JsonOut::plain(std::string_view name) {
    for (char c : name)
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
            static_cast<unsigned char>(c) >= 0x80)
            return false;
    return true;
}

namespace {

// Appends `v` as `width` decimal digits (v < 10^width).
void digits(char* at, unsigned v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10)
        at[i] = static_cast<char>('0' + v % 10);
}

// True for the bytes copied as they are: printable ASCII other than '"' and '\\' (and DEL,
// which JSON does not require to be escaped).
constexpr std::array<bool, 256> plain_bytes = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x80; ++c)
        t[c] = c != '"' && c != '\\';
    return t;
}();

}  // namespace

void JsonOut::instant(Instant t) {
    using namespace std::chrono;
    auto day = floor<days>(t);
    year_month_day ymd{day};
    int year = int(ymd.year());
    if (year < 0 || year > 9999) {  // not printable in four digits: the general formatter
        string(format_instant(t));
        return;
    }
    hh_mm_ss<Duration> hms{t - day};
    auto frac = static_cast<unsigned>(hms.subseconds().count());
    separate();
    room(32);
    // "YYYY-MM-DDTHH:MM:SS[.ffffff]Z", quoted
    char* at = p_;
    std::memcpy(at, "\"0000-00-00T00:00:00", 20);
    digits(at + 1, static_cast<unsigned>(year), 4);
    digits(at + 6, unsigned(ymd.month()), 2);
    digits(at + 9, unsigned(ymd.day()), 2);
    digits(at + 12, static_cast<unsigned>(hms.hours().count()), 2);
    digits(at + 15, static_cast<unsigned>(hms.minutes().count()), 2);
    digits(at + 18, static_cast<unsigned>(hms.seconds().count()), 2);
    at += 20;
    if (frac != 0) {
        *at++ = '.';
        digits(at, frac, 6);
        at += 6;
    }
    *at++ = 'Z';
    *at++ = '"';
    p_ = at;
}

void JsonOut::escaped(std::string_view v) {
    room(v.size() + 2);  // enough unless something needs escaping
    *p_++ = '"';
    const auto* s = reinterpret_cast<const unsigned char*>(v.data());
    std::size_t n = v.size(), i = 0;
    while (i < n) {
        std::size_t run = i;
        while (run < n && plain_bytes[s[run]])
            ++run;
        room(run - i + 1);
        std::memcpy(p_, v.data() + i, run - i);
        p_ += run - i;
        i = run;
        if (i == n) break;
        room(6 + (n - i));  // the longest escape, and the rest if it needs none
        unsigned char c = s[i];
        if (c < 0x80) {  // '"', '\\' or a control character
            static constexpr char hex[] = "0123456789abcdef";
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            std::size_t len = 2;
            switch (c) {
                case '"':
                    esc[1] = '"';
                    break;
                case '\\':
                    esc[1] = '\\';
                    break;
                case '\b':
                    esc[1] = 'b';
                    break;
                case '\f':
                    esc[1] = 'f';
                    break;
                case '\n':
                    esc[1] = 'n';
                    break;
                case '\r':
                    esc[1] = 'r';
                    break;
                case '\t':
                    esc[1] = 't';
                    break;
                default:
                    len = 6;
            }
            std::memcpy(p_, esc, len);
            p_ += len;
            ++i;
            continue;
        }
        // A multi-byte sequence: copied when valid. Otherwise one U+FFFD replaces the lead
        // byte and the continuation bytes that fitted; the byte that broke the sequence is
        // read again as the start of the next one.
        Utf8Lead lead = utf8_lead(c);
        auto length = static_cast<std::size_t>(lead.length);
        std::size_t k = 1;
        if (length != 0) {
            for (; k < length && i + k < n; ++k) {
                unsigned char low = k == 1 ? lead.low : 0x80, high = k == 1 ? lead.high : 0xBF;
                if (s[i + k] < low || s[i + k] > high) break;
            }
        }
        if (length != 0 && k == length) {
            std::memcpy(p_, v.data() + i, k);
            p_ += k;
        } else {
            std::memcpy(p_, "\xEF\xBF\xBD", 3);
            p_ += 3;
        }
        i += k;
    }
    put('"');
}

// ---- Values of the model ------------------------------------------------------------------

void write(JsonOut& j, const Value& v) {
    struct Visitor {
        JsonOut& j;
        void operator()(std::monostate) const { j.null(); }
        void operator()(const std::string& s) const { j.string(s); }
        void operator()(std::int64_t i) const { j.integer(i); }
        void operator()(bool b) const { j.boolean(b); }
        void operator()(Instant t) const { j.instant(t); }
    };
    std::visit(Visitor{j}, v);
}

namespace {

// The elements of `items` ordered by proj(element), a string_view; a few of them are sorted
// in place on the stack, more in a vector.
template <class T, class Proj, class Body>
void in_text_order(std::span<const T> items, Proj proj, Body body) {
    auto by_text = [&](const T* a, const T* b) { return proj(*a) < proj(*b); };
    constexpr std::size_t few = 16;
    if (items.size() <= few) {
        std::array<const T*, few> order;
        for (std::size_t i = 0; i < items.size(); ++i)
            order[i] = &items[i];
        std::sort(order.begin(), order.begin() + items.size(), by_text);
        for (std::size_t i = 0; i < items.size(); ++i)
            body(*order[i]);
    } else {
        std::vector<const T*> order;
        order.reserve(items.size());
        for (const auto& item : items)
            order.push_back(&item);
        std::sort(order.begin(), order.end(), by_text);
        for (const T* item : order)
            body(*item);
    }
}

}  // namespace

void write(JsonOut& j, SortedTexts s) {
    j.begin_array();
    in_text_order(
        s.symbols, [](Symbol x) { return x.view(); }, [&](Symbol x) { j.string(x.view()); });
    j.end_array();
}

void write(JsonOut& j, CustomObject c) {
    j.begin_object();
    in_text_order(
        c.fields, [](const CustomField& f) { return f.name.view(); },
        [&](const CustomField& f) {
            j.text_key(f.name.view());
            write(j, f.value);
        });
    j.end_object();
}

// ---- Records: members in byte order of their names --------------------------------------

void write(JsonOut& j, const Link& l) {
    j.begin_object();
    j.member("ticket", l.other);
    j.member("type", to_string(l.type));
    j.end_object();
}

void write(JsonOut& j, const Approval& a) {
    j.begin_object();
    j.member("approver", a.approver.view());
    j.member("comment", a.comment);
    j.member("decided", a.decided);
    j.member("decision", to_string(a.decision));
    j.member("delegated_from", a.delegated_from);
    j.member("step", a.step);
    j.end_object();
}

void write(JsonOut& j, const PauseInterval& p) {
    j.begin_object();
    j.member("from", p.from);
    j.member("to", p.to);
    j.end_object();
}

// An SLA clock as stored with its ticket; the target in whole seconds.
void write(JsonOut& j, const SlaClock& c) {
    j.begin_object();
    j.member("alarm", c.alarm);
    j.member("breach_emitted", c.breach_emitted);
    j.member("canceled", c.canceled);
    j.member("cycle", c.cycle);
    j.member("due", c.due);
    j.member("metric", c.metric.view());
    j.member("pauses", c.pauses);
    j.member("policy", c.policy.view());
    j.member("start", c.start);
    j.member("state", to_string(c.state));
    j.member("stopped", c.stopped);
    j.member("target", c.target.count() / 1000000);
    j.member("warnings_emitted", c.warnings_emitted);
    j.end_object();
}

void write(JsonOut& j, const Ticket& t) {
    j.begin_object();
    j.member("approvals", t.approvals);
    j.member("assignee", t.assignee);
    j.member("assignment_group", t.assignment_group);
    j.member("category", t.category);
    j.member("channel", to_string(t.channel));
    j.member("close_code", t.close_code);
    j.member("closed", t.closed);
    j.member("created", t.created);
    j.member("custom", CustomObject{t.custom});
    j.member("description", t.description);
    j.member("hold_reason", t.hold_reason);
    j.member("id", t.id);
    j.member("impact", t.impact);
    j.member("key", t.key);
    j.member("kind", t.kind.view());
    j.member("links", t.links);
    j.member("model", t.model);
    j.member("priority", t.priority);
    j.member("priority_overridden", t.priority_overridden);
    j.member("reopen_count", t.reopen_count);
    j.member("requester", t.requester);
    j.member("resolution_code", t.resolution_code);
    j.member("resolution_notes", t.resolution_notes);
    j.member("resolved", t.resolved);
    j.member("segment", t.segment);
    j.member("sla", t.sla);
    j.member("state", t.state.view());
    j.member("state_entered", t.state_entered);
    j.member("tags", SortedTexts{t.tags});
    j.member("title", t.title);
    j.member("updated", t.updated);
    j.member("urgency", t.urgency);
    j.member("version", t.version);
    j.member("watchers", SortedTexts{t.watchers});
    j.end_object();
}

void write(JsonOut& j, const Event& e) {
    j.begin_object();
    j.member("actor", e.actor);
    j.member("at", e.at);
    if (!e.field.empty()) j.member("field", e.field.view());
    if (e.link) j.member("link", *e.link);
    if (!e.field.empty()) {
        j.member("new", e.new_value);
        j.member("old", e.old_value);
    }
    j.member("seq", e.seq);
    if (!e.text.empty()) j.member("text", e.text);
    j.member("ticket", e.ticket);
    j.member("type", to_string(e.type));
    j.end_object();
}

void write(JsonOut& j, const Comment& c) {
    j.begin_object();
    j.member("at", c.at);
    j.member("author", c.author);
    j.member("seq", c.seq);
    j.member("text", c.text);
    j.member("visibility", c.visibility == CommentVisibility::work_note ? "work_note" : "public");
    j.end_object();
}

}  // namespace detail

// ---- The public functions ------------------------------------------------------------------

namespace {

// Room for a typical record, so that writing one rarely grows the buffer.
constexpr std::size_t ticket_reserve = 1024;

template <class T>
std::string written(const T& value, std::size_t reserve) {
    detail::JsonOut j(reserve);
    write(j, value);
    return j.take();
}

}  // namespace

std::string to_json(const Ticket& t) {
    return written(t, ticket_reserve);
}

detail::CText detail::ticket_c_text(const Ticket& t) {
    JsonOut j(ticket_reserve);
    write(j, t);
    return CText(j.release());
}
std::string to_json(const Event& e) {
    return written(e, 256);
}
std::string to_json(const Comment& c) {
    return written(c, 128 + c.text.size());
}
std::string to_json(const std::vector<Event>& events) {
    return written(events, 64 + 256 * events.size());
}
std::string to_json(const std::vector<Comment>& comments) {
    return written(comments, 64 + 192 * comments.size());
}

std::string to_json(const Page& page, std::size_t total) {
    detail::JsonOut j(64 + ticket_reserve * page.tickets.size());
    j.begin_object();
    if (page.next_cursor.empty())
        j.member("next_cursor", nullptr);
    else
        j.member("next_cursor", page.next_cursor);
    j.key("tickets");
    j.begin_array();
    for (const auto& t : page.tickets)
        write(j, *t);
    j.end_array();
    j.member("total", total);
    j.end_object();
    return j.take();
}

ITSM_END_NAMESPACE
