// Calendar configuration: the JSON document of CalendarSet::from_json and iCalendar holiday
// import. Every error names the JSON path (or the .ics line) it is about.
#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "itsm/calendar.hpp"
#include "itsm/error.hpp"
#include "json_reader.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using detail::json;
using detail::JsonReader;

// The message of an error without its "where: " prefix.
std::string bare(const Error& e) {
    std::string m = e.what();
    return e.where().empty() ? m : m.substr(e.where().size() + 2);
}

// ---- iCalendar ---------------------------------------------------------------------------

struct IcsLine {
    int number;
    std::string text;
};

// Splits into lines and unfolds continuations (a line starting with a space or a tab).
std::vector<IcsLine> unfold(std::string_view text) {
    std::vector<IcsLine> out;
    int number = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !out.empty()) {
            out.back().text.append(line.substr(1));
            continue;
        }
        if (!line.empty()) out.push_back({number, std::string(line)});
    }
    return out;
}

[[noreturn]] void ics_error(int line, std::string_view message) {
    throw Error(Errc::invalid_config, fmt::format("line {}", line), message);
}

Date ics_date(const IcsLine& l, std::string_view value, std::string_view what) {
    if (value.size() > 8 && value[8] == 'T')
        ics_error(l.number, fmt::format("{} is a date-time; a holiday needs a whole date "
                                        "(VALUE=DATE)",
                                        what));
    if (value.size() != 8)
        ics_error(l.number, fmt::format("{} \"{}\" is not a date YYYYMMDD", what, value));
    try {
        return parse_date(
            fmt::format("{}-{}-{}", value.substr(0, 4), value.substr(4, 2), value.substr(6, 2)));
    } catch (const Error&) {
        ics_error(l.number, fmt::format("{} \"{}\" is not a date YYYYMMDD", what, value));
    }
}

struct IcsEvent {
    int line = 0;
    std::optional<Date> start, end;
    std::string summary;
    bool yearly = false;
    int last_year = 0, count = 0;
};

void ics_rrule(const IcsLine& l, std::string_view value, IcsEvent& ev) {
    bool freq = false;
    while (!value.empty()) {
        auto semi = value.find(';');
        std::string_view part = value.substr(0, semi);
        value = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
        auto eq = part.find('=');
        std::string_view key = part.substr(0, eq);
        std::string_view val = eq == std::string_view::npos ? "" : part.substr(eq + 1);
        if (key == "FREQ" && val == "YEARLY") {
            freq = true;
        } else if (key == "INTERVAL" && val == "1") {
        } else if (key == "UNTIL") {
            ev.last_year = int(ics_date(l, val.substr(0, 8), "UNTIL").year());
        } else if (key == "COUNT") {
            int n = 0;
            for (char c : val) {
                if (c < '0' || c > '9' || n > 10000) ics_error(l.number, "COUNT is not a number");
                n = n * 10 + (c - '0');
            }
            if (n < 1) ics_error(l.number, "COUNT must be at least 1");
            ev.count = n;
        } else {
            ics_error(l.number, fmt::format("RRULE part \"{}\" is not supported (holidays "
                                            "recur as FREQ=YEARLY on their start date)",
                                            part));
        }
    }
    if (!freq) ics_error(l.number, "only RRULE:FREQ=YEARLY is supported");
    ev.yearly = true;
}

void ics_emit(const IcsEvent& ev, IcsHolidays& out) {
    using namespace std::chrono;
    if (!ev.start) ics_error(ev.line, "VEVENT without DTSTART");
    sys_days from{*ev.start};
    sys_days to = ev.end ? sys_days{*ev.end} : from + days{1};
    if (to <= from) ics_error(ev.line, "DTEND is not after DTSTART");
    if (to - from > days{366}) ics_error(ev.line, "a holiday longer than a year");
    for (sys_days d = from; d < to; d += days{1}) {
        Date date{d};
        if (!ev.yearly) {
            out.dates.push_back({date, ev.summary});
            continue;
        }
        int first = int(date.year());
        int last = ev.count ? first + ev.count - 1 : ev.last_year;
        out.yearly.push_back({date.month() / date.day(), ev.summary, first, last});
    }
}

}  // namespace

IcsHolidays parse_ics_holidays(std::string_view text) {
    auto lines = unfold(text);
    if (lines.empty() || lines.front().text != "BEGIN:VCALENDAR")
        ics_error(lines.empty() ? 1 : lines.front().number,
                  "not an iCalendar text (BEGIN:VCALENDAR expected)");
    IcsHolidays out;
    std::optional<IcsEvent> ev;
    for (const auto& l : lines) {
        auto colon = l.text.find(':');
        if (colon == std::string::npos) ics_error(l.number, "a content line needs a ':'");
        std::string_view head = std::string_view(l.text).substr(0, colon);
        std::string_view value = std::string_view(l.text).substr(colon + 1);
        std::string_view name = head.substr(0, head.find(';'));
        if (name == "BEGIN" && value == "VEVENT") {
            if (ev) ics_error(l.number, "VEVENT inside a VEVENT");
            ev = IcsEvent{};
            ev->line = l.number;
        } else if (name == "END" && value == "VEVENT") {
            if (!ev) ics_error(l.number, "END:VEVENT without BEGIN:VEVENT");
            ics_emit(*ev, out);
            ev.reset();
        } else if (ev && name == "DTSTART") {
            ev->start = ics_date(l, value, "DTSTART");
        } else if (ev && name == "DTEND") {
            ev->end = ics_date(l, value, "DTEND");
        } else if (ev && name == "SUMMARY") {
            ev->summary = std::string(value);
        } else if (ev && name == "RRULE") {
            ics_rrule(l, value, *ev);
        }
    }
    if (ev) ics_error(ev->line, "VEVENT without END:VEVENT");
    return out;
}

CalendarBuilder& CalendarBuilder::import_ics_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) throw Error(Errc::invalid_config, path, "cannot be read");
    try {
        return import_ics(text.str());
    } catch (const Error& e) {
        throw Error(Errc::invalid_config, path + ": " + e.where(), bare(e));
    }
}

// ---- JSON --------------------------------------------------------------------------------

namespace {

constexpr std::string_view weekday_keys[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

class CalendarLoader {
  public:
    CalendarLoader(const JsonReader& r, const json& cals) : r_(r), cals_(cals) {}

    CalendarSet load() {
        for (auto it = cals_.begin(); it != cals_.end(); ++it)
            build(it.key(), {});
        return std::move(set_);
    }

  private:
    CalendarPtr build(const std::string& id, std::vector<std::string> chain) {
        if (auto done = set_.find(id)) return done;
        const std::string path = JsonReader::child("calendars", id);
        const json& c = r_.object(cals_.at(id), path);
        r_.only(c, path, {"time_zone", "base", "weekly", "holidays", "dates", "holidays_ics"});
        if (id.empty()) r_.fail(path, "a calendar id must not be empty");
        CalendarBuilder b(id);
        chain.push_back(id);
        if (c.contains("base")) {
            std::string base = r_.string(c["base"], path + ".base");
            if (!cals_.contains(base))
                r_.fail(path + ".base", fmt::format("unknown calendar \"{}\"", base));
            if (std::find(chain.begin(), chain.end(), base) != chain.end()) {
                std::string cycle;
                for (const auto& x : chain)
                    cycle += x + " -> ";
                r_.fail(path + ".base", fmt::format("inheritance cycle {}{}", cycle, base));
            }
            b.base(build(base, chain));
        }
        at(path, [&] {
            if (c.contains("time_zone"))
                b.time_zone(r_.string(c["time_zone"], path + ".time_zone"));
        });
        if (c.contains("weekly")) weekly(b, c["weekly"], path + ".weekly");
        if (c.contains("holidays")) holidays(b, c["holidays"], path + ".holidays");
        if (c.contains("dates")) dates(b, c["dates"], path + ".dates");
        if (c.contains("holidays_ics")) {
            std::string p = path + ".holidays_ics";
            std::string text = r_.string(c["holidays_ics"], p);
            try {
                b.import_ics(text);
            } catch (const Error& e) {
                r_.fail(p, e.what());
            }
        }
        auto cal = b.build();
        set_.add(cal);
        return cal;
    }

    // Runs a builder call; its error (relative to the calendar) is re-anchored under `path`.
    template <class F>
    void at(const std::string& path, F&& f) {
        try {
            f();
        } catch (const Error& e) {
            r_.fail(e.where().empty() ? path : path + "." + e.where(), bare(e));
        }
    }

    WorkingInterval interval(const json& j, const std::string& p) {
        if (!j.is_array() || j.size() != 2) r_.fail(p, "expected [\"HH:MM\", \"HH:MM\"]");
        try {
            return {parse_time_of_day(r_.string(j[0], p + "[0]"), false),
                    parse_time_of_day(r_.string(j[1], p + "[1]"), true)};
        } catch (const Error& e) {
            if (e.code() == Errc::invalid_config) throw;
            r_.fail(p, e.what());
        }
    }

    void weekly(CalendarBuilder& b, const json& w, const std::string& path) {
        if (w.is_string()) {
            if (w.get<std::string>() != "24x7")
                r_.fail(path, "expected an object of weekdays or \"24x7\"");
            b.always_open();
            return;
        }
        r_.object(w, path);
        r_.only(w, path, {"mon", "tue", "wed", "thu", "fri", "sat", "sun"});
        b.closed_week();
        for (unsigned d = 0; d < 7; ++d) {
            std::string key(weekday_keys[d]);
            if (!w.contains(key)) continue;
            std::string p = JsonReader::child(path, key);
            const auto& list = r_.array(w[key], p);
            for (std::size_t i = 0; i < list.size(); ++i) {
                auto iv = interval(list[i], JsonReader::index(p, i));
                at(path.substr(0, path.size() - 7), [&] { b.hours(std::chrono::weekday{d}, iv); });
            }
        }
    }

    void holidays(CalendarBuilder& b, const json& list, const std::string& path) {
        r_.array(list, path);
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::string p = JsonReader::index(path, i);
            const json& h = list[i];
            if (h.is_string()) {
                b.holiday(date(h, p));
                continue;
            }
            r_.object(h, p);
            r_.only(h, p, {"date", "yearly", "name", "from", "until"});
            std::string name = h.contains("name") ? r_.string(h["name"], p + ".name") : "";
            if (h.contains("date") == h.contains("yearly"))
                r_.fail(p, "give exactly one of \"date\" and \"yearly\"");
            if (h.contains("date")) {
                if (h.contains("from") || h.contains("until"))
                    r_.fail(p, "\"from\" and \"until\" go with \"yearly\"");
                b.holiday(date(h["date"], p + ".date"), name);
                continue;
            }
            std::string md = r_.string(h["yearly"], p + ".yearly");
            Date d{};
            try {
                d = parse_date("2000-" + md);  // a leap year, so 02-29 is accepted
            } catch (const Error&) {
                r_.fail(p + ".yearly", fmt::format("\"{}\" is not a date MM-DD", md));
            }
            int from = h.contains("from") ? int(r_.integer(h["from"], p + ".from")) : 0;
            int until = h.contains("until") ? int(r_.integer(h["until"], p + ".until")) : 0;
            if (from != 0 && until != 0 && until < from) r_.fail(p + ".until", "before \"from\"");
            b.yearly_holiday(d.month() / d.day(), name, from, until);
        }
    }

    Date date(const json& j, const std::string& p) {
        std::string text = r_.string(j, p);
        try {
            return parse_date(text);
        } catch (const Error& e) {
            r_.fail(p, e.what());
        }
    }

    void dates(CalendarBuilder& b, const json& obj, const std::string& path) {
        r_.object(obj, path);
        std::string calendar_path = path.substr(0, path.size() - 6);
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            std::string p = JsonReader::child(path, it.key());
            Date d{};
            try {
                d = parse_date(it.key());
            } catch (const Error& e) {
                r_.fail(p, e.what());
            }
            const json& rule = r_.object(it.value(), p);
            r_.only(rule, p, {"hours", "extra", "closed", "holiday"});
            if (rule.contains("holiday") && r_.boolean(rule["holiday"], p + ".holiday"))
                b.holiday(d);
            for (std::string_view kind : {"hours", "extra", "closed"}) {
                std::string key(kind);
                if (!rule.contains(key)) continue;
                std::string kp = JsonReader::child(p, key);
                const auto& list = r_.array(rule[key], kp);
                for (std::size_t i = 0; i < list.size(); ++i) {
                    auto iv = interval(list[i], JsonReader::index(kp, i));
                    at(calendar_path, [&] {
                        if (kind == "hours") b.date_hours(d, iv);
                        if (kind == "extra") b.date_extra(d, iv);
                        if (kind == "closed") b.date_closed(d, iv);
                    });
                }
            }
        }
    }

    const JsonReader& r_;
    const json& cals_;
    CalendarSet set_;
};

}  // namespace

CalendarSet CalendarSet::from_json(std::string_view text) {
    JsonReader r(Errc::invalid_config);
    auto doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "", {"calendars"});
    if (!doc.contains("calendars")) r.fail("calendars", "missing");
    const auto& cals = r.object(doc["calendars"], "calendars");
    return CalendarLoader(r, cals).load();
}

void CalendarSet::add(CalendarPtr calendar) {
    if (!calendar) throw Error(Errc::invalid_argument, "calendar", "no calendar given");
    calendars_[calendar->id()] = std::move(calendar);
}

CalendarPtr CalendarSet::find(std::string_view id) const {
    auto it = calendars_.find(id);
    return it == calendars_.end() ? nullptr : it->second;
}

CalendarPtr CalendarSet::at(std::string_view id) const {
    if (auto c = find(id)) return c;
    throw Error(Errc::not_found, "calendar", fmt::format("no calendar \"{}\"", id));
}

std::vector<std::string> CalendarSet::ids() const {
    std::vector<std::string> out;
    for (const auto& [id, _] : calendars_)
        out.push_back(id);
    return out;
}

ITSM_END_NAMESPACE
