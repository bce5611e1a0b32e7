// load_config / load_config_file: sections checked whole, then applied all or nothing.
#include "itsm/config.hpp"

#include <cstdio>
#include <fstream>
#include <string>

#include "helpers.hpp"
#include "itsm/workflow.hpp"

using namespace itsm;
using itsm_test::Desk;
using itsm_test::error_of;
using itsm_test::refused_unchanged;

namespace {

const char* calendars_section =
    R"("calendars":{"calendars":{"office":{"time_zone":"UTC","weekly":{"mon":[["09:00","17:00"]]}}}})";
const char* policies_section =
    R"("sla_policies":{"sla_policies":{"gold":{"calendar":"office","applies_when":{"kinds":["incident"]},)"
    R"("metrics":{"resolution":{"targets":{"2":"PT8H"}}}}}})";

// Everything a configuration document can change, as text.
std::string config_of(const Engine& e) {
    auto wf = e.workflows();
    return e.calendars().to_json() + e.sla_policies().to_json() + e.taxonomy().to_json() +
           std::to_string(e.directory().users().size()) + std::to_string(wf ? wf->all().size() : 0);
}

}  // namespace

TEST_CASE("load_config applies every section, each checked against the ones before it") {
    Desk d;
    std::string doc = std::string("{") + policies_section + "," + calendars_section +
                      R"(,"taxonomy":{"categories":[{"id":"network","name":"Network"}]},)" +
                      R"("workflows":)" + Workflows::itil_json() + "}";
    load_config(d.engine, d.alice, doc);
    CHECK(d.engine.sla_policies().to_json().find("\"gold\"") != std::string::npos);
    CHECK(d.engine.taxonomy().find("network") != nullptr);
    REQUIRE(d.engine.workflows());
    CHECK_FALSE(d.engine.workflows()->all().empty());
    load_config(d.engine, d.alice, "{}");  // no section: nothing to do
}

TEST_CASE("load_config refuses the whole document and leaves everything as it was") {
    Desk d;
    auto t = d.incident();
    auto before = config_of(d.engine);
    auto refused = [&](const std::string& doc, Errc code) {
        auto message = refused_unchanged(
            d, t.id, [&] { load_config(d.engine, d.alice, doc, "desk.json"); }, code);
        CHECK(config_of(d.engine) == before);
        return message;
    };
    CHECK(refused("{\"calendars\":", Errc::invalid_config).rfind("desk.json: not valid JSON", 0) ==
          0);
    CHECK(refused(R"({"routes":{}})", Errc::invalid_config) ==
          "desk.json: routes: unknown section (directory, access, taxonomy, routing, calendars, "
          "sla_policies, scorecard, workflows)");
    // the last section is refused when read: the earlier ones are not applied either
    CHECK(refused(std::string("{") + calendars_section +
                      R"(,"workflows":{"workflows":{"w":{"kind":"nothing"}}}})",
                  Errc::invalid_config)
              .rfind("desk.json: workflows.workflows.w", 0) == 0);
    // refused while applied (the calendars are still used by the policies in force): the
    // directory set before them is put back
    load_config(d.engine, d.alice,
                std::string("{") + calendars_section + "," + policies_section + "}");
    before = config_of(d.engine);
    auto message = refused(R"({"directory":{"users":[{"id":"carol"}]},)"
                           R"("calendars":{"calendars":{}}})",
                           Errc::invalid_config);
    CHECK(message ==
          "desk.json: calendars.calendars.office: used by SLA policy \"gold\" "
          "(nothing was applied)");
    CHECK(d.engine.directory().users().size() == 2);
}

TEST_CASE("load_config replaces a taxonomy and the routing rules that name it together") {
    Desk d;
    load_config(d.engine, d.alice,
                R"({"taxonomy":{"categories":[{"id":"hardware","name":"Hardware"}]},)"
                R"("routing":{"rules":[{"id":"hw","when":{"categories":["hardware"]},)"
                R"("then":{"impact":1}}]}})");
    // the old rule names "hardware", which the new taxonomy drops: emptied first
    load_config(d.engine, d.alice,
                R"({"taxonomy":{"categories":[{"id":"network","name":"Network"}]},)"
                R"("routing":{"rules":[{"id":"net","when":{"categories":["network"]},)"
                R"("then":{"impact":2}}]}})");
    CHECK(d.engine.taxonomy().find("hardware") == nullptr);
    REQUIRE(d.engine.routing().rules().size() == 1);
    CHECK(d.engine.routing().rules()[0].id == Symbol("net"));
    // a routing rule naming a category the document's taxonomy lacks is refused when read
    auto message = error_of(
        [&] {
            load_config(d.engine, d.alice,
                        R"({"taxonomy":{"categories":[]},"routing":{"rules":[{"id":"x",)"
                        R"("when":{"categories":["network"]},"then":{"impact":1}}]}})");
        },
        Errc::invalid_config);
    CHECK(message.rfind("config: routing.rules[0]", 0) == 0);
    CHECK(d.engine.taxonomy().find("network") != nullptr);
}

TEST_CASE("a refusal while applying puts back calendars, policies and access") {
    Desk d;
    load_config(d.engine, d.alice, std::string("{") + calendars_section + "}");
    auto before = config_of(d.engine);
    // the new access policy leaves alice without manage.sla, so the policies are refused
    auto doc = std::string("{") + calendars_section + "," + policies_section +
               R"(,"access":{"segments":[{"id":"global"}],"roles":[{"preset":"administrator"}],)"
               R"("grants":[{"user":"bob","role":"administrator","segment":"*"}]}})";
    auto message = error_of([&] { load_config(d.engine, d.alice, doc); }, Errc::permission_denied);
    CHECK(message.rfind("config: sla_policies: ", 0) == 0);
    CHECK(message.find("(nothing was applied)") != std::string::npos);
    CHECK(config_of(d.engine) == before);
    CHECK(d.engine.sla_policies().all().empty());
    d.incident();  // alice's grant is back
}

TEST_CASE("load_config_file names the file, and refuses one it cannot read") {
    Desk d;
    std::string path = "itsm-test-config.json";
    {
        std::ofstream out(path);
        out << "{" << calendars_section << ",\n\"scorecard\":{\"nonsense\":1}}";
    }
    auto message =
        error_of([&] { load_config_file(d.engine, d.alice, path); }, Errc::invalid_config);
    CHECK(message.rfind(path + ": scorecard.nonsense", 0) == 0);
    CHECK(d.engine.calendars().to_json().find("office") == std::string::npos);
    {
        std::ofstream out(path);
        out << "{" << calendars_section << "," << policies_section << "}";
    }
    load_config_file(d.engine, d.alice, path);
    CHECK(d.engine.sla_policies().to_json().find("\"gold\"") != std::string::npos);
    std::remove(path.c_str());
    message = error_of([&] { load_config_file(d.engine, d.alice, path); }, Errc::not_found);
    CHECK(message.rfind(path + ": cannot be read", 0) == 0);
}
