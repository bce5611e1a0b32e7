// Engine::batch: several operations committed as one unit of the store.
#include "engine_impl.hpp"

ITSM_BEGIN_NAMESPACE

void Engine::batch(const std::function<void(Engine&)>& fn) {
    auto& m = *impl_;
    if (m.mutex.held_here()) throw Error(Errc::invalid_argument, "batch", "batches do not nest");
    m.mutex.hold_for_batch();
    struct Release {
        EngineMutex& mutex;
        ~Release() { mutex.release_batch(); }
    };
    {
        Release release{m.mutex};
        RoundRobinTurns turns = m.round_robin_turns();
        m.store->begin_batch();
        m.batch_events.emplace();
        try {
            fn(*this);
            m.store->end_batch(true);
        } catch (...) {
            m.batch_events.reset();
            try {
                m.store->end_batch(false);
            } catch (...) {
                // end_batch(true) failed and already took the batch back.
            }
            if (m.relations) m.rebuild_relations();
            m.restore_round_robin_turns(std::move(turns));
            throw;
        }
        auto events = std::move(*m.batch_events);
        m.batch_events.reset();
        if (m.observer_count.load(std::memory_order_acquire) > 0) {
            std::lock_guard q(m.queue_mutex);
            m.pending.insert(m.pending.end(), events.begin(), events.end());
        }
    }
    m.deliver();
}

ITSM_END_NAMESPACE
