// Engine: sequences every operation. Validate, build changed copies, record events, commit
// atomically, then notify observers outside the lock.
#include "itsm/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <shared_mutex>

#include "engine_impl.hpp"
#include "itsm/error.hpp"
#include "itsm/memory_store.hpp"
#include "validate.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

// Which engine, if any, this thread is delivering events for: an observer that calls the
// engine again must not deliver recursively (its events are queued and follow in order).
thread_local const void* delivering = nullptr;

}  // namespace

void Engine::Impl::deliver() {
    if (delivering == this) return;  // the outer delivery loop will pick the events up
    if (mutex.held_here()) return;   // inside a batch: delivered when it is kept
    if (observer_count.load(std::memory_order_acquire) == 0) {
        std::lock_guard q(queue_mutex);
        if (pending.empty()) return;
    }
    std::lock_guard d(deliver_mutex);
    delivering = this;
    for (;;) {
        Event e;
        {
            std::lock_guard q(queue_mutex);
            if (pending.empty()) break;
            e = std::move(pending.front());
            pending.pop_front();
        }
        std::vector<std::shared_ptr<Observer>> targets;
        {
            std::lock_guard o(observers_mutex);
            for (auto& [id, obs] : observers)
                targets.push_back(obs);
        }
        for (auto& obs : targets) {
            try {
                (*obs)(e);
            } catch (...) {
                // The commit stands whatever an observer does.
            }
        }
    }
    delivering = nullptr;
}

Engine::Engine(Schema schema)
    : Engine(std::make_shared<InMemoryStore>(), std::make_shared<SystemClock>(),
             std::move(schema)) {}

Engine::Engine(std::shared_ptr<Store> store, std::shared_ptr<const Clock> clock, Schema schema)
    : impl_(std::make_unique<Impl>()) {
    if (!store) throw Error(Errc::invalid_argument, "store", "must not be null");
    if (!clock) throw Error(Errc::invalid_argument, "clock", "must not be null");
    impl_->store = std::move(store);
    impl_->clock = std::move(clock);
    impl_->schema = std::move(schema);
    impl_->config_version = Symbol(impl_->store->config_version());
    impl_->attach_foreign();
}

Engine::~Engine() {
    impl_->detach_foreign();
}

const Schema& Engine::schema() const noexcept {
    return impl_->schema;
}
const Clock& Engine::clock() const noexcept {
    return *impl_->clock;
}

Ticket Engine::create(const Actor& actor, const NewTicket& in) {
    check_actor(actor.user);
    const Schema& schema = impl_->schema;
    Ticket t = validated_ticket(schema, in, actor.user);  // throws before anything is written
    Ticket result;
    {
        std::unique_lock lock(impl_->mutex);
        impl_->authorize_create(actor, t);
        Instant now = impl_->clock->now();
        impl_->check_new_category(t);
        impl_->place_new_ticket(t, in, now);
        auto [id, number] = impl_->store->allocate(t.kind);
        t.id = id;
        t.key = format_key(schema.kind(t.kind)->prefix, number);
        t.created = t.updated = now;
        t.version = 1;
        Event e = make_event(t.id, now, actor.user, EventType::created);
        e.text = t.key;
        Commit c;
        c.events.push_back(std::move(e));
        impl_->route_new(t, now, c.events);
        c.tickets.push_back({std::make_shared<const Ticket>(t), 0});
        impl_->commit(c);
        // The stored copy carries the SLA clocks; a user gets the view of it they may read.
        const TicketPtr& stored = c.tickets.front().ticket;
        result = actor.is_system() && !impl_->sla ? std::move(t) : *impl_->view(actor, stored);
    }
    impl_->deliver();
    return result;
}

Ticket Engine::get(const Actor& actor, TicketId id) const {
    return *get_shared(actor, id);
}

TicketPtr Engine::get_shared(const Actor& actor, TicketId id) const {
    check_actor(actor.user);
    std::shared_lock lock(impl_->mutex);
    return impl_->view(actor, impl_->load_readable(actor, id));
}

Ticket Engine::get_by_key(const Actor& actor, std::string_view key) const {
    check_actor(actor.user);
    TicketPtr t;
    {
        std::shared_lock lock(impl_->mutex);
        t = impl_->store->get_by_key(key);
        if (t && !impl_->may(actor, t.get(), "ticket.read")) t = nullptr;  // as if absent
        if (t) t = impl_->view(actor, std::move(t));
    }
    if (!t) throw Error(Errc::not_found, "key", fmt::format("no ticket {}", key));
    return *t;
}

void Engine::Impl::apply_patch(Ticket& t, const TicketPatch& p, Instant now, Symbol actor,
                               std::vector<Event>& events) const {
    auto changed = [&](std::string_view field, Value old_value, Value new_value,
                       std::string note = {}) {
        events.push_back(field_event(t, now, actor, Symbol(field), std::move(old_value),
                                     std::move(new_value), std::move(note)));
    };
    auto text_field = [&](std::string_view name, std::string& field,
                          const std::optional<std::string>& v, bool is_title) {
        if (!v) return;
        std::string value = is_title ? checked_title(*v) : checked_description(*v);
        if (value == field) return;
        changed(name, field, value);
        field = std::move(value);
    };
    text_field("title", t.title, p.title, true);
    text_field("description", t.description, p.description, false);

    int impact = p.impact.value_or(t.impact);
    int urgency = p.urgency.value_or(t.urgency);
    if (p.impact) schema.check_impact(impact);
    if (p.urgency) schema.check_urgency(urgency);
    if (impact != t.impact) changed("impact", std::int64_t{t.impact}, std::int64_t{impact});
    if (urgency != t.urgency) changed("urgency", std::int64_t{t.urgency}, std::int64_t{urgency});
    t.impact = static_cast<std::uint8_t>(impact);
    t.urgency = static_cast<std::uint8_t>(urgency);

    bool overridden = t.priority_overridden;
    int priority = t.priority;
    if (p.priority) {
        overridden = p.priority->has_value();
        if (overridden) {
            schema.check_priority(**p.priority);
            priority = **p.priority;
        }
    }
    if (!overridden) priority = schema.priority_matrix().priority(impact, urgency);
    if (priority != t.priority || overridden != t.priority_overridden)
        changed("priority", std::int64_t{t.priority}, std::int64_t{priority},
                overridden ? "override" : "matrix");
    t.priority = static_cast<std::uint8_t>(priority);
    t.priority_overridden = overridden;

    if (p.channel && *p.channel != t.channel) {
        changed("channel", std::string(to_string(t.channel)), std::string(to_string(*p.channel)));
        t.channel = *p.channel;
    }
    auto symbol_field = [&](std::string_view name, Symbol& field, const std::optional<Symbol>& v,
                            bool required) {
        if (!v || *v == field) return;
        check_symbol(name, *v, required);
        changed(name, field.str(), v->str());
        field = *v;
    };
    symbol_field("category", t.category, p.category, false);
    symbol_field("requester", t.requester, p.requester, true);
    symbol_field("assignee", t.assignee, p.assignee, false);
    symbol_field("assignment_group", t.assignment_group, p.assignment_group, false);
    symbol_field("segment", t.segment, p.segment, true);

    if (!p.add_tags.empty() || !p.remove_tags.empty()) {
        auto tags = t.tags;
        for (const auto& raw : p.remove_tags) {
            Symbol tag = checked_tag(raw, "remove_tags");
            tags.erase(std::remove(tags.begin(), tags.end(), tag), tags.end());
        }
        for (const auto& raw : p.add_tags) {
            Symbol tag = checked_tag(raw, "add_tags");
            if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
        }
        std::sort(tags.begin(), tags.end());
        if (tags != t.tags) {
            changed("tags", symbols_text(t.tags), symbols_text(tags));
            t.tags = std::move(tags);
        }
    }

    if (!p.add_watchers.empty() || !p.remove_watchers.empty()) {
        auto watchers = t.watchers;
        for (auto w : p.remove_watchers)
            watchers.erase(std::remove(watchers.begin(), watchers.end(), w), watchers.end());
        for (auto w : p.add_watchers) {
            check_symbol("add_watchers", w, true);
            if (std::find(watchers.begin(), watchers.end(), w) == watchers.end())
                watchers.push_back(w);
        }
        std::sort(watchers.begin(), watchers.end());
        if (watchers != t.watchers) {
            changed("watchers", symbols_text(t.watchers), symbols_text(watchers));
            t.watchers = std::move(watchers);
        }
    }

    std::vector<Symbol> seen;
    for (const auto& [name, value] : p.custom) {
        schema.check_custom(t.kind, name, value);
        check_custom_value(name, value);
        Symbol field = Symbol::find(name);
        if (std::find(seen.begin(), seen.end(), field) != seen.end())
            throw Error(Errc::validation_failed, "custom." + name, "given twice");
        seen.push_back(field);
        const Value* old = t.custom_value(field);
        Value before = old ? *old : Value{};
        if (before == value) continue;
        changed("custom." + name, before, value);
        set_custom(t, field, value);
    }
}

Ticket Engine::update(const Actor& actor, TicketId id, const TicketPatch& patch) {
    check_actor(actor.user);
    Ticket result;
    {
        std::unique_lock lock(impl_->mutex);
        TicketPtr current = impl_->load_readable(actor, id);
        impl_->check_version(*current, patch.expected_version, "update");
        Instant now = impl_->clock->now();
        Ticket next = *current;
        Commit c;
        impl_->apply_patch(next, patch, now, actor.user, c.events);
        if (c.events.empty()) return *impl_->view(actor, current);
        // The caller's own changes need the caller's rights; what routing then changes is
        // configuration acting, attributed to its rules.
        impl_->authorize_changes(actor, *current, next, c.events);
        impl_->after_patch(*current, next, now, c.events);
        next.updated = now;
        next.version = current->version + 1;
        c.tickets.push_back({std::make_shared<const Ticket>(next), current->version});
        impl_->requester_activity(actor.user, c, now);
        impl_->commit(c);
        result = *impl_->view(actor, c.tickets.front().ticket, current.get());
    }
    impl_->deliver();
    return result;
}

Comment Engine::comment(const Actor& actor, TicketId id, std::string_view text,
                        CommentVisibility visibility) {
    check_actor(actor.user);
    std::string body = checked_comment(text);
    Comment result;
    {
        std::unique_lock lock(impl_->mutex);
        TicketPtr current = impl_->load_readable(actor, id);
        impl_->authorize(
            actor, current.get(),
            visibility == CommentVisibility::work_note ? "comment.work_note" : "comment.public");
        Instant now = impl_->clock->now();
        auto next = std::make_shared<Ticket>(*current);
        next->updated = now;
        next->version = current->version + 1;
        Event e = make_event(
            id, now, actor.user,
            visibility == CommentVisibility::work_note ? EventType::work_note : EventType::comment);
        e.text = body;
        Commit c;
        c.tickets.push_back({std::move(next), current->version});
        c.events.push_back(std::move(e));
        impl_->requester_activity(actor.user, c, now);
        impl_->commit(c);
        result = Comment{c.events.front().seq, actor.user, now, visibility, std::move(body)};
    }
    impl_->deliver();
    return result;
}

std::vector<Comment> Engine::comments(const Actor& actor, TicketId id) const {
    check_actor(actor.user);
    std::vector<Event> events;
    {
        std::shared_lock lock(impl_->mutex);
        events = impl_->readable_events(actor, id, false);
    }
    std::vector<Comment> out;
    for (const auto& e : events) {
        if (e.type == EventType::comment)
            out.push_back({e.seq, e.actor, e.at, CommentVisibility::public_reply, e.text});
        else if (e.type == EventType::work_note)
            out.push_back({e.seq, e.actor, e.at, CommentVisibility::work_note, e.text});
    }
    return out;
}

void Engine::Impl::check_link(const Ticket& from, LinkType type, const Ticket& to) const {
    auto refuse = [&](std::string_view why) {
        throw Error(Errc::validation_failed, "link",
                    fmt::format("{} {} {}: {}", from.key, to_string(type), to.key, why));
    };
    for (const auto& l : from.links)
        if (l.type == type && l.other == to.id)
            throw Error(Errc::conflict, "link",
                        fmt::format("{} is already {} {}", from.key, to_string(type), to.key));
    // Follows the single-valued chain (parent, original) upwards from `start`.
    auto chain_reaches = [&](const Ticket& start, LinkType up, TicketId target) {
        TicketPtr cur;
        const Ticket* t = &start;
        for (std::size_t steps = 0; steps <= store->size(); ++steps) {
            if (t->id == target) return true;
            auto next = std::find_if(t->links.begin(), t->links.end(),
                                     [&](const Link& l) { return l.type == up; });
            if (next == t->links.end()) return false;
            cur = load(next->other);
            t = cur.get();
        }
        return true;  // a longer chain than there are tickets can only be a loop
    };
    switch (type) {
        case LinkType::child_of:
            if (from.parent()) refuse(fmt::format("it already has parent {}", *from.parent()));
            if (chain_reaches(to, LinkType::child_of, from.id))
                refuse("the parent is already below it (a parent/child cycle)");
            break;
        case LinkType::duplicate_of:
            for (const auto& l : from.links)
                if (l.type == LinkType::duplicate_of) refuse("it is already a duplicate");
            if (chain_reaches(to, LinkType::duplicate_of, from.id)) refuse("a duplicate cycle");
            break;
        case LinkType::caused_by:
            if (from.kind != "incident") refuse("only an incident is caused by a problem");
            if (to.kind != "problem") refuse("the cause must be a problem");
            break;
        case LinkType::resolved_by_change:
            if (from.kind != "incident" && from.kind != "problem")
                refuse("only an incident or a problem is resolved by a change");
            if (to.kind != "change") refuse("the resolving ticket must be a change");
            break;
        default:
            break;
    }
}

namespace {

// Every link has a canonical side (child_of rather than parent_of, ...), so one rule set
// checks both spellings.
bool is_canonical(LinkType t) {
    return t == LinkType::child_of || t == LinkType::duplicate_of || t == LinkType::related ||
           t == LinkType::caused_by || t == LinkType::resolved_by_change;
}

}  // namespace

// Adds or removes one link on both of its tickets: one event and one version step each,
// committed together.
void Engine::Impl::commit_link(Symbol actor, const TicketPtr& a, const TicketPtr& b, LinkType type,
                               bool add) {
    Instant now = clock->now();
    Commit c;
    for (auto [self, link] :
         {std::pair{a, Link{type, b->id}}, std::pair{b, Link{inverse(type), a->id}}}) {
        auto next = std::make_shared<Ticket>(*self);
        auto& links = next->links;
        if (add)
            links.push_back(link);
        else
            links.erase(std::remove(links.begin(), links.end(), link), links.end());
        next->updated = now;
        next->version = self->version + 1;
        Event e =
            make_event(self->id, now, actor, add ? EventType::link_added : EventType::link_removed);
        e.link = link;
        c.tickets.push_back({std::move(next), self->version});
        c.events.push_back(std::move(e));
    }
    commit(c);
}

void Engine::link(const Actor& actor, TicketId from, LinkType type, TicketId to) {
    check_actor(actor.user);
    if (!is_canonical(type)) return link(actor, to, inverse(type), from);
    if (from == to)
        throw Error(Errc::validation_failed, "link",
                    fmt::format("ticket {} cannot link to itself", from));
    {
        std::unique_lock lock(impl_->mutex);
        TicketPtr a = impl_->load_readable(actor, from, "from");
        TicketPtr b = impl_->load_readable(actor, to, "to");
        impl_->authorize(actor, a.get(), "ticket.link");
        impl_->authorize(actor, b.get(), "ticket.link");
        impl_->check_link(*a, type, *b);
        impl_->commit_link(actor.user, a, b, type, true);
    }
    impl_->deliver();
}

void Engine::unlink(const Actor& actor, TicketId from, LinkType type, TicketId to) {
    check_actor(actor.user);
    {
        std::unique_lock lock(impl_->mutex);
        TicketPtr a = impl_->load_readable(actor, from, "from");
        TicketPtr b = impl_->load_readable(actor, to, "to");
        impl_->authorize(actor, a.get(), "ticket.link");
        impl_->authorize(actor, b.get(), "ticket.link");
        Link forward{type, to};
        if (std::find(a->links.begin(), a->links.end(), forward) == a->links.end())
            throw Error(Errc::not_found, "link",
                        fmt::format("{} is not {} {}", a->key, to_string(type), b->key));
        impl_->commit_link(actor.user, a, b, type, false);
    }
    impl_->deliver();
}

Page Engine::query(const Actor& actor, const Query& q, std::size_t* total) const {
    check_actor(actor.user);
    validate_query(q);
    std::shared_lock lock(impl_->mutex);
    return impl_->visible_query(actor, q, total);
}

std::size_t Engine::count(const Actor& actor, const Query& q) const {
    check_actor(actor.user);
    validate_query(q);
    std::shared_lock lock(impl_->mutex);
    return impl_->visible_count(actor, q);
}

std::vector<Event> Engine::history(const Actor& actor, TicketId id) const {
    check_actor(actor.user);
    std::shared_lock lock(impl_->mutex);
    return impl_->readable_events(actor, id, true);
}

void Engine::set_directory(const Actor& actor, Directory directory) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.grants");
    impl_->replace_directory(std::move(directory));
}

Directory Engine::directory() const {
    std::shared_lock lock(impl_->mutex);
    return impl_->directory;
}

std::uint64_t Engine::subscribe(Observer observer) {
    if (!observer) throw Error(Errc::invalid_argument, "observer", "must not be empty");
    std::lock_guard o(impl_->observers_mutex);
    auto id = impl_->next_subscription++;
    impl_->observers.emplace_back(id, std::make_shared<Observer>(std::move(observer)));
    impl_->observer_count.store(impl_->observers.size(), std::memory_order_release);
    return id;
}

void Engine::unsubscribe(std::uint64_t subscription) {
    std::lock_guard o(impl_->observers_mutex);
    auto& obs = impl_->observers;
    auto it =
        std::find_if(obs.begin(), obs.end(), [&](auto& p) { return p.first == subscription; });
    if (it == obs.end())
        throw Error(Errc::not_found, "subscription",
                    fmt::format("no subscription {}", subscription));
    obs.erase(it);
    impl_->observer_count.store(obs.size(), std::memory_order_release);
}

ITSM_END_NAMESPACE
