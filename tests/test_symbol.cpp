#include "itsm/symbol.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

using itsm::Symbol;

TEST_CASE("symbols intern their text") {
    Symbol a = "incident";
    Symbol b = std::string("incident");
    CHECK(a == b);
    CHECK(a == "incident");
    CHECK(a != "problem");
    CHECK(a.view() == "incident");
    CHECK(a.str() == "incident");
    CHECK(Symbol{}.empty());
    CHECK(Symbol("").empty());
    CHECK(Symbol{} == Symbol(""));
    CHECK_FALSE(a.empty());
}

TEST_CASE("find never interns") {
    CHECK(Symbol::find("never-interned-text-7f3a").empty());
    Symbol made = "now-interned-7f3a";
    CHECK(Symbol::find("now-interned-7f3a") == made);
}

TEST_CASE("interning from many threads gives one symbol per text") {
    std::vector<std::thread> threads;
    std::vector<std::vector<Symbol>> seen(4);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i)
                seen[t].push_back(Symbol("user" + std::to_string(i)));
        });
    for (auto& th : threads)
        th.join();
    for (int t = 1; t < 4; ++t)
        CHECK(seen[t] == seen[0]);
}
