// The store conformance suite on the in-memory store (durable stores run it in their own
// test files).
#include "itsm/memory_store.hpp"
#include "store_conformance.hpp"

TEST_CASE("conformance: InMemoryStore") {
    itsm_test::StoreFactory f;
    f.open = [] { return std::make_shared<itsm::InMemoryStore>(); };
    itsm_test::run_store_conformance(f);
}
