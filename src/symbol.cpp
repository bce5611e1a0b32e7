// The process-wide intern table behind itsm::Symbol. Append-only: interned texts live until
// the process ends, so a Symbol is a plain pointer that never dangles.
#include "itsm/symbol.hpp"

#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_set>

ITSM_BEGIN_NAMESPACE

namespace {

struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

struct InternTable {
    std::shared_mutex mutex;
    // Elements of an unordered_set keep their address across rehashing.
    std::unordered_set<std::string, TextHash, std::equal_to<>> texts;
};

InternTable& table() {
    static InternTable* t = new InternTable;  // never destroyed: symbols outlive statics
    return *t;
}

const std::string* lookup(InternTable& t, std::string_view text) {
    auto it = t.texts.find(text);
    return it == t.texts.end() ? nullptr : &*it;
}

}  // namespace

Symbol::Symbol(std::string_view text) {
    if (text.empty()) return;
    auto& t = table();
    {
        std::shared_lock lock(t.mutex);
        if ((text_ = lookup(t, text))) return;
    }
    std::unique_lock lock(t.mutex);
    text_ = &*t.texts.emplace(text).first;
}

Symbol Symbol::find(std::string_view text) {
    Symbol s;
    if (text.empty()) return s;
    auto& t = table();
    std::shared_lock lock(t.mutex);
    s.text_ = lookup(t, text);
    return s;
}

ITSM_END_NAMESPACE
