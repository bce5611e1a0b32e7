// itsm-sim: runs a simulated service desk on libitsm and reports on it.
//   itsm-sim [scenario.json] [--seed N] [--weeks N] [--out DIR]
// Without a scenario it runs the built-in default (docs/simulation.md).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "itsm/error.hpp"
#include "itsm/sim/simulator.hpp"

namespace {

const char* const usage =
    "usage: itsm-sim [scenario.json] [--seed N] [--weeks N] [--out DIR]\n"
    "  scenario.json  the scenario (default: the built-in mid-size organisation)\n"
    "  --seed N       replaces the scenario's seed\n"
    "  --weeks N      replaces the scenario's horizon in weeks\n"
    "  --out DIR      where report.json and report.html go (default: the current directory)\n";

struct Args {
    std::string scenario;
    std::optional<std::uint64_t> seed;
    std::optional<int> weeks;
    std::string out = ".";
};

[[noreturn]] void bad_usage(const std::string& why) {
    std::cerr << "itsm-sim: " << why << "\n" << usage;
    std::exit(2);
}

std::uint64_t number(const std::string& option, const char* text) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text, &end, 10);
    if (errno || !*text || *end || *text == '-')
        bad_usage(option + " expects a non-negative integer, not \"" + text + "\"");
    return v;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        bool has_value = i + 1 < argc;
        if (arg == "-h" || arg == "--help") {
            std::cout << usage;
            std::exit(0);
        } else if (arg == "--seed" || arg == "--weeks" || arg == "--out") {
            if (!has_value) bad_usage(arg + " needs a value");
            const char* v = argv[++i];
            if (arg == "--seed") a.seed = number(arg, v);
            if (arg == "--weeks") {
                auto w = number(arg, v);
                if (w < 1 || w > 520) bad_usage("--weeks must be between 1 and 520");
                a.weeks = static_cast<int>(w);
            }
            if (arg == "--out") a.out = v;
        } else if (!arg.empty() && arg[0] == '-') {
            bad_usage("unknown option " + arg);
        } else if (a.scenario.empty()) {
            a.scenario = arg;
        } else {
            bad_usage("one scenario at most");
        }
    }
    return a;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + path.string());
}

// A progress bar on stderr, shown only on a terminal and once a run has taken a second.
class Progress {
  public:
    Progress() : tty_(isatty(STDERR_FILENO) == 1), begin_(std::chrono::steady_clock::now()) {}
    void operator()(double share) {
        if (!tty_ || std::chrono::steady_clock::now() - begin_ < std::chrono::seconds(1)) return;
        int filled = static_cast<int>(share * 40);
        std::fprintf(stderr, "\r[%-40s] %3d%%", std::string(filled, '#').c_str(),
                     static_cast<int>(share * 100));
        shown_ = true;
    }
    void done() {
        if (shown_) std::fprintf(stderr, "\r%-48s\r", "");
    }

  private:
    bool tty_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point begin_;
};

}  // namespace

int main(int argc, char** argv) {
    Args args = parse(argc, argv);
    std::string source = args.scenario.empty() ? "default scenario" : args.scenario;
    try {
        std::string text = itsm::sim::Scenario::default_json();
        if (!args.scenario.empty()) {
            std::ifstream f(args.scenario, std::ios::binary);
            if (!f) {
                std::cerr << "itsm-sim: cannot read " << args.scenario << "\n";
                return 2;
            }
            std::stringstream ss;
            ss << f.rdbuf();
            text = ss.str();
        }
        itsm::sim::Scenario scenario = itsm::sim::Scenario::from_json(text);
        if (args.weeks) scenario.weeks = *args.weeks;
        Progress progress;
        itsm::sim::RunOptions options;
        options.seed = args.seed;
        options.progress = [&](double share) { progress(share); };
        itsm::sim::Report report = itsm::sim::simulate(std::move(scenario), options);
        progress.done();
        std::filesystem::create_directories(args.out);
        auto json_path = std::filesystem::path(args.out) / "report.json";
        auto html_path = std::filesystem::path(args.out) / "report.html";
        write_file(json_path, itsm::sim::to_json(report));
        write_file(html_path, itsm::sim::to_html(report));
        std::cout << itsm::sim::to_text(report) << "\nWrote " << json_path.string() << " and "
                  << html_path.string() << "\n";
    } catch (const itsm::Error& e) {
        std::cerr << "itsm-sim: " << source << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "itsm-sim: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
