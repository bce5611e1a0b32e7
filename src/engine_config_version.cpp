// Engine::set_config_version: the name of the configuration in force, stored with every
// commit (docs/storage.md).
#include "engine_impl.hpp"

ITSM_BEGIN_NAMESPACE

namespace {

constexpr std::size_t max_config_version = 200;

void check_config_version(std::string_view v) {
    if (v.size() > max_config_version)
        throw Error(
            Errc::invalid_argument, "config_version",
            fmt::format("{} bytes, more than the {} allowed", v.size(), max_config_version));
    for (unsigned char c : v)
        if (c < 0x20 || c == 0x7f)
            throw Error(Errc::invalid_argument, "config_version",
                        "must not contain control characters");
}

}  // namespace

void Engine::set_config_version(std::string_view version) {
    check_config_version(version);
    std::unique_lock lock(impl_->mutex);
    impl_->config_version = Symbol(version);
}

std::string Engine::config_version() const {
    std::shared_lock lock(impl_->mutex);
    return std::string(impl_->config_version.view());
}

ITSM_END_NAMESPACE
