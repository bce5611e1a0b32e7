// Taxonomy: the category tree, its checks and its lifecycle (the JSON form is in
// taxonomy_json.cpp).
#include "itsm/taxonomy.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "itsm/error.hpp"
#include "taxonomy_detail.hpp"
#include "validate.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

bool contains(const std::vector<Symbol>& v, Symbol s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

[[noreturn]] void refuse(Errc code, std::string where, std::string_view why) {
    throw Error(code, std::move(where), why);
}

}  // namespace

namespace detail {

bool is_category_id(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
}

void check_category_name(const std::string& where, std::string_view name) {
    if (name.empty()) refuse(Errc::invalid_config, where, "must not be empty");
    if (name.size() > max_symbol_bytes)
        refuse(Errc::invalid_config, where,
               fmt::format("{} bytes is over the limit of {}", name.size(), max_symbol_bytes));
    if (!is_valid_utf8(name)) refuse(Errc::invalid_config, where, "is not valid UTF-8");
}

// The kinds (or segments) in force at `parent`: the nearest ancestor's own list, or empty
// (= all) when no ancestor restricts them.
const std::vector<Symbol>* inherited(const Taxonomy& t, Symbol parent, bool kinds) {
    for (const CategoryDef* c = t.find(parent); c; c = t.find(c->parent)) {
        const auto& own = kinds ? c->kinds : c->segments;
        if (!own.empty()) return &own;
    }
    return nullptr;
}

void check_entry(const Taxonomy& so_far, const CategoryDef& c, const std::string& where) {
    if (!is_category_id(c.id.view()))
        refuse(
            Errc::invalid_config, where + ".id",
            fmt::format("\"{}\" is not a category id (1 to 64 of a-z A-Z 0-9 _ - .)", c.id.view()));
    if (so_far.find(c.id))
        refuse(Errc::invalid_config, where + ".id",
               fmt::format("duplicate category id \"{}\"", c.id.view()));
    check_category_name(where + ".name", c.name);
    if (!c.parent.empty() && !so_far.find(c.parent))
        refuse(Errc::invalid_config, where + ".parent",
               fmt::format("unknown category \"{}\"", c.parent.view()));
    for (bool kinds : {true, false}) {
        const auto& own = kinds ? c.kinds : c.segments;
        const auto* allowed = inherited(so_far, c.parent, kinds);
        for (std::size_t i = 0; i < own.size(); ++i) {
            std::string at = fmt::format("{}.{}[{}]", where, kinds ? "kinds" : "segments", i);
            check_symbol(at, own[i], true);
            if (std::find(own.begin(), own.begin() + static_cast<std::ptrdiff_t>(i), own[i]) !=
                own.begin() + static_cast<std::ptrdiff_t>(i))
                refuse(Errc::invalid_config, at,
                       fmt::format("\"{}\" is listed twice", own[i].view()));
            if (allowed && !contains(*allowed, own[i]))
                refuse(Errc::invalid_config, at,
                       fmt::format("\"{}\" is not allowed by the parent \"{}\"", own[i].view(),
                                   c.parent.view()));
        }
    }
    if (c.retired_at && !c.retired)
        refuse(Errc::invalid_config, where + ".retired_at", "only a retired category has one");
    if (!c.merged_into.empty() && !c.retired)
        refuse(Errc::invalid_config, where + ".merged_into", "only a retired category is merged");
}

}  // namespace detail

Taxonomy& Taxonomy::add(CategoryDef c) {
    std::string where = "categories." + c.id.str();
    return add_at(std::move(c), where);
}

Taxonomy& Taxonomy::add_at(CategoryDef c, const std::string& where) {
    detail::check_entry(*this, c, where);
    for (std::size_t i = 0; i < c.former_names.size(); ++i) {
        std::string at = fmt::format("{}.former_names[{}]", where, i);
        detail::check_category_name(at + ".name", c.former_names[i].name);
        if (i > 0 && c.former_names[i].until < c.former_names[i - 1].until)
            refuse(Errc::invalid_config, at + ".until", "former names must be oldest first");
    }
    categories_.push_back(std::move(c));
    index_[categories_.back().id] = categories_.size() - 1;
    return *this;
}

Taxonomy& Taxonomy::set_leaf_only(bool leaf_only) {
    leaf_only_ = leaf_only;
    return *this;
}

// Rebuilds the id index after reordering so that parents precede their children.
void Taxonomy::reindex() {
    std::vector<CategoryDef> ordered;
    ordered.reserve(categories_.size());
    std::unordered_map<Symbol, bool> placed;
    // Repeated passes keep the relative order of siblings; trees are small.
    while (ordered.size() < categories_.size()) {
        std::size_t before = ordered.size();
        for (auto& c : categories_)
            if (!placed[c.id] && (c.parent.empty() || placed[c.parent])) {
                placed[c.id] = true;
                ordered.push_back(c);
            }
        if (ordered.size() == before) throw Error(Errc::internal, "taxonomy: a parent cycle");
    }
    categories_ = std::move(ordered);
    index_.clear();
    for (std::size_t i = 0; i < categories_.size(); ++i)
        index_[categories_[i].id] = i;
}

const CategoryDef* Taxonomy::find(Symbol id) const noexcept {
    if (id.empty()) return nullptr;
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &categories_[it->second];
}

const CategoryDef& Taxonomy::existing(Symbol id, std::string_view where) const {
    const CategoryDef* c = find(id);
    if (!c)
        refuse(Errc::not_found, std::string(where),
               fmt::format("unknown category \"{}\"", id.view()));
    return *c;
}

std::vector<Symbol> Taxonomy::children(Symbol id) const {
    std::vector<Symbol> out;
    for (const auto& c : categories_)
        if (c.parent == id && !id.empty()) out.push_back(c.id);
    return out;
}

bool Taxonomy::is_leaf(Symbol id) const noexcept {
    return std::none_of(categories_.begin(), categories_.end(),
                        [&](const CategoryDef& c) { return c.parent == id; });
}

std::vector<Symbol> Taxonomy::subtree(Symbol id) const {
    std::vector<Symbol> out;
    if (!find(id)) return out;
    out.push_back(id);
    // Parents precede children in categories_, so one pass collects the whole subtree.
    for (const auto& c : categories_)
        if (!c.parent.empty() && contains(out, c.parent) && c.id != id) out.push_back(c.id);
    return out;
}

bool Taxonomy::within(Symbol id, Symbol ancestor) const noexcept {
    for (const CategoryDef* c = find(id); c; c = find(c->parent))
        if (c->id == ancestor) return true;
    return false;
}

std::string Taxonomy::path(Symbol id, std::string_view separator) const {
    std::vector<const CategoryDef*> chain;
    for (const CategoryDef* c = find(id); c; c = find(c->parent))
        chain.push_back(c);
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (!out.empty()) out += separator;
        out += (*it)->name;
    }
    return out;
}

std::string Taxonomy::name_at(Symbol id, Instant at) const {
    const CategoryDef* c = find(id);
    if (!c) return {};
    for (const auto& f : c->former_names)
        if (at < f.until) return f.name;
    return c->name;
}

std::string Taxonomy::path_at(Symbol id, Instant at, std::string_view separator) const {
    // The path uses today's parents: a move is not historised, a rename is.
    std::vector<Symbol> chain;
    for (const CategoryDef* c = find(id); c; c = find(c->parent))
        chain.push_back(c->id);
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (!out.empty()) out += separator;
        out += name_at(*it, at);
    }
    return out;
}

bool Taxonomy::is_retired(Symbol id) const noexcept {
    for (const CategoryDef* c = find(id); c; c = find(c->parent))
        if (c->retired) return true;
    return false;
}

bool Taxonomy::allowed_for(Symbol id, Symbol kind, Symbol segment) const noexcept {
    const CategoryDef* c = find(id);
    if (!c) return false;
    auto allows = [&](bool kinds, Symbol value) {
        const auto& own = kinds ? c->kinds : c->segments;
        const auto* list = own.empty() ? detail::inherited(*this, c->parent, kinds) : &own;
        return !list || contains(*list, value);
    };
    return allows(true, kind) && allows(false, segment);
}

void Taxonomy::check_choice(Symbol id, Symbol kind, Symbol segment) const {
    auto no = [&](std::string why) { refuse(Errc::validation_failed, "category", why); };
    const CategoryDef* c = find(id);
    if (!c) no(fmt::format("unknown category \"{}\"", id.view()));
    if (is_retired(id))
        no(c->merged_into.empty() ? fmt::format("category \"{}\" is retired", id.view())
                                  : fmt::format("category \"{}\" is retired (merged into \"{}\")",
                                                id.view(), c->merged_into.view()));
    const auto* kinds = c->kinds.empty() ? detail::inherited(*this, c->parent, true) : &c->kinds;
    if (kinds && !contains(*kinds, kind))
        no(fmt::format("category \"{}\" is not allowed for kind \"{}\"", id.view(), kind.view()));
    if (!allowed_for(id, kind, segment))
        no(fmt::format("category \"{}\" is not allowed in segment \"{}\"", id.view(),
                       segment.view()));
    if (leaf_only_ && !is_leaf(id))
        no(fmt::format("category \"{}\" has subcategories; choose one of them", id.view()));
}

void Taxonomy::rename(Symbol id, std::string name, Instant at) {
    const CategoryDef& c = existing(id, "category");
    detail::check_category_name("name", name);
    if (name == c.name) return;
    if (!c.former_names.empty() && at < c.former_names.back().until)
        refuse(Errc::validation_failed, "at", "a rename cannot be dated before the previous one");
    CategoryDef& m = categories_[index_.at(id)];
    m.former_names.push_back({std::move(m.name), at});
    m.name = std::move(name);
}

void Taxonomy::move(Symbol id, Symbol new_parent) {
    const CategoryDef& c = existing(id, "category");
    if (!new_parent.empty()) {
        existing(new_parent, "parent");
        if (within(new_parent, id))
            refuse(Errc::validation_failed, "parent",
                   fmt::format("moving \"{}\" under \"{}\" makes a cycle (\"{}\" is {})", id.view(),
                               new_parent.view(), new_parent.view(),
                               new_parent == id ? "itself" : "below it"));
    }
    if (c.parent == new_parent) return;
    // The subtree's own kind and segment lists must fit under the new parent.
    Taxonomy next = *this;
    next.categories_[index_.at(id)].parent = new_parent;
    for (Symbol s : subtree(id)) {
        const CategoryDef* d = next.find(s);
        for (bool kinds : {true, false})
            if (const auto* allowed = detail::inherited(next, d->parent, kinds))
                for (Symbol v : kinds ? d->kinds : d->segments)
                    if (!contains(*allowed, v))
                        refuse(
                            Errc::validation_failed, "parent",
                            fmt::format("\"{}\" allows {} \"{}\", which \"{}\" does not", s.view(),
                                        kinds ? "kind" : "segment", v.view(), new_parent.view()));
    }
    next.reindex();
    *this = std::move(next);
}

void Taxonomy::retire(Symbol id, Instant at) {
    const CategoryDef& c = existing(id, "category");
    if (c.retired)
        refuse(Errc::conflict, "category", fmt::format("\"{}\" is already retired", id.view()));
    CategoryDef& m = categories_[index_.at(id)];
    m.retired = true;
    m.retired_at = at;
}

void Taxonomy::merge(Symbol from, Symbol into, Instant at) {
    const CategoryDef& f = existing(from, "from");
    existing(into, "into");
    if (from == into)
        refuse(Errc::validation_failed, "into", "a category cannot merge into itself");
    if (within(into, from))
        refuse(Errc::validation_failed, "into",
               fmt::format("\"{}\" is below \"{}\"; merging would make a cycle", into.view(),
                           from.view()));
    if (f.retired)
        refuse(Errc::conflict, "from", fmt::format("\"{}\" is already retired", from.view()));
    if (is_retired(into))
        refuse(Errc::validation_failed, "into", fmt::format("\"{}\" is retired", into.view()));
    Taxonomy next = *this;
    for (Symbol child : children(from))
        next.move(child, into);  // checks that each child's kinds fit under `into`
    CategoryDef& m = next.categories_[next.index_.at(from)];
    m.retired = true;
    m.retired_at = at;
    m.merged_into = into;
    *this = std::move(next);
}

void Taxonomy::remove(Symbol id) {
    existing(id, "category");
    if (!is_leaf(id))
        refuse(Errc::conflict, "category",
               fmt::format("\"{}\" has subcategories; move or remove them first", id.view()));
    for (const auto& c : categories_)
        if (c.merged_into == id)
            refuse(
                Errc::conflict, "category",
                fmt::format("\"{}\" was merged into \"{}\"; it must stay", c.id.view(), id.view()));
    categories_.erase(categories_.begin() + static_cast<std::ptrdiff_t>(index_.at(id)));
    reindex();
}

ITSM_END_NAMESPACE
