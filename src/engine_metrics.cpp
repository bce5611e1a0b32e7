// Engine members for service metrics: a report replays the events of every ticket the actor
// may read (docs/metrics.md), and the scorecard targets reports are scored against.
#include <mutex>
#include <shared_mutex>

#include "engine_impl.hpp"
#include "itsm/metrics.hpp"
#include "itsm/taxonomy.hpp"
#include "validate.hpp"

ITSM_BEGIN_NAMESPACE

namespace {
constexpr std::size_t metrics_page = 1000;  // the largest page a query allows
}

MetricsReport Engine::metrics(const Actor& actor, const MetricsQuery& query) const {
    check_actor(actor.user);
    query.validate();
    // Read before taking the lock: taxonomy() takes it itself.
    Taxonomy taxonomy = this->taxonomy();
    std::shared_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "metrics.read");
    MetricsContext context;
    context.workflows = impl_->workflows.get();
    context.taxonomy = taxonomy.empty() ? nullptr : &taxonomy;
    context.scorecard = impl_->scorecard.get();
    MetricsAccumulator acc(query, context);

    // Only the kind never changes, so it is the only filter the store may apply; the others
    // look at each ticket as it stood at the end of the period, which only the replay knows.
    Query q;
    q.kinds = query.kinds;
    q.created_before = query.to;
    q.sort = SortKey::created;
    q.descending = false;
    q.limit = metrics_page;
    for (;;) {
        Page page = impl_->visible_query(actor, q, nullptr);
        for (const auto& t : page.tickets)
            acc.add(*t, impl_->store->history(t->id));
        if (page.next_cursor.empty()) break;
        q.cursor = std::move(page.next_cursor);
    }
    return acc.finish();
}

void Engine::set_scorecard(const Actor& actor, Scorecard scorecard) {
    check_actor(actor.user);
    scorecard.validate();
    auto next = std::make_shared<const Scorecard>(std::move(scorecard));
    std::unique_lock lock(impl_->mutex);
    impl_->authorize(actor, nullptr, "manage.sla");
    impl_->scorecard = std::move(next);
}

Scorecard Engine::scorecard() const {
    std::shared_lock lock(impl_->mutex);
    return impl_->scorecard ? *impl_->scorecard : Scorecard{};
}

ITSM_END_NAMESPACE
