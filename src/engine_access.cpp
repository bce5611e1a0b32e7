// Engine members for access control: the checks every operation makes, the visibility
// compiled into queries, and the policy's setters and explanations.
#include <fmt/format.h>

#include <algorithm>

#include "engine_impl.hpp"
#include "itsm/access.hpp"
#include "validate.hpp"

ITSM_BEGIN_NAMESPACE

std::optional<std::string> Engine::Impl::refusal(const Actor& actor, const Ticket* ticket,
                                                 std::string_view permission) const {
    if (may(actor, ticket, permission)) return std::nullopt;
    if (!access) return std::string("no access policy is set: only the system may act");
    return access->explain(actor.user, ticket, permission).reason;
}

std::vector<Symbol> Engine::Impl::holders_of(Symbol role, Symbol segment) const {
    return access ? access->holders_of(role, segment) : std::vector<Symbol>{};
}

TicketPtr Engine::Impl::load_readable(const Actor& actor, TicketId id,
                                      std::string_view what) const {
    auto t = store->get(id);
    // Same error, same text as an absent ticket: existence must not leak across segments.
    if (!t || !may(actor, t.get(), "ticket.read"))
        throw Error(Errc::not_found, std::string(what), fmt::format("no ticket {}", id));
    return t;
}

void Engine::Impl::authorize_create(const Actor& actor, const Ticket& t) const {
    if (access && !access->is_declared(t.segment))
        throw Error(Errc::validation_failed, "segment",
                    fmt::format("\"{}\" is not a segment of the access policy", t.segment.view()));
    authorize(actor, &t, "ticket.create");
}

void Engine::Impl::authorize_changes(const Actor& actor, const Ticket& before, const Ticket& after,
                                     const std::vector<Event>& changes) const {
    if (actor.is_system()) return;
    bool rated = false;  // impact or urgency changed: a matrix priority follows from them
    for (const auto& e : changes)
        rated = rated || e.field == "impact" || e.field == "urgency";
    std::vector<std::string_view> checked;
    for (const auto& e : changes) {
        std::string_view group = field_group(e.field.view());
        if (group == "priority" && rated && e.text == "matrix") continue;
        if (std::find(checked.begin(), checked.end(), group) != checked.end()) continue;
        checked.push_back(group);
        if (group == "assignee" || group == "assignment_group") {
            authorize(actor, &before, "ticket.assign");
            continue;
        }
        std::string specific = fmt::format("ticket.update.{}", group);
        if (!may(actor, &before, "ticket.update") && !may(actor, &before, specific))
            throw Error(
                Errc::permission_denied, specific,
                *refusal(actor, &before, "ticket.update") + fmt::format(" (nor {})", specific));
    }
    if (after.segment != before.segment) authorize_create(actor, after);
}

std::vector<Event> Engine::Impl::readable_events(const Actor& actor, TicketId id,
                                                 bool whole_history) const {
    TicketPtr t = load_readable(actor, id);
    if (whole_history) authorize(actor, t.get(), "history.read");
    auto events = store->history(id);
    if (!may(actor, t.get(), "work_notes.read"))
        events.erase(std::remove_if(events.begin(), events.end(),
                                    [](const Event& e) { return e.type == EventType::work_note; }),
                     events.end());
    return events;
}

Query Engine::Impl::restricted(const Actor& actor, const Query& q) const {
    Query v = q;
    if (actor.is_system())
        v.visibility = nullptr;
    else if (!access)
        v.visibility = std::make_shared<Visibility>();  // nothing is visible
    else
        v.visibility = access->visibility(actor.user);
    return v;
}

void Engine::Impl::replace_directory(Directory d) {
    std::shared_ptr<const AccessControl> compiled;
    if (access) compiled = std::make_shared<AccessControl>(access->policy(), d);
    directory = std::move(d);
    if (compiled) access = std::move(compiled);
}

void Engine::set_access(const Actor& actor, AccessPolicy policy) {
    check_actor(actor.user);
    std::unique_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.grants");
    policy.check_principals(impl_->directory);
    impl_->access = std::make_shared<AccessControl>(std::move(policy), impl_->directory);
}

AccessPolicy Engine::access_policy() const {
    std::shared_lock lock(impl_->mutex);
    return impl_->access ? impl_->access->policy() : AccessPolicy{};
}

namespace {

void check_permission_name(std::string_view permission) {
    if (!is_valid_permission(permission))
        throw Error(Errc::invalid_argument, "permission",
                    fmt::format("unknown permission \"{}\"", permission));
}

}  // namespace

Explanation Engine::explain(const Actor& actor, TicketId id, std::string_view permission) const {
    check_actor(actor.user);
    check_permission_name(permission);
    std::shared_lock lock(impl_->mutex);
    TicketPtr t = impl_->load_readable(actor, id);
    if (actor.is_system())
        return {{true, true, -1, Relationship::none}, "allowed: the system acts"};
    return impl_->access->explain(actor.user, t.get(), permission);
}

Explanation Engine::explain_for(const Actor& actor, Symbol user, TicketId id,
                                std::string_view permission) const {
    check_actor(actor.user);
    check_actor(user);
    check_permission_name(permission);
    std::shared_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.grants");
    TicketPtr t = impl_->load(id);
    if (!impl_->access) return {{}, "denied: no access policy is set"};
    return impl_->access->explain(user, t.get(), permission);
}

ITSM_END_NAMESPACE
