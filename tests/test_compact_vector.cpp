// CompactVector (include/itsm/compact_vector.hpp): one pointer wide, and it behaves as
// std::vector for the operations tickets use, with elements that own memory.
#include <doctest/doctest.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "itsm/compact_vector.hpp"
#include "itsm/ticket.hpp"

using namespace itsm;

namespace {

std::vector<std::string> as_vector(const CompactVector<std::string>& v) {
    return v.to_vector();
}

std::size_t total_size(std::span<const std::string> items) {
    std::size_t n = 0;
    for (const auto& s : items)
        n += s.size();
    return n;
}

}  // namespace

TEST_CASE("compact vector: one pointer wide, empty without a heap block") {
    static_assert(sizeof(CompactVector<SlaClock>) == sizeof(void*));
    CompactVector<std::string> v;
    CHECK(v.empty());
    CHECK(v.size() == 0);
    CHECK(v.capacity() == 0);
    CHECK(v.data() == nullptr);
    CHECK(v.begin() == v.end());
    CompactVector<std::string> copy = v;
    CHECK(copy.empty());
}

TEST_CASE("compact vector: the operations of std::vector, side by side with one") {
    CompactVector<std::string> v;
    std::vector<std::string> model;
    auto same = [&] {
        REQUIRE(v.size() == model.size());
        CHECK(as_vector(v) == model);
        CHECK(v == model);
    };
    for (int i = 0; i < 100; ++i) {
        // Long strings, so every element owns a heap block (a leak or a double free shows).
        std::string s = "element number " + std::to_string(i) + " with some text after it";
        v.push_back(s);
        model.push_back(s);
    }
    same();
    v.emplace_back(5, 'z');
    model.emplace_back(5, 'z');
    v.push_back(v.front());  // an argument that refers to an element
    model.push_back(model.front());
    same();
    v.insert(v.begin() + 3, "inserted");
    model.insert(model.begin() + 3, "inserted");
    std::vector<std::string> more{"a", "b", "c"};
    v.insert(v.begin() + 10, more.begin(), more.end());
    model.insert(model.begin() + 10, more.begin(), more.end());
    same();
    v.erase(v.begin());
    model.erase(model.begin());
    v.erase(v.begin() + 5, v.begin() + 20);
    model.erase(model.begin() + 5, model.begin() + 20);
    v.erase(std::remove(v.begin(), v.end(), "b"), v.end());
    model.erase(std::remove(model.begin(), model.end(), "b"), model.end());
    same();
    std::sort(v.begin(), v.end());
    std::sort(model.begin(), model.end());
    same();
    v.pop_back();
    model.pop_back();
    v.resize(120, "filler");
    model.resize(120, "filler");
    same();
    v.resize(7);
    model.resize(7);
    same();
    CHECK(total_size(v) == total_size(model));
    CHECK(v.at(6) == model.at(6));
    CHECK_THROWS_AS((void)v.at(7), std::out_of_range);
    CHECK(v.back() == model.back());
    CHECK(std::vector<std::string>(v.rbegin(), v.rend()) ==
          std::vector<std::string>(model.rbegin(), model.rend()));
    v.shrink_to_fit();
    CHECK(v.capacity() == 7);
    same();
    v.clear();
    CHECK(v.empty());
}

TEST_CASE("compact vector: copies are deep, moves take the block") {
    CompactVector<std::string> a{"one", "two", std::string(40, 't')};
    CompactVector<std::string> b = a;
    CHECK(b == a);
    b[0] = "changed";
    CHECK(a[0] == "one");
    const std::string* data = a.data();
    CompactVector<std::string> c = std::move(a);
    CHECK(c.data() == data);
    CHECK(a.empty());  // NOLINT: a moved-from CompactVector is empty
    c = b;
    CHECK(c == b);
    c = {"x"};
    CHECK(c.size() == 1);
    c = std::vector<std::string>{"p", "q"};
    CHECK(c == std::vector<std::string>{"p", "q"});
    swap(b, c);
    CHECK(b.size() == 2);
    CHECK(c.size() == 3);
    c = c;  // self-assignment keeps the elements
    CHECK(c.size() == 3);
}

TEST_CASE("compact vector: a ticket's lists keep their elements through a copy") {
    Ticket t;
    t.tags = {Symbol("vpn"), Symbol("laptop")};
    t.watchers.push_back(Symbol("ann"));
    t.custom.push_back({Symbol("cost"), std::int64_t{42}});
    t.links.push_back({LinkType::related, 7});
    Approval a;
    a.approver = Symbol("bob");
    a.comment = std::string(64, 'c');
    t.approvals.push_back(a);
    SlaClock clock;
    clock.policy = Symbol("gold");
    clock.pauses.push_back({instant_from_micros(1), std::nullopt});
    t.sla.push_back(clock);
    Ticket copy = t;
    CHECK(copy.tags == t.tags);
    CHECK(copy.has_watcher(Symbol("ann")));
    CHECK(*copy.custom_value(Symbol("cost")) == Value{std::int64_t{42}});
    CHECK(copy.links == t.links);
    CHECK(copy.approvals == t.approvals);
    CHECK(copy.sla == t.sla);
    CHECK(copy.is_pending_approver(Symbol("bob")));
    CHECK(!earliest_due(copy.sla));
}
