// The JSON form of a taxonomy. Entries may come in any order: parents are resolved over the
// whole document, then the tree is built parents first, with every error on its JSON path.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "itsm/error.hpp"
#include "itsm/schema.hpp"
#include "itsm/taxonomy.hpp"
#include "json_reader.hpp"
#include "taxonomy_detail.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using detail::json;
using detail::JsonReader;

std::vector<Symbol> symbol_list(const JsonReader& r, const json& obj, const std::string& path,
                                const char* key) {
    std::vector<Symbol> out;
    if (!obj.contains(key)) return out;
    std::string p = JsonReader::child(path, key);
    const auto& arr = r.array(obj[key], p);
    for (std::size_t i = 0; i < arr.size(); ++i)
        out.emplace_back(r.string(arr[i], JsonReader::index(p, i)));
    return out;
}

Instant instant_at(const JsonReader& r, const json& j, const std::string& path) {
    std::string text = r.string(j, path);
    try {
        return parse_instant(text);
    } catch (const Error&) {
        r.fail(path, fmt::format("\"{}\" is not an instant", text));
    }
}

CategoryDef read_entry(const JsonReader& r, const json& c, const std::string& p) {
    r.object(c, p);
    r.only(c, p,
           {"id", "name", "parent", "kinds", "segments", "retired", "retired_at", "merged_into",
            "former_names"});
    CategoryDef d;
    for (const char* required : {"id", "name"})
        if (!c.contains(required)) r.fail(JsonReader::child(p, required), "missing");
    d.id = Symbol(r.string(c["id"], JsonReader::child(p, "id")));
    d.name = r.string(c["name"], JsonReader::child(p, "name"));
    if (c.contains("parent") && !c["parent"].is_null())
        d.parent = Symbol(r.string(c["parent"], JsonReader::child(p, "parent")));
    d.kinds = symbol_list(r, c, p, "kinds");
    d.segments = symbol_list(r, c, p, "segments");
    if (c.contains("retired")) d.retired = r.boolean(c["retired"], JsonReader::child(p, "retired"));
    if (c.contains("retired_at") && !c["retired_at"].is_null())
        d.retired_at = instant_at(r, c["retired_at"], JsonReader::child(p, "retired_at"));
    if (c.contains("merged_into") && !c["merged_into"].is_null())
        d.merged_into = Symbol(r.string(c["merged_into"], JsonReader::child(p, "merged_into")));
    if (c.contains("former_names")) {
        std::string fp = JsonReader::child(p, "former_names");
        const auto& arr = r.array(c["former_names"], fp);
        for (std::size_t i = 0; i < arr.size(); ++i) {
            std::string ip = JsonReader::index(fp, i);
            r.object(arr[i], ip);
            r.only(arr[i], ip, {"name", "until"});
            if (!arr[i].contains("name") || !arr[i].contains("until"))
                r.fail(ip, "needs \"name\" and \"until\"");
            d.former_names.push_back(
                {r.string(arr[i]["name"], JsonReader::child(ip, "name")),
                 instant_at(r, arr[i]["until"], JsonReader::child(ip, "until"))});
        }
    }
    return d;
}

// Refuses a parent chain that comes back to where it started, naming the loop.
void check_cycles(const JsonReader& r, const std::vector<CategoryDef>& defs,
                  const std::unordered_map<Symbol, std::size_t>& at) {
    for (std::size_t i = 0; i < defs.size(); ++i) {
        std::vector<std::string_view> chain{defs[i].id.view()};
        Symbol cur = defs[i].parent;
        for (std::size_t steps = 0; !cur.empty() && steps <= defs.size(); ++steps) {
            chain.push_back(cur.view());
            if (cur == defs[i].id)
                r.fail(JsonReader::child(JsonReader::index("categories", i), "parent"),
                       fmt::format("a cycle: {}", fmt::join(chain, " > ")));
            cur = defs[at.at(cur)].parent;
        }
    }
}

}  // namespace

Taxonomy Taxonomy::from_json(std::string_view text, const Schema* schema) {
    JsonReader r(Errc::invalid_config);
    auto doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "", {"leaf_only", "categories"});
    Taxonomy t;
    if (doc.contains("leaf_only")) t.leaf_only_ = r.boolean(doc["leaf_only"], "leaf_only");
    std::vector<CategoryDef> defs;
    std::unordered_map<Symbol, std::size_t> at;
    if (doc.contains("categories")) {
        const auto& arr = r.array(doc["categories"], "categories");
        for (std::size_t i = 0; i < arr.size(); ++i) {
            std::string p = JsonReader::index("categories", i);
            defs.push_back(read_entry(r, arr[i], p));
            if (!at.emplace(defs.back().id, i).second)
                r.fail(p + ".id",
                       fmt::format("duplicate category id \"{}\"", defs.back().id.view()));
        }
    }
    auto path_of = [](std::size_t i) { return JsonReader::index("categories", i); };
    for (std::size_t i = 0; i < defs.size(); ++i) {
        for (Symbol ref : {defs[i].parent, defs[i].merged_into})
            if (!ref.empty() && !at.count(ref))
                r.fail(path_of(i) + (ref == defs[i].parent ? ".parent" : ".merged_into"),
                       fmt::format("unknown category \"{}\"", ref.view()));
        if (schema)
            for (std::size_t k = 0; k < defs[i].kinds.size(); ++k)
                if (!schema->kind(defs[i].kinds[k]))
                    r.fail(fmt::format("{}.kinds[{}]", path_of(i), k),
                           fmt::format("unknown kind \"{}\"", defs[i].kinds[k].view()));
    }
    check_cycles(r, defs, at);
    // Parents first; siblings keep the document's order.
    std::vector<bool> placed(defs.size(), false);
    for (std::size_t done = 0; done < defs.size();)
        for (std::size_t i = 0; i < defs.size(); ++i)
            if (!placed[i] && (defs[i].parent.empty() || t.find(defs[i].parent))) {
                t.add_at(defs[i], path_of(i));
                placed[i] = true;
                ++done;
            }
    t.reindex();
    return t;
}

std::string Taxonomy::to_json() const {
    auto names = [](const std::vector<Symbol>& v) {
        std::vector<std::string> out;
        for (auto s : v)
            out.push_back(s.str());
        return out;
    };
    auto symbol = [](Symbol s) { return s.empty() ? json(nullptr) : json(s.str()); };
    json cats = json::array();
    for (const auto& c : categories_) {
        json former = json::array();
        for (const auto& f : c.former_names)
            former.push_back({{"name", f.name}, {"until", format_instant(f.until)}});
        cats.push_back(
            {{"id", c.id.str()},
             {"name", c.name},
             {"parent", symbol(c.parent)},
             {"kinds", names(c.kinds)},
             {"segments", names(c.segments)},
             {"retired", c.retired},
             {"retired_at", c.retired_at ? json(format_instant(*c.retired_at)) : json(nullptr)},
             {"merged_into", symbol(c.merged_into)},
             {"former_names", former}});
    }
    return json{{"leaf_only", leaf_only_}, {"categories", cats}}.dump(2);
}

void Taxonomy::check_kinds(const Schema& schema) const {
    for (const auto& c : categories_)
        for (auto k : c.kinds)
            if (!schema.kind(k))
                throw Error(Errc::invalid_config, "categories." + c.id.str() + ".kinds",
                            fmt::format("unknown kind \"{}\"", k.view()));
}

std::string to_json(const std::vector<CategoryCount>& counts) {
    json out = json::array();
    for (const auto& c : counts)
        out.push_back({{"id", c.id.str()},
                       {"path", c.path},
                       {"total", c.total},
                       {"open", c.open},
                       {"direct", c.direct}});
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string to_json(const std::vector<TagCount>& counts) {
    json out = json::array();
    for (const auto& c : counts)
        out.push_back({{"tag", c.tag.str()}, {"count", c.count}});
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

ITSM_END_NAMESPACE
