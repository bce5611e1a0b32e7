// The quick body readers (src/json_quick.hpp) against the document readers that define what
// a body means: on many random create and patch bodies, valid and broken, whenever the quick
// reader answers, its answer is the document reader's; and the public functions return what
// the document reader returns, or fail with the same code, path and message.
#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "../src/json_quick.hpp"
#include "itsm/error.hpp"
#include "itsm/json.hpp"

using namespace itsm;

namespace {

Schema body_schema() {
    Schema s = Schema::itil();
    s.add_custom_field({"cost", FieldType::integer, {}, {"change"}});
    s.add_custom_field({"due", FieldType::instant, {}, {}});
    s.add_custom_field({"env", FieldType::choice, {"prod", "test"}, {}});
    s.add_custom_field({"flag", FieldType::boolean, {}, {}});
    s.add_custom_field({"note", FieldType::text, {}, {}});
    return s;
}

bool same(const NewTicket& a, const NewTicket& b) {
    return a.kind == b.kind && a.model == b.model && a.state == b.state && a.title == b.title &&
           a.description == b.description && a.impact == b.impact && a.urgency == b.urgency &&
           a.priority == b.priority && a.channel == b.channel && a.category == b.category &&
           a.requester == b.requester && a.assignee == b.assignee &&
           a.assignment_group == b.assignment_group && a.segment == b.segment && a.tags == b.tags &&
           a.watchers == b.watchers && a.custom == b.custom;
}

bool same(const TicketPatch& a, const TicketPatch& b) {
    return a.title == b.title && a.description == b.description && a.impact == b.impact &&
           a.urgency == b.urgency && a.priority == b.priority && a.channel == b.channel &&
           a.category == b.category && a.requester == b.requester && a.assignee == b.assignee &&
           a.assignment_group == b.assignment_group && a.segment == b.segment &&
           a.add_tags == b.add_tags && a.remove_tags == b.remove_tags &&
           a.add_watchers == b.add_watchers && a.remove_watchers == b.remove_watchers &&
           a.custom == b.custom && a.expected_version == b.expected_version;
}

// What a reader did with a body: a value, or an error with its code and message.
template <class T>
struct Outcome {
    std::optional<T> value;
    std::string error;

    static Outcome of(const std::function<T()>& read) {
        Outcome o;
        try {
            o.value = read();
        } catch (const Error& e) {
            o.error = std::string(to_string(e.code())) + ": " + e.what();
        } catch (const std::exception& e) {
            o.error = std::string("other: ") + e.what();
        }
        return o;
    }
    bool operator==(const Outcome& other) const {
        if (value.has_value() != other.value.has_value()) return false;
        return value ? same(*value, *other.value) : error == other.error;
    }
};

// Random bodies: members drawn from the readers' own and a few others, each with a value of
// the right type or not, with random white space, sometimes repeated, cut short or damaged.
class Bodies {
  public:
    explicit Bodies(unsigned seed) : rng_(seed) {}

    int below(std::size_t n) {
        return std::uniform_int_distribution<int>(0, static_cast<int>(n) - 1)(rng_);
    }
    bool chance(int percent) { return below(100) < percent; }

    std::string body(const std::vector<std::string>& required,
                     const std::vector<std::string>& optional) {
        std::vector<std::string> keys;
        for (const auto& k : required)
            if (!chance(5)) keys.push_back(k);
        for (const auto& k : optional)
            if (chance(30)) keys.push_back(k);
        if (chance(5)) keys.push_back("colour");
        if (chance(5) && !keys.empty()) keys.push_back(keys[below(keys.size())]);  // repeated
        std::shuffle(keys.begin(), keys.end(), rng_);
        std::string s = space() + "{";
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (i) s += space() + ",";
            s += space() + "\"" + keys[i] + "\"" + space() + ":" + space() + value_for(keys[i]);
        }
        s += space() + "}" + space();
        return damaged(std::move(s));
    }

  private:
    std::string space() {
        static const char* const spaces[] = {"", "", "", " ", "\n  ", "\t", "\r\n"};
        return spaces[below(std::size(spaces))];
    }
    std::string pick(const std::vector<std::string>& values) {
        return values[below(values.size())];
    }

    std::string value_for(const std::string& key) {
        static const std::vector<std::string> strings = {
            R"("Printer on floor 3 jams")",
            R"("")",
            R"("say \"hi\" \\ a\/b\tc\nd")",
            R"("caf\u00e9")",
            R"("\ud83d\ude00 \u20AC \u0000")",
            R"("\ud83d")",
            R"("\ude00")",
            R"("\ud83d\u0041")",
            R"("\u12")",
            R"("\u004G")",
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
            "\"bad \xff\"",
            "\"cut \xe2\x82\"",
            "\"raw\ttab\"",
            R"("\x")",
            R"("unterminated)"};
        static const std::vector<std::string> numbers = {"1",
                                                         "2",
                                                         "3",
                                                         "0",
                                                         "-0",
                                                         "-1",
                                                         "1000000",
                                                         "-1000000",
                                                         "1000001",
                                                         "2.0",
                                                         "1e2",
                                                         "01",
                                                         "-",
                                                         "+1",
                                                         "123456789012345678",
                                                         "1234567890123456789",
                                                         "9223372036854775807",
                                                         "18446744073709551615",
                                                         "99999999999999999999999"};
        static const std::vector<std::string> others = {"null", "true", "false", "[]",
                                                        "{}",   "nul",  "tru"};
        static const std::vector<std::string> symbols = {
            R"("incident")", R"("change")",        R"("task")", "null",          R"("it")",
            R"("alice")",    R"("software.mail")", R"("")",     R"("bob\u0020")"};
        static const std::vector<std::string> lists = {"[]",
                                                       R"(["a"])",
                                                       R"(["VPN", " Mail ", "a"])",
                                                       R"(["a", 1])",
                                                       R"([null, "bob"])",
                                                       R"(["a",])",
                                                       R"([ "x" , "y" ])",
                                                       R"(["caf\u00e9"])",
                                                       "null",
                                                       R"("a")"};
        static const std::vector<std::string> customs = {
            "{}",
            R"({"cost": 300})",
            R"({"due": "2026-04-01T10:00:00+02:00"})",
            R"({"env": "prod", "note": "n\"b"})",
            R"({"env": null})",
            R"({"cost": "12"})",
            R"({"size": 1})",
            R"({"due": "tomorrow"})",
            R"({"cost": 1, "cost": 2})",
            R"({"flag": true, "note": null})",
            R"({"flag": 1})",
            R"({"cost": 1.5})",
            R"({"note": "x", "env": "test", "flag": false, "cost": -7})",
            "[]",
            "null"};
        static const std::vector<std::string> channels = {R"("email")", R"("walk_in")", R"("fax")",
                                                          "null", "3"};
        int kind = below(30);
        if (kind == 0) return pick(others);
        if (kind == 1) return pick(strings);
        if (kind == 2) return pick(numbers);
        if (key == "title" || key == "description") return pick(strings);
        if (key == "impact" || key == "urgency" || key == "priority" || key == "version")
            return chance(10) ? "null" : chance(50) ? pick({"1", "2", "3"}) : pick(numbers);
        if (key == "channel") return pick(channels);
        if (key == "custom") return pick(customs);
        if (key == "tags" || key == "watchers" || key.find("_tags") != std::string::npos ||
            key.find("_watchers") != std::string::npos)
            return pick(lists);
        return pick(symbols);
    }

    std::string damaged(std::string s) {
        int how = below(20);
        if (how == 0 && !s.empty()) return s.substr(0, static_cast<std::size_t>(below(s.size())));
        if (how == 1) return s + (chance(50) ? "x" : "{}");
        if (how == 2) return "\xef\xbb\xbf" + s;  // a byte order mark
        if (how == 3 && !s.empty()) {
            s[static_cast<std::size_t>(below(s.size()))] = static_cast<char>(below(256));
            return s;
        }
        return s;
    }

    std::mt19937_64 rng_;
};

const std::vector<std::string> create_optional = {
    "model",    "state",   "description", "impact",           "urgency",
    "priority", "channel", "category",    "requester",        "assignee",
    "segment",  "tags",    "watchers",    "assignment_group", "custom"};
const std::vector<std::string> patch_optional = {
    "title",       "description",  "impact",          "urgency", "priority",         "channel",
    "category",    "requester",    "assignee",        "segment", "assignment_group", "add_tags",
    "remove_tags", "add_watchers", "remove_watchers", "custom",  "version"};

}  // namespace

TEST_CASE("the quick create reader agrees with the document reader on random bodies") {
    Schema s = body_schema();
    Bodies bodies(42);
    int quick_answers = 0, valid = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        std::string body = bodies.body({"kind", "title"}, create_optional);
        CAPTURE(body);
        auto quick = detail::quick_new_ticket(body, s);
        auto document =
            Outcome<NewTicket>::of([&] { return detail::new_ticket_from_document(body, s); });
        if (quick) {
            ++quick_answers;
            REQUIRE(document.value);
            REQUIRE(same(*quick, *document.value));
        }
        if (document.value) ++valid;
        auto pub = Outcome<NewTicket>::of([&] { return new_ticket_from_json(body, s); });
        REQUIRE(pub == document);
    }
    // the quick reader does take the plain bodies (else this test would prove nothing)
    CHECK(valid > n / 20);
    CHECK(quick_answers > valid / 2);
}

TEST_CASE("the quick patch reader agrees with the document reader on random bodies") {
    Schema s = body_schema();
    Bodies bodies(4242);
    int quick_answers = 0, valid = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        std::string body = bodies.body({}, patch_optional);
        CAPTURE(body);
        auto quick = detail::quick_patch(body, s);
        auto document =
            Outcome<TicketPatch>::of([&] { return detail::patch_from_document(body, s); });
        if (quick) {
            ++quick_answers;
            REQUIRE(document.value);
            REQUIRE(same(*quick, *document.value));
        }
        if (document.value) ++valid;
        auto pub = Outcome<TicketPatch>::of([&] { return patch_from_json(body, s); });
        REQUIRE(pub == document);
    }
    CHECK(valid > n / 20);
    CHECK(quick_answers > valid / 2);
}

TEST_CASE("the quick readers take plain bodies and leave the rest to the document reader") {
    Schema s = body_schema();
    auto quick = detail::quick_new_ticket(
        R"({"kind":"change","title":"Say \"hi\"","impact":2,"priority":null,"tags":["a","B"],)"
        R"("assignee":null,"custom":{"note":"n","cost":3,"due":"2026-04-01T10:00:00+02:00"}})",
        s);
    REQUIRE(quick);
    CHECK(quick->kind == "change");
    CHECK(quick->title == "Say \"hi\"");
    CHECK(quick->impact == 2);
    CHECK_FALSE(quick->priority);
    CHECK(quick->tags == std::vector<std::string>{"a", "B"});
    CHECK(quick->assignee.empty());
    REQUIRE(quick->custom.size() == 3);
    CHECK(quick->custom[0].first == "cost");  // in byte order of the names
    CHECK(quick->custom[1].first == "due");
    CHECK(quick->custom[1].second == Value(parse_instant("2026-04-01T08:00:00Z")));
    CHECK(quick->custom[2].first == "note");

    auto patch = detail::quick_patch(R"({"priority": null, "version": 4, "segment": null})", s);
    REQUIRE(patch);
    REQUIRE(patch->priority);
    CHECK_FALSE(patch->priority->has_value());
    CHECK(patch->expected_version == 4u);
    REQUIRE(patch->segment);
    CHECK(patch->segment->empty());

    CHECK(
        detail::quick_new_ticket(R"({"kind":"task","title":"caf\u00e9 \ud83d\ude00"})", s)->title ==
        "caf\xc3\xa9 \xf0\x9f\x98\x80");
    // left to the document reader: a lone surrogate, a repeated member, a fraction
    CHECK_FALSE(detail::quick_new_ticket(R"({"kind":"task","title":"\ud83d"})", s));
    CHECK_FALSE(detail::quick_new_ticket(R"({"kind":"task","title":"a","title":"b"})", s));
    CHECK_FALSE(detail::quick_patch(R"({"impact": 2.0})", s));
    try {
        new_ticket_from_json(R"({"kind":"task","title":"\ud83d"})", s);
        FAIL("a lone surrogate was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid_argument);
        CHECK(std::string(e.what()).rfind("(document): not valid JSON", 0) == 0);
    }
}
