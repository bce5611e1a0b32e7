// Routing rules: the builder, the checks against schema / taxonomy / directory, and the
// compiled plan (the JSON form is in routing_json.cpp).
#include "itsm/routing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <unordered_map>

#include "itsm/error.hpp"
#include "itsm/schema.hpp"
#include "itsm/taxonomy.hpp"
#include "taxonomy_detail.hpp"
#include "validate.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

[[noreturn]] void refuse(const std::string& where, std::string_view why) {
    throw Error(Errc::invalid_config, where, why);
}

std::string at(const std::string& base, std::string_view member, std::size_t k) {
    return fmt::format("{}.{}[{}]", base, member, k);
}

bool is_word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

char fold(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

template <class T>
bool sorted_has(const std::vector<T>& v, const T& x) {
    return std::binary_search(v.begin(), v.end(), x);
}

std::string fold_word(std::string_view w) {
    std::string out(w);
    for (char& c : out)
        c = fold(c);
    return out;
}

bool is_word(std::string_view w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
        return is_word_byte(static_cast<unsigned char>(c));
    });
}

}  // namespace

std::string_view to_string(AssignMode m) noexcept {
    switch (m) {
        case AssignMode::none:
            return "none";
        case AssignMode::user:
            return "user";
        case AssignMode::round_robin:
            return "round_robin";
        case AssignMode::least_loaded:
            return "least_loaded";
    }
    return "none";
}

std::uint32_t routing_field::of(Symbol field) noexcept {
    static const std::pair<Symbol, std::uint32_t> table[] = {
        {"category", category}, {"tags", tags},           {"segment", segment},
        {"impact", impact},     {"urgency", urgency},     {"priority", priority},
        {"channel", channel},   {"requester", requester}, {"title", title}};
    for (const auto& [name, bit] : table)
        if (name == field) return bit;
    return 0;
}

RoutingRules& RoutingRules::add(RoutingRule rule) {
    std::string where = fmt::format("rules[{}]", rules_.size());
    if (!detail::is_category_id(rule.id.view()))
        refuse(where + ".id", fmt::format("\"{}\" is not a rule id (1 to 64 of a-z A-Z 0-9 _ - .)",
                                          rule.id.view()));
    for (const auto& r : rules_)
        if (r.id == rule.id)
            refuse(where + ".id", fmt::format("duplicate rule id \"{}\"", rule.id.view()));
    auto& when = rule.when;
    for (std::size_t k = 0; k < when.tags.size(); ++k) {
        try {
            when.tags[k] = checked_tag(when.tags[k], "tag").str();
        } catch (const Error&) {
            refuse(at(where, "when.tags", k), "is not a valid tag");
        }
    }
    for (auto [name, levels] : {std::pair{"impacts", &when.impacts},
                                {"urgencies", &when.urgencies},
                                {"priorities", &when.priorities}})
        for (std::size_t k = 0; k < levels->size(); ++k)
            if ((*levels)[k] < 1 || (*levels)[k] > 31)
                refuse(at(where + ".when", name, k),
                       fmt::format("{} is outside 1..31", (*levels)[k]));
    for (std::size_t k = 0; k < when.title_words.size(); ++k) {
        if (!is_word(when.title_words[k]))
            refuse(at(where, "when.title_words", k),
                   fmt::format("\"{}\" is not one word (letters and digits)", when.title_words[k]));
        when.title_words[k] = fold_word(when.title_words[k]);
    }
    auto& then = rule.then;
    std::string t = where + ".then";
    if (!then.assignee.empty() && then.assign != AssignMode::user)
        refuse(t + ".assignee", "an assignee goes with \"assign\": \"user\"");
    if (then.assign == AssignMode::user && then.assignee.empty())
        refuse(t + ".assignee", "\"assign\": \"user\" needs an assignee");
    for (std::size_t k = 0; k < then.add_tags.size(); ++k) {
        try {
            then.add_tags[k] = checked_tag(then.add_tags[k], "tag").str();
        } catch (const Error&) {
            refuse(at(t, "add_tags", k), "is not a valid tag");
        }
    }
    try {
        check_symbol("segment", then.segment, false);
        for (auto w : then.add_watchers)
            check_symbol("add_watchers", w, true);
    } catch (const Error& e) {
        refuse(t + "." + e.where(), std::string(e.what()).substr(e.where().size() + 2));
    }
    bool acts = !then.assignment_group.empty() || then.assign != AssignMode::none || then.impact ||
                then.urgency || !then.add_tags.empty() || !then.add_watchers.empty() ||
                !then.segment.empty();
    if (!acts) refuse(t, "the rule has no action");
    rules_.push_back(std::move(rule));
    return *this;
}

void RoutingRules::check(const Schema& schema, const Taxonomy& taxonomy,
                         const Directory& directory) const {
    const auto& m = schema.priority_matrix();
    auto levels = [&](const std::string& where, const std::vector<int>& v, int hi) {
        for (std::size_t k = 0; k < v.size(); ++k)
            if (v[k] < 1 || v[k] > hi)
                refuse(fmt::format("{}[{}]", where, k),
                       fmt::format("{} is outside 1..{}", v[k], hi));
    };
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const auto& r = rules_[i];
        std::string w = fmt::format("rules[{}].when", i);
        std::string t = fmt::format("rules[{}].then", i);
        for (std::size_t k = 0; k < r.when.kinds.size(); ++k)
            if (!schema.kind(r.when.kinds[k]))
                refuse(at(w, "kinds", k),
                       fmt::format("unknown kind \"{}\"", r.when.kinds[k].view()));
        for (std::size_t k = 0; k < r.when.categories.size(); ++k)
            if (!taxonomy.find(r.when.categories[k]))
                refuse(at(w, "categories", k),
                       fmt::format("unknown category \"{}\"", r.when.categories[k].view()));
        levels(w + ".impacts", r.when.impacts, m.impact_levels);
        levels(w + ".urgencies", r.when.urgencies, m.urgency_levels);
        levels(w + ".priorities", r.when.priorities, m.lowest);
        for (std::size_t k = 0; k < r.when.requester_groups.size(); ++k)
            if (!directory.group(r.when.requester_groups[k]))
                refuse(at(w, "requester_groups", k),
                       fmt::format("unknown group \"{}\"", r.when.requester_groups[k].view()));
        const auto& a = r.then;
        if (!a.assignment_group.empty() && !directory.group(a.assignment_group))
            refuse(t + ".assignment_group",
                   fmt::format("unknown group \"{}\"", a.assignment_group.view()));
        if (!a.assignee.empty()) {
            if (!directory.user(a.assignee))
                refuse(t + ".assignee", fmt::format("unknown user \"{}\"", a.assignee.view()));
            if (!a.assignment_group.empty() && !directory.is_member(a.assignee, a.assignment_group))
                refuse(t + ".assignee", fmt::format("\"{}\" is not a member of \"{}\"",
                                                    a.assignee.view(), a.assignment_group.view()));
        }
        for (std::size_t k = 0; k < a.add_watchers.size(); ++k)
            if (!directory.user(a.add_watchers[k]))
                refuse(at(t, "add_watchers", k),
                       fmt::format("unknown user \"{}\"", a.add_watchers[k].view()));
        if (a.impact && (*a.impact < 1 || *a.impact > m.impact_levels))
            refuse(t + ".impact", fmt::format("{} is outside 1..{}", *a.impact, m.impact_levels));
        if (a.urgency && (*a.urgency < 1 || *a.urgency > m.urgency_levels))
            refuse(t + ".urgency",
                   fmt::format("{} is outside 1..{}", *a.urgency, m.urgency_levels));
    }
}

// ---- The compiled plan ------------------------------------------------------------------

namespace {

struct Compiled {
    std::vector<Symbol> kinds, categories, tags, segments, groups;  // sorted by identity
    std::uint32_t impacts = 0, urgencies = 0, priorities = 0;       // bit per level; 0 = any
    std::uint32_t channels = 0;
    std::vector<std::pair<std::uint64_t, std::string>> words;  // sorted by hash
};

std::uint32_t bits_of(const std::vector<int>& levels) {
    std::uint32_t b = 0;
    for (int l : levels)
        if (l >= 0 && l < 32) b |= 1u << l;
    return b;
}

std::vector<Symbol> sorted(std::vector<Symbol> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

// The title's words, folded and hashed, sorted by hash: computed once per evaluation.
struct TitleWords {
    std::string folded;
    std::vector<std::pair<std::uint64_t, std::string_view>> words;

    explicit TitleWords(const std::string& title) : folded(fold_word(title)) {
        std::size_t i = 0;
        while (i < folded.size()) {
            while (i < folded.size() && !is_word_byte(static_cast<unsigned char>(folded[i])))
                ++i;
            std::size_t start = i;
            while (i < folded.size() && is_word_byte(static_cast<unsigned char>(folded[i])))
                ++i;
            if (i > start) {
                std::string_view w(folded.data() + start, i - start);
                words.emplace_back(fnv1a(w), w);
            }
        }
        std::sort(words.begin(), words.end());
    }
};

// One bit per rule, in rule order.
using Bits = std::vector<std::uint64_t>;

void set_bit(Bits& b, std::size_t i) {
    b[i / 64] |= std::uint64_t{1} << (i % 64);
}

// An inverted index over one condition: for each value, the rules it satisfies; `any` holds
// the rules without this condition, which every value satisfies.
struct ValueIndex {
    std::unordered_map<Symbol, Bits> by_value;
    Bits any;

    void add(std::size_t rule, const std::vector<Symbol>& values, std::size_t words) {
        if (any.empty()) any.assign(words, 0);
        if (values.empty()) return set_bit(any, rule);
        for (Symbol v : values) {
            auto& b = by_value[v];
            if (b.empty()) b.assign(words, 0);
            set_bit(b, rule);
        }
    }
    // out &= the rules satisfied by at least one of `values`.
    template <class Values>
    void narrow(Bits& out, const Values& values, Bits& scratch) const {
        scratch = any;
        for (Symbol v : values) {
            auto it = by_value.find(v);
            if (it == by_value.end()) continue;
            for (std::size_t w = 0; w < scratch.size(); ++w)
                scratch[w] |= it->second[w];
        }
        for (std::size_t w = 0; w < out.size(); ++w)
            out[w] &= scratch[w];
    }
};

// For small integer conditions (levels, channels): ok[v] = the rules value v satisfies.
struct LevelIndex {
    std::array<Bits, 32> ok;
    Bits any;

    void add(std::size_t rule, std::uint32_t set, std::size_t words) {
        if (any.empty()) {
            any.assign(words, 0);
            for (auto& b : ok)
                b.assign(words, 0);
        }
        if (!set) set_bit(any, rule);
        for (std::size_t v = 0; v < ok.size(); ++v)
            if (!set || (set >> v & 1u)) set_bit(ok[v], rule);
    }
    void narrow(Bits& out, int value) const {
        const Bits& b = value >= 0 && value < 32 ? ok[static_cast<std::size_t>(value)] : any;
        for (std::size_t w = 0; w < out.size(); ++w)
            out[w] &= b[w];
    }
};

}  // namespace

// Two forms of the same rules: per rule (Compiled, for matches()), and inverted indexes that
// find every matching rule for a ticket with a few lookups and word-wide ANDs, whatever the
// number of rules.
struct RoutingPlan::Impl {
    std::vector<RoutingRule> rules;
    std::vector<Compiled> compiled;
    std::uint32_t reads = 0;
    bool needs_groups = false;

    std::size_t words = 0;  // 64-bit words per rule set
    ValueIndex kinds, segments, categories, tags, groups;
    LevelIndex impacts, urgencies, priorities, channels;
    Bits any_word;  // no title condition
    std::unordered_map<std::uint64_t, std::vector<std::pair<std::string, Bits>>> title_words;

    void index(std::size_t i, const Compiled& c);
    void candidates(const Ticket& t, const std::vector<Symbol>& groups, Bits& out) const;
    bool test(std::size_t i, const Ticket& t, const std::vector<Symbol>& groups,
              std::optional<TitleWords>& title) const;
};

void RoutingPlan::Impl::index(std::size_t i, const Compiled& c) {
    kinds.add(i, c.kinds, words);
    segments.add(i, c.segments, words);
    categories.add(i, c.categories, words);
    tags.add(i, c.tags, words);
    groups.add(i, c.groups, words);
    impacts.add(i, c.impacts, words);
    urgencies.add(i, c.urgencies, words);
    priorities.add(i, c.priorities, words);
    channels.add(i, c.channels, words);
    if (any_word.empty()) any_word.assign(words, 0);
    if (c.words.empty()) set_bit(any_word, i);
    for (const auto& [hash, word] : c.words) {
        auto& bucket = title_words[hash];
        auto it = std::find_if(bucket.begin(), bucket.end(),
                               [&](const auto& e) { return e.first == word; });
        if (it == bucket.end()) it = bucket.insert(bucket.end(), {word, Bits(words, 0)});
        set_bit(it->second, i);
    }
}

void RoutingPlan::Impl::candidates(const Ticket& t, const std::vector<Symbol>& requester_groups,
                                   Bits& out) const {
    out.assign(words, ~std::uint64_t{0});
    impacts.narrow(out, t.impact);
    urgencies.narrow(out, t.urgency);
    priorities.narrow(out, t.priority);
    channels.narrow(out, static_cast<int>(t.channel));
    Bits scratch;
    kinds.narrow(out, std::array<Symbol, 1>{t.kind}, scratch);
    segments.narrow(out, std::array<Symbol, 1>{t.segment}, scratch);
    categories.narrow(out, std::array<Symbol, 1>{t.category}, scratch);
    tags.narrow(out, t.tags, scratch);
    groups.narrow(out, requester_groups, scratch);
    if (title_words.empty()) return;
    scratch = any_word;
    TitleWords title(t.title);
    for (const auto& [hash, word] : title.words) {
        auto it = title_words.find(hash);
        if (it == title_words.end()) continue;
        for (const auto& [text, bits] : it->second)
            if (text == word)
                for (std::size_t w = 0; w < words; ++w)
                    scratch[w] |= bits[w];
    }
    for (std::size_t w = 0; w < words; ++w)
        out[w] &= scratch[w];
}

RoutingPlan::RoutingPlan(const RoutingRules& rules, const Taxonomy& taxonomy)
    : impl_(std::make_unique<Impl>()) {
    impl_->rules = rules.rules();
    for (const auto& r : impl_->rules) {
        Compiled c;
        const auto& w = r.when;
        c.kinds = sorted(w.kinds);
        for (auto cat : w.categories) {
            auto sub = taxonomy.subtree(cat);
            if (sub.empty()) sub.push_back(cat);
            c.categories.insert(c.categories.end(), sub.begin(), sub.end());
        }
        c.categories = sorted(std::move(c.categories));
        for (const auto& tag : w.tags)
            c.tags.emplace_back(tag);
        c.tags = sorted(std::move(c.tags));
        c.segments = sorted(w.segments);
        c.groups = sorted(w.requester_groups);
        c.impacts = bits_of(w.impacts);
        c.urgencies = bits_of(w.urgencies);
        c.priorities = bits_of(w.priorities);
        for (auto ch : w.channels)
            c.channels |= 1u << static_cast<unsigned>(ch);
        for (const auto& word : w.title_words)
            c.words.emplace_back(fnv1a(word), word);
        std::sort(c.words.begin(), c.words.end());
        using namespace routing_field;
        impl_->reads |= (c.categories.empty() ? 0 : category) | (c.tags.empty() ? 0 : tags) |
                        (c.segments.empty() ? 0 : segment) | (c.impacts ? impact : 0) |
                        (c.urgencies ? urgency : 0) | (c.priorities ? priority : 0) |
                        (c.channels ? channel : 0) | (c.groups.empty() ? 0 : requester) |
                        (c.words.empty() ? 0 : title);
        impl_->needs_groups = impl_->needs_groups || !c.groups.empty();
        impl_->compiled.push_back(std::move(c));
    }
    impl_->words = (impl_->rules.size() + 63) / 64;
    for (std::size_t i = 0; i < impl_->compiled.size(); ++i)
        impl_->index(i, impl_->compiled[i]);
}

RoutingPlan::~RoutingPlan() = default;
RoutingPlan::RoutingPlan(RoutingPlan&&) noexcept = default;
RoutingPlan& RoutingPlan::operator=(RoutingPlan&&) noexcept = default;

// Cheapest tests first: bit sets, then sorted lookups, then the title.
bool RoutingPlan::Impl::test(std::size_t i, const Ticket& t, const std::vector<Symbol>& groups,
                             std::optional<TitleWords>& title) const {
    const Compiled& c = compiled[i];
    auto level = [](std::uint32_t set, int v) {
        return !set || (v >= 0 && v < 32 && (set >> v & 1u));
    };
    if (!level(c.impacts, t.impact) || !level(c.urgencies, t.urgency) ||
        !level(c.priorities, t.priority) || !level(c.channels, static_cast<int>(t.channel)))
        return false;
    if (!c.kinds.empty() && !sorted_has(c.kinds, t.kind)) return false;
    if (!c.segments.empty() && !sorted_has(c.segments, t.segment)) return false;
    if (!c.categories.empty() && !sorted_has(c.categories, t.category)) return false;
    if (!c.tags.empty() &&
        std::none_of(t.tags.begin(), t.tags.end(), [&](Symbol s) { return sorted_has(c.tags, s); }))
        return false;
    if (!c.groups.empty() && std::none_of(groups.begin(), groups.end(),
                                          [&](Symbol s) { return sorted_has(c.groups, s); }))
        return false;
    if (!c.words.empty()) {
        if (!title) title.emplace(t.title);
        bool hit = false;
        for (const auto& [h, word] : c.words) {
            auto it = std::lower_bound(title->words.begin(), title->words.end(),
                                       std::pair<std::uint64_t, std::string_view>{h, {}});
            for (; it != title->words.end() && it->first == h && !hit; ++it)
                hit = it->second == word;
            if (hit) break;
        }
        if (!hit) return false;
    }
    return true;
}

std::vector<std::size_t> RoutingPlan::matching(const Ticket& t,
                                               const std::vector<Symbol>& groups) const {
    std::vector<std::size_t> out;
    Bits hits;
    impl_->candidates(t, groups, hits);
    for (std::size_t w = 0; w < hits.size(); ++w)
        for (std::uint64_t b = hits[w]; b; b &= b - 1) {
            std::size_t i = w * 64 + static_cast<std::size_t>(std::countr_zero(b));
            out.push_back(i);
            if (!impl_->rules[i].continue_after) return out;
        }
    return out;
}

bool RoutingPlan::matches(std::size_t i, const Ticket& t, const std::vector<Symbol>& groups) const {
    std::optional<TitleWords> title;
    return impl_->test(i, t, groups, title);
}

std::optional<std::size_t> RoutingPlan::next_match(const Ticket& t,
                                                   const std::vector<Symbol>& groups,
                                                   std::size_t from) const {
    Bits hits;
    impl_->candidates(t, groups, hits);
    for (std::size_t w = from / 64; w < hits.size(); ++w) {
        std::uint64_t b = hits[w];
        if (w == from / 64) b &= ~std::uint64_t{0} << (from % 64);
        if (b) return w * 64 + static_cast<std::size_t>(std::countr_zero(b));
    }
    return std::nullopt;
}

std::uint32_t RoutingPlan::reads() const noexcept {
    return impl_->reads;
}
bool RoutingPlan::needs_requester_groups() const noexcept {
    return impl_->needs_groups;
}
std::size_t RoutingPlan::size() const noexcept {
    return impl_->rules.size();
}
const RoutingRule& RoutingPlan::rule(std::size_t i) const {
    return impl_->rules.at(i);
}

ITSM_END_NAMESPACE
