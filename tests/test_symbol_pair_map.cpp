// The in-memory store's map from symbol pairs to sequences (src/store/symbol_pair_map.hpp)
// on its own: random inserts, lookups and erases agree with std::map through growth and
// through the backward shifts of deletion, and values never move while the table grows.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "../src/store/symbol_pair_map.hpp"

using namespace itsm;
using itsm::detail::SymbolPairMap;

TEST_CASE("symbol pair map: random inserts and erases agree with std::map") {
    std::mt19937_64 rng(20261207);
    std::vector<Symbol> symbols = {Symbol{}};
    for (int i = 0; i < 60; ++i)
        symbols.emplace_back("pair_map_" + std::to_string(i));
    auto pick = [&] { return symbols[rng() % symbols.size()]; };

    SymbolPairMap<int> map;
    std::map<std::pair<Symbol, Symbol>, int> model;
    std::map<std::pair<Symbol, Symbol>, const int*> addresses;
    for (int step = 0; step < 40000; ++step) {
        std::pair<Symbol, Symbol> key{pick(), pick()};
        switch (rng() % 3) {
            case 0: {
                int& v = map[key];
                auto [it, fresh] = model.try_emplace(key, 0);
                CHECK(v == it->second);
                v = it->second = step;
                if (fresh) addresses[key] = &v;
                CHECK(addresses[key] == &v);  // the value stays where it was made
                break;
            }
            case 1:
                map.erase(key);
                model.erase(key);
                addresses.erase(key);
                break;
            default: {
                const int* v = map.find(key);
                auto it = model.find(key);
                REQUIRE((v != nullptr) == (it != model.end()));
                if (v) CHECK(*v == it->second);
            }
        }
        REQUIRE(map.size() == model.size());
    }
    // Every entry is visited once, with its value.
    std::size_t seen = 0;
    map.each([&](const std::pair<Symbol, Symbol>& key, int v) {
        ++seen;
        CHECK(model.at(key) == v);
    });
    CHECK(seen == model.size());
    // Erasing everything leaves nothing to find.
    for (const auto& [key, v] : model)
        map.erase(key);
    CHECK(map.size() == 0);
    for (const auto& [key, v] : model)
        CHECK(map.find(key) == nullptr);
}

TEST_CASE("symbol pair map: an empty map finds nothing and erases nothing") {
    SymbolPairMap<std::string> map;
    CHECK(map.find({Symbol("a"), Symbol("b")}) == nullptr);
    map.erase({Symbol("a"), Symbol("b")});
    CHECK(map.size() == 0);
    map[{Symbol("a"), Symbol{}}] = "across";
    CHECK(map.find({Symbol("a"), Symbol{}}) != nullptr);
    CHECK(map.find({Symbol{}, Symbol("a")}) == nullptr);  // order matters
}
