// Request bodies from JSON text (the records are written in json_write.cpp).
#include "itsm/json.hpp"

#include "itsm/error.hpp"
#include "json_quick.hpp"
#include "json_reader.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

using detail::json;
using detail::JsonReader;

// Request-body reading: every error names the JSON path.
class BodyReader {
  public:
    explicit BodyReader(const Schema* schema) : schema_(schema) {}

    std::string text(const json& j, const std::string& path) const { return r_.string(j, path); }
    int small_int(const json& j, const std::string& path) const {
        long long v = r_.integer(j, path);
        if (v < -1000000 || v > 1000000) r_.fail(path, "is out of range");
        return static_cast<int>(v);
    }
    Symbol symbol(const json& j, const std::string& path) const {
        if (j.is_null()) return Symbol{};
        return Symbol(r_.string(j, path));
    }
    Channel channel(const json& j, const std::string& path) const {
        auto c = channel_from_string(r_.string(j, path));
        if (!c)
            r_.fail(path, fmt::format("unknown channel \"{}\" (portal, email, phone, chat, "
                                      "walk_in, monitoring, self_service)",
                                      j.get<std::string>()));
        return *c;
    }
    std::vector<std::string> strings(const json& j, const std::string& path) const {
        std::vector<std::string> out;
        r_.array(j, path);
        for (std::size_t i = 0; i < j.size(); ++i)
            out.push_back(r_.string(j[i], JsonReader::index(path, i)));
        return out;
    }
    std::vector<Symbol> symbols(const json& j, const std::string& path) const {
        std::vector<Symbol> out;
        r_.array(j, path);
        for (std::size_t i = 0; i < j.size(); ++i)
            out.push_back(symbol(j[i], JsonReader::index(path, i)));
        return out;
    }
    Instant instant(const json& j, const std::string& path) const {
        std::string s = r_.string(j, path);
        try {
            return parse_instant(s);
        } catch (const Error& e) {
            r_.fail(path, e.what());
        }
    }
    // Custom values are typed by the schema; a value of the wrong type is a broken rule
    // (validation_failed), like the same mistake made through the C++ API.
    std::vector<std::pair<std::string, Value>> custom(const json& j,
                                                      const std::string& path) const {
        r_.object(j, path);
        std::vector<std::pair<std::string, Value>> out;
        for (auto it = j.begin(); it != j.end(); ++it) {
            std::string where = "custom." + it.key();
            const CustomFieldDef* def = schema_->custom_field(Symbol::find(it.key()));
            if (!def) throw Error(Errc::validation_failed, where, "unknown custom field");
            const json& v = it.value();
            Value value;
            bool ok = true;
            if (!v.is_null()) {
                switch (def->type) {
                    case FieldType::text:
                    case FieldType::choice:
                        ok = v.is_string();
                        if (ok) value = v.get<std::string>();
                        break;
                    case FieldType::integer:
                        ok = v.is_number_integer();
                        if (ok) value = v.get<std::int64_t>();
                        break;
                    case FieldType::boolean:
                        ok = v.is_boolean();
                        if (ok) value = v.get<bool>();
                        break;
                    case FieldType::instant:
                        ok = v.is_string();
                        if (ok) {
                            try {
                                value = parse_instant(v.get<std::string>());
                            } catch (const Error& e) {
                                throw Error(Errc::validation_failed, where, e.what());
                            }
                        }
                        break;
                }
            }
            if (!ok)
                throw Error(Errc::validation_failed, where,
                            fmt::format("expected a value of type {}", to_string(def->type)));
            out.emplace_back(it.key(), std::move(value));
        }
        return out;
    }
    const JsonReader& reader() const { return r_; }

  private:
    JsonReader r_{Errc::invalid_argument};
    const Schema* schema_;
};

}  // namespace

// Bodies are read quickly when they are plain, and by the document readers below otherwise
// (they define what a body means and word the errors; see json_quick.hpp).
NewTicket new_ticket_from_json(std::string_view text, const Schema& schema) {
    if (auto t = detail::quick_new_ticket(text, schema)) return std::move(*t);
    return detail::new_ticket_from_document(text, schema);
}

TicketPatch patch_from_json(std::string_view text, const Schema& schema) {
    if (auto p = detail::quick_patch(text, schema)) return std::move(*p);
    return detail::patch_from_document(text, schema);
}

NewTicket detail::new_ticket_from_document(std::string_view text, const Schema& schema) {
    BodyReader b(&schema);
    const auto& r = b.reader();
    json doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "",
           {"kind", "model", "state", "title", "description", "impact", "urgency", "priority",
            "channel", "category", "requester", "assignee", "assignment_group", "segment", "tags",
            "watchers", "custom"});
    NewTicket t;
    if (!doc.contains("kind")) r.fail("kind", "missing");
    if (!doc.contains("title")) r.fail("title", "missing");
    t.kind = b.symbol(doc["kind"], "kind");
    if (doc.contains("model")) t.model = b.symbol(doc["model"], "model");
    if (doc.contains("state")) t.state = b.symbol(doc["state"], "state");
    t.title = b.text(doc["title"], "title");
    if (doc.contains("description")) t.description = b.text(doc["description"], "description");
    if (doc.contains("impact")) t.impact = b.small_int(doc["impact"], "impact");
    if (doc.contains("urgency")) t.urgency = b.small_int(doc["urgency"], "urgency");
    if (doc.contains("priority") && !doc["priority"].is_null())
        t.priority = b.small_int(doc["priority"], "priority");
    if (doc.contains("channel")) t.channel = b.channel(doc["channel"], "channel");
    if (doc.contains("category")) t.category = b.symbol(doc["category"], "category");
    if (doc.contains("requester")) t.requester = b.symbol(doc["requester"], "requester");
    if (doc.contains("assignee")) t.assignee = b.symbol(doc["assignee"], "assignee");
    if (doc.contains("assignment_group"))
        t.assignment_group = b.symbol(doc["assignment_group"], "assignment_group");
    if (doc.contains("segment")) t.segment = b.symbol(doc["segment"], "segment");
    if (doc.contains("tags")) t.tags = b.strings(doc["tags"], "tags");
    if (doc.contains("watchers")) t.watchers = b.symbols(doc["watchers"], "watchers");
    if (doc.contains("custom")) t.custom = b.custom(doc["custom"], "custom");
    return t;
}

TicketPatch detail::patch_from_document(std::string_view text, const Schema& schema) {
    BodyReader b(&schema);
    const auto& r = b.reader();
    json doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "",
           {"title", "description", "impact", "urgency", "priority", "channel", "category",
            "requester", "assignee", "assignment_group", "segment", "add_tags", "remove_tags",
            "add_watchers", "remove_watchers", "custom", "version"});
    TicketPatch p;
    if (doc.contains("title")) p.title = b.text(doc["title"], "title");
    if (doc.contains("description")) p.description = b.text(doc["description"], "description");
    if (doc.contains("impact")) p.impact = b.small_int(doc["impact"], "impact");
    if (doc.contains("urgency")) p.urgency = b.small_int(doc["urgency"], "urgency");
    if (doc.contains("priority"))
        p.priority = doc["priority"].is_null()
                         ? std::optional<int>{}
                         : std::optional<int>{b.small_int(doc["priority"], "priority")};
    if (doc.contains("channel")) p.channel = b.channel(doc["channel"], "channel");
    if (doc.contains("category")) p.category = b.symbol(doc["category"], "category");
    if (doc.contains("requester")) p.requester = b.symbol(doc["requester"], "requester");
    if (doc.contains("assignee")) p.assignee = b.symbol(doc["assignee"], "assignee");
    if (doc.contains("assignment_group"))
        p.assignment_group = b.symbol(doc["assignment_group"], "assignment_group");
    if (doc.contains("segment")) p.segment = b.symbol(doc["segment"], "segment");
    if (doc.contains("add_tags")) p.add_tags = b.strings(doc["add_tags"], "add_tags");
    if (doc.contains("remove_tags")) p.remove_tags = b.strings(doc["remove_tags"], "remove_tags");
    if (doc.contains("add_watchers"))
        p.add_watchers = b.symbols(doc["add_watchers"], "add_watchers");
    if (doc.contains("remove_watchers"))
        p.remove_watchers = b.symbols(doc["remove_watchers"], "remove_watchers");
    if (doc.contains("custom")) p.custom = b.custom(doc["custom"], "custom");
    if (doc.contains("version")) {
        long long v = r.integer(doc["version"], "version");
        if (v < 1) r.fail("version", "must be 1 or more");
        p.expected_version = static_cast<std::uint64_t>(v);
    }
    return p;
}

Query query_from_json(std::string_view text) {
    BodyReader b(nullptr);
    const auto& r = b.reader();
    json doc = r.parse(text, "(document)");
    r.object(doc, "");
    r.only(doc, "",
           {"kinds",        "states",         "segments",     "assignees",      "groups",
            "requesters",   "categories",     "tags",         "priority_min",   "priority_max",
            "created_from", "created_before", "updated_from", "updated_before", "sla_breached",
            "due_before",   "sort",           "descending",   "limit",          "cursor"});
    Query q;
    auto list = [&](const char* name, std::vector<Symbol>& out) {
        if (doc.contains(name)) out = b.symbols(doc[name], name);
    };
    list("kinds", q.kinds);
    list("states", q.states);
    list("segments", q.segments);
    list("assignees", q.assignees);
    list("groups", q.groups);
    list("requesters", q.requesters);
    list("categories", q.categories);
    if (doc.contains("tags"))
        for (const auto& t : b.strings(doc["tags"], "tags"))
            q.tags.emplace_back(normalize_tag(t));
    if (doc.contains("priority_min"))
        q.priority_min = b.small_int(doc["priority_min"], "priority_min");
    if (doc.contains("priority_max"))
        q.priority_max = b.small_int(doc["priority_max"], "priority_max");
    auto instant = [&](const char* name, std::optional<Instant>& out) {
        if (doc.contains(name)) out = b.instant(doc[name], name);
    };
    instant("created_from", q.created_from);
    instant("created_before", q.created_before);
    instant("updated_from", q.updated_from);
    instant("updated_before", q.updated_before);
    instant("due_before", q.due_before);
    if (doc.contains("sla_breached"))
        q.sla_breached = r.boolean(doc["sla_breached"], "sla_breached");
    if (doc.contains("sort")) {
        std::string s = r.string(doc["sort"], "sort");
        auto k = sort_key_from_string(s);
        if (!k)
            r.fail("sort", fmt::format("unknown sort \"{}\" (updated, created, priority, due)", s));
        q.sort = *k;
    }
    if (doc.contains("descending")) q.descending = r.boolean(doc["descending"], "descending");
    if (doc.contains("limit")) {
        long long l = r.integer(doc["limit"], "limit");
        if (l < 1 || l > 1000) r.fail("limit", fmt::format("{} is outside 1..1000", l));
        q.limit = static_cast<std::size_t>(l);
    }
    if (doc.contains("cursor") && !doc["cursor"].is_null())
        q.cursor = r.string(doc["cursor"], "cursor");
    return q;
}

ITSM_END_NAMESPACE
