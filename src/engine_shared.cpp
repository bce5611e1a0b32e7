// Engines sharing one store from several processes: commits made elsewhere reach this
// engine's observers (docs/storage.md, "PostgreSQL").
#include <algorithm>

#include "engine_impl.hpp"

ITSM_BEGIN_NAMESPACE

void Engine::Impl::attach_foreign() {
    store->set_foreign_sink([this](std::vector<Event> events) { on_foreign(std::move(events)); });
}

void Engine::Impl::detach_foreign() noexcept {
    try {
        store->set_foreign_sink(nullptr);
    } catch (...) {
        // Nothing can reach this engine any more either way.
    }
}

// Reads always go to the store, so the tickets are current; what the engine keeps in memory
// about them (the relationship index of access control) is brought up to date for the
// tickets those events touched before the observers hear.
void Engine::Impl::on_foreign(std::vector<Event> events) {
    std::vector<TicketId> touched;
    for (const auto& e : events)
        if (std::find(touched.begin(), touched.end(), e.ticket) == touched.end())
            touched.push_back(e.ticket);
    {
        std::unique_lock lock(mutex);
        refresh_relations(touched);
        refresh_timers(touched);
    }
    if (observer_count.load(std::memory_order_acquire) > 0) {
        std::lock_guard q(queue_mutex);
        pending.insert(pending.end(), std::make_move_iterator(events.begin()),
                       std::make_move_iterator(events.end()));
    }
    deliver();
}

ITSM_END_NAMESPACE
