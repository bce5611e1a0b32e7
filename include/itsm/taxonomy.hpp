// Taxonomy: the category tree tickets are filed under. Categories have stable ids (tickets
// and events store the id, never the name), a display name with its history, a parent, the
// kinds and segments that may use them, and a lifecycle (rename, move, retire, merge).
// Pure data and rules: no storage, no clock (changes take the instant from the caller).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "itsm/symbol.hpp"
#include "itsm/time.hpp"
#include "itsm/version.hpp"

ITSM_BEGIN_NAMESPACE

class Schema;

// A name a category had before a rename: in use until `until` (exclusive).
struct FormerName {
    std::string name;
    Instant until{};
    friend bool operator==(const FormerName&, const FormerName&) = default;
};

struct CategoryDef {
    Symbol id;                     // stable: a-z A-Z 0-9 _ - . (1 to 64 bytes)
    std::string name;              // current display name
    Symbol parent;                 // empty for a root
    std::vector<Symbol> kinds;     // kinds that may use it; empty: as the parent (root: all)
    std::vector<Symbol> segments;  // segments that may use it; empty: as the parent (all)
    bool retired = false;          // kept for existing tickets, refused on new choices
    std::optional<Instant> retired_at;
    Symbol merged_into;                    // set when a merge retired it
    std::vector<FormerName> former_names;  // oldest first
    friend bool operator==(const CategoryDef&, const CategoryDef&) = default;
};

// Tickets filed under a category or below it (reports and metrics).
struct CategoryCount {
    Symbol id;
    std::string path;        // current names
    std::size_t total = 0;   // in the subtree
    std::size_t open = 0;    // in the subtree and still open
    std::size_t direct = 0;  // on the category itself
};

struct TagCount {
    Symbol tag;
    std::size_t count = 0;
};

// [{"id", "path", "total", "open", "direct"}] and [{"tag", "count"}], in the given order.
std::string to_json(const std::vector<CategoryCount>& counts);
std::string to_json(const std::vector<TagCount>& counts);

class Taxonomy {
  public:
    // Builder: adds one category; its parent must already be present. Throws
    // Error(invalid_config) naming "categories.<id>[.member]": a bad or duplicate id, an
    // empty name, an unknown parent, kinds or segments the parent does not allow.
    Taxonomy& add(CategoryDef category);
    // Only leaves may be chosen for a ticket (a parent is then only a folder).
    Taxonomy& set_leaf_only(bool leaf_only);

    // {"leaf_only": bool, "categories": [{"id", "name", "parent", "kinds", "segments",
    // "retired", "retired_at", "merged_into", "former_names": [{"name", "until"}]}]}.
    // Entries may come in any order. Refused whole with Errc::invalid_config naming the
    // JSON path (unknown parent, cycle, duplicate id, unknown kind when `schema` is given).
    static Taxonomy from_json(std::string_view json_text, const Schema* schema = nullptr);
    std::string to_json() const;
    // Throws Error(invalid_config) "categories.<id>.kinds" for a kind the schema lacks.
    void check_kinds(const Schema& schema) const;

    bool leaf_only() const noexcept { return leaf_only_; }
    bool empty() const noexcept { return categories_.empty(); }
    // In an order where every parent comes before its children.
    const std::vector<CategoryDef>& categories() const noexcept { return categories_; }
    const CategoryDef* find(Symbol id) const noexcept;
    std::vector<Symbol> children(Symbol id) const;
    bool is_leaf(Symbol id) const noexcept;
    // `id` and every category below it, parents before children.
    std::vector<Symbol> subtree(Symbol id) const;
    // Whether `id` is `ancestor` or lies below it.
    bool within(Symbol id, Symbol ancestor) const noexcept;
    // "Hardware > Laptop > Battery" with the current names; "" for an unknown id.
    std::string path(Symbol id, std::string_view separator = " > ") const;
    // The name (or path) as it was at `at`, through the rename history.
    std::string name_at(Symbol id, Instant at) const;
    std::string path_at(Symbol id, Instant at, std::string_view separator = " > ") const;
    // Retired itself or below a retired category.
    bool is_retired(Symbol id) const noexcept;
    bool allowed_for(Symbol id, Symbol kind, Symbol segment) const noexcept;
    // A category chosen for a ticket: throws Error(validation_failed, "category") when it is
    // unknown, retired, not allowed for the kind or segment, or not a leaf under leaf_only.
    void check_choice(Symbol id, Symbol kind, Symbol segment) const;

    // Lifecycle. Each throws (not_found for an unknown id, validation_failed for a change
    // the tree cannot take, conflict for a state clash) and then changes nothing.
    void rename(Symbol id, std::string name, Instant at);
    void move(Symbol id, Symbol new_parent);  // empty new_parent: make it a root
    void retire(Symbol id, Instant at);
    // Moves `from`'s children under `into`, then retires `from` as merged into `into`.
    // Re-pointing tickets is the engine's part.
    void merge(Symbol from, Symbol into, Instant at);
    // Deletes a leaf (the engine first checks that no ticket uses it).
    void remove(Symbol id);

  private:
    Taxonomy& add_at(CategoryDef category, const std::string& where);
    void reindex();
    const CategoryDef& existing(Symbol id, std::string_view where) const;
    std::vector<CategoryDef> categories_;
    std::unordered_map<Symbol, std::size_t> index_;
    bool leaf_only_ = false;
};

ITSM_END_NAMESPACE
