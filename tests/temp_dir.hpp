// A fresh directory under the system's temporary directory, removed with everything in it
// when the fixture goes: for the suites that write real SQLite files.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <random>
#include <string>

namespace itsm_test {

struct TempDir {
    std::filesystem::path path;

    TempDir() {
        std::random_device rd;
        path =
            std::filesystem::temp_directory_path() / fmt::format("itsm-test-{:x}{:x}", rd(), rd());
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const char* name = "desk.db") const { return (path / name).string(); }
};

}  // namespace itsm_test
