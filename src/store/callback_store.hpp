// Internal: the C ABI's callback tables and the itsm::Store that calls them (docs/storage.md,
// "Custom stores through the C ABI"). Compiled into the C ABI library, not the C++ one; it
// lives outside capi/ so that the ABI check sees these types as private.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "itsm.h"
#include "itsm/event.hpp"
#include "itsm/store.hpp"

// The callback table of a host's store. The destructor runs the host's destroy callback.
struct itsm_store_callbacks {
    void* user_data = nullptr;
    itsm_store_destroy_fn destroy = nullptr;
    itsm_store_get_fn get = nullptr;
    itsm_store_get_by_key_fn get_by_key = nullptr;
    itsm_store_scan_fn scan = nullptr;
    itsm_store_history_fn history = nullptr;
    itsm_store_size_fn size = nullptr;
    itsm_store_allocate_fn allocate = nullptr;
    itsm_store_commit_fn commit = nullptr;
    itsm_store_meta_get_fn meta_get = nullptr;
    itsm_store_meta_set_fn meta_set = nullptr;
    itsm_store_begin_batch_fn begin_batch = nullptr;
    itsm_store_end_batch_fn end_batch = nullptr;

    itsm_store_callbacks() = default;
    itsm_store_callbacks(const itsm_store_callbacks&) = delete;
    itsm_store_callbacks& operator=(const itsm_store_callbacks&) = delete;
    ~itsm_store_callbacks() {
        if (destroy) destroy(user_data);
    }
};

// What one callback answers: texts, or the message of its failure.
struct itsm_store_result {
    std::vector<std::string> texts;
    std::string error;
};

// One commit as the host reads it: ticket writes with their records, and events whose
// records are written once the host numbers them.
struct itsm_store_commit {
    struct TicketWrite {
        std::uint64_t id, version, expected_version;
        std::string key, record;
    };
    std::vector<TicketWrite> tickets;
    std::vector<itsm::Event>* events = nullptr;
    std::vector<std::string> event_records;  // "" until the host numbers the event
};

namespace itsm::capi {

// The store over a complete table, which it takes. Throws Error(invalid_argument) naming
// the first callback that is not set (the table is freed then too).
std::shared_ptr<itsm::Store> callback_store(std::unique_ptr<itsm_store_callbacks> callbacks);

}  // namespace itsm::capi
