// Internal: a reader over nlohmann::json that reports every error with the JSON path of
// the offending member, e.g. `kinds[2].prefix: expected a string`.
#pragma once

#include <fmt/format.h>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "itsm/error.hpp"

ITSM_BEGIN_NAMESPACE
namespace detail {

using json = nlohmann::json;

class JsonReader {
  public:
    // `code` is the Errc every error carries (invalid_config for configuration,
    // invalid_argument for request bodies).
    explicit JsonReader(Errc code) : code_(code) {}

    json parse(std::string_view text, std::string_view what) const {
        try {
            return json::parse(text.begin(), text.end());
        } catch (const json::parse_error& e) {
            throw Error(code_, std::string(what),
                        fmt::format("not valid JSON (byte {}): {}", e.byte, short_message(e)));
        }
    }

    [[noreturn]] void fail(const std::string& path, std::string_view message) const {
        throw Error(code_, path, message);
    }

    static std::string child(const std::string& path, std::string_view key) {
        return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
    }
    static std::string index(const std::string& path, std::size_t i) {
        return fmt::format("{}[{}]", path, i);
    }

    const json& object(const json& j, const std::string& path) const {
        if (!j.is_object()) fail(path.empty() ? "(document)" : path, "expected an object");
        return j;
    }
    const json& array(const json& j, const std::string& path) const {
        if (!j.is_array()) fail(path, "expected an array");
        return j;
    }
    // Refuses members outside `allowed`: a misspelt option must not be ignored silently.
    void only(const json& obj, const std::string& path,
              std::initializer_list<std::string_view> allowed) const {
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            bool ok = false;
            for (auto a : allowed)
                ok = ok || it.key() == a;
            if (!ok) fail(child(path, it.key()), "unknown member");
        }
    }
    std::string string(const json& j, const std::string& path) const {
        if (!j.is_string()) fail(path, "expected a string");
        return j.get<std::string>();
    }
    long long integer(const json& j, const std::string& path) const {
        if (!j.is_number_integer()) fail(path, "expected an integer");
        return j.get<long long>();
    }
    bool boolean(const json& j, const std::string& path) const {
        if (!j.is_boolean()) fail(path, "expected true or false");
        return j.get<bool>();
    }

  private:
    static std::string short_message(const json::parse_error& e) {
        std::string m = e.what();
        auto p = m.find("; ");
        return p == std::string::npos ? m : m.substr(p + 2);
    }
    Errc code_;
};

}  // namespace detail
ITSM_END_NAMESPACE
