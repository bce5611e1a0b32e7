// Internal: a hash map from a pair of symbols to a value owned on the heap, for the in-memory
// store's (segment, value) key sequences. A query plan looks up a handful of pairs and a
// commit a few more, so a lookup should cost one probe of one cache line: open addressing
// with linear probing over a power-of-two table, the pair mixed into the slot number, no
// division and no node to chase. Values never move (callers keep pointers to them) while the
// table grows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "itsm/symbol.hpp"

ITSM_BEGIN_NAMESPACE

namespace detail {

template <typename V>
class SymbolPairMap {
  public:
    using Key = std::pair<Symbol, Symbol>;

    std::size_t size() const noexcept { return size_; }

    V* find(const Key& k) const noexcept {
        if (slots_.empty()) return nullptr;
        for (std::size_t i = home(k);; i = next(i)) {
            const Slot& s = slots_[i];
            if (!s.value) return nullptr;
            if (s.key == k) return s.value.get();
        }
    }

    // The value of `k`, a default one inserted when absent. May throw (allocation), and then
    // nothing has changed.
    V& operator[](const Key& k) {
        if (V* v = find(k)) return *v;
        auto value = std::make_unique<V>();
        if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
        std::size_t i = home(k);
        while (slots_[i].value)
            i = next(i);
        slots_[i] = Slot{k, std::move(value)};
        ++size_;
        return *slots_[i].value;
    }

    // Backward-shift deletion: the slots after the freed one move up when their home allows,
    // so a probe never needs a tombstone.
    void erase(const Key& k) noexcept {
        if (slots_.empty()) return;
        std::size_t i = home(k);
        while (slots_[i].value && !(slots_[i].key == k))
            i = next(i);
        if (!slots_[i].value) return;
        for (std::size_t j = next(i); slots_[j].value; j = next(j)) {
            std::size_t h = home(slots_[j].key);
            // j stays when its home lies cyclically in (i, j].
            bool stays = i < j ? (h > i && h <= j) : (h > i || h <= j);
            if (stays) continue;
            slots_[i] = std::move(slots_[j]);
            i = j;
        }
        slots_[i] = Slot{};
        --size_;
    }

    // f(key, value) for every entry, in no particular order.
    template <typename F>
    void each(F&& f) const {
        for (const Slot& s : slots_)
            if (s.value) f(s.key, *s.value);
    }

  private:
    struct Slot {
        Key key;
        std::unique_ptr<V> value;  // null: a free slot
    };

    std::size_t home(const Key& k) const noexcept {
        std::uint64_t h = k.first.hash() * 0x9E3779B97F4A7C15ULL + k.second.hash();
        h ^= h >> 32;
        h *= 0xD6E8FEB86659FD93ULL;
        h ^= h >> 32;
        return static_cast<std::size_t>(h) & (slots_.size() - 1);
    }
    std::size_t next(std::size_t i) const noexcept { return (i + 1) & (slots_.size() - 1); }

    void rehash(std::size_t capacity) {
        std::vector<Slot> old(capacity);  // may throw: nothing has moved yet
        old.swap(slots_);
        for (Slot& s : old) {
            if (!s.value) continue;
            std::size_t i = home(s.key);
            while (slots_[i].value)
                i = next(i);
            slots_[i] = std::move(s);
        }
    }

    std::vector<Slot> slots_;  // empty, or a power of two at most half full
    std::size_t size_ = 0;
};

}  // namespace detail

ITSM_END_NAMESPACE
