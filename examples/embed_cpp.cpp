// Embedding libitsm from C++: a morning at a small service desk, on a manual clock so that
// every run prints the same thing. Then its SLA clocks (paused while waiting for the caller,
// stopped at the resolution, warning and breaching as the clock moves on), the week's metrics
// with the scorecard, and a restart over a SQLite file that keeps the tickets.
#include <itsm/access.hpp>
#include <itsm/calendar.hpp>
#include <itsm/engine.hpp>
#include <itsm/error.hpp>
#include <itsm/json.hpp>
#include <itsm/memory_store.hpp>
#include <itsm/metrics.hpp>
#include <itsm/sla.hpp>
#include <itsm/sqlite_store.hpp>
#include <itsm/workflow.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

using namespace std::chrono_literals;

namespace {

std::string when(const itsm::Instant& t) {
    return itsm::format_instant(t);
}

void show(const char* what, const itsm::Ticket& t) {
    std::printf("  %-28s %s  P%d  %-10s %-12s \"%s\"\n", what, t.key.c_str(), t.priority,
                std::string(t.segment.view()).c_str(),
                t.assignee ? std::string(t.assignee.view()).c_str() : "(unassigned)",
                t.title.c_str());
}

// The office works Monday to Friday, 09:00-17:00 UTC: SLA targets count these hours only.
constexpr const char* office_calendar = R"({"calendars": {"office": {"time_zone": "UTC",
    "weekly": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]],
               "wed": [["09:00", "17:00"]], "thu": [["09:00", "17:00"]],
               "fri": [["09:00", "17:00"]]}}}})";

// One SLA for incidents: a response (first assignment or public reply) and a resolution
// target per priority, in business time; waiting for the caller does not count.
constexpr const char* incident_sla = R"({"sla_policies": {"incidents": {
    "name": "Incident SLA", "calendar": "office", "applies_when": {"kinds": ["incident"]},
    "pause_on": ["on_hold:awaiting_caller"],
    "metrics": {
      "response": {"targets": {"1": "PT15M", "2": "PT30M", "3": "PT1H", "4": "PT2H", "5": "PT4H"}},
      "resolution": {"targets": {"1": "PT4H", "2": "PT8H", "3": "PT12H", "4": "PT16H",
                                 "5": "PT40H"}}}}}})";

// A duration as hours and minutes, the way a desk reads it.
std::string hours(itsm::Duration d) {
    long long minutes = std::chrono::duration_cast<std::chrono::minutes>(d).count();
    long long a = minutes < 0 ? -minutes : minutes;
    char text[32];
    std::snprintf(text, sizeof text, "%s%lldh%02lld", minutes < 0 ? "-" : "", a / 60, a % 60);
    return text;
}

// The ticket's SLA clocks as an agent's screen shows them.
void show_sla(const itsm::Engine& desk, const itsm::Actor& actor, const itsm::Ticket& t) {
    for (const itsm::SlaStatus& s : desk.sla(actor, t.id))
        std::printf("  %s %-10s %-8s due %s elapsed %s remaining %s (%.0f%%, paused %s)\n",
                    t.key.c_str(), std::string(s.clock.metric.view()).c_str(),
                    std::string(itsm::to_string(s.view.state)).c_str(), when(s.view.due).c_str(),
                    hours(s.view.elapsed).c_str(), hours(s.view.remaining).c_str(),
                    s.view.percentage, hours(s.view.paused).c_str());
}

// The key lines of a metrics report: volumes, MTTR, SLA compliance and the scorecard.
void show_metrics(const itsm::MetricsReport& r) {
    std::printf("Metrics %s to %s: %zu created, %zu resolved\n", when(r.from).c_str(),
                when(r.to).c_str(), r.created, r.resolved);
    if (r.mttr.mean_wall && r.mttr.mean_business)
        std::printf("  MTTR %s wall, %s business (%zu tickets)\n", hours(*r.mttr.mean_wall).c_str(),
                    hours(*r.mttr.mean_business).c_str(), r.mttr.count);
    if (auto rate = r.sla.rate())
        std::printf("  SLA compliance %.0f%%: %zu met, %zu breached\n", *rate * 100, r.sla.met,
                    r.sla.breached);
    for (const itsm::ScoreLine& line : r.scorecard) {
        char value[48] = "no data";
        if (line.value)
            std::snprintf(value, sizeof value, "%.2f %s", *line.value, line.unit.c_str());
        const char* verdict = !line.met ? "-" : *line.met ? "met" : "MISSED";
        std::printf("  scorecard %-26s %-26s %s\n", line.metric.c_str(), value, verdict);
    }
}

// The SLA side of the desk: an agent puts the incident on hold awaiting the caller (its
// clocks pause), resumes and resolves it (they stop); an unattended ticket warns on Tuesday
// and is breached by Sunday; sam reads the week's metrics.
void sla_and_metrics(itsm::Engine& desk, itsm::ManualClock& clock, itsm::TicketId id) {
    itsm::Actor dave{"dave"}, sam{"sam"};
    itsm::TransitionInput hold;
    hold.fields = {{"hold_reason", std::string("awaiting_caller")}};
    hold.comment = "Does webmail work for you?";
    desk.transition(dave, id, "hold", hold);
    clock.advance(2h);
    desk.transition(dave, id, "resume");
    clock.advance(30min);
    itsm::TransitionInput resolve;
    resolve.fields = {{"resolution_code", std::string("solved_permanently")},
                      {"resolution_notes", std::string("Certificate renewed on mx1")}};
    itsm::Ticket inc = desk.transition(dave, id, "resolve", resolve);
    std::printf("SLA clocks after two hours on hold and the resolution:\n");
    show_sla(desk, dave, inc);

    itsm::NewTicket jam;
    jam.kind = "incident";
    jam.title = "Printer on floor 3 jams";
    jam.impact = 2;
    jam.urgency = 2;
    itsm::Ticket printer = desk.create(itsm::Actor{"carol"}, jam);
    // The host calls advance() from its scheduler: it emits the warnings and breaches due by
    // then, each once and in order.
    const itsm::Instant monday = itsm::parse_instant("2026-03-02T00:00:00Z");
    for (auto at : {monday + 24h + 14h, monday + 6 * 24h}) {
        clock.set(at);
        std::size_t ran = desk.advance(at);
        std::printf("At %s, %zu alarms ran:\n", when(at).c_str(), ran);
        show_sla(desk, dave, printer);
    }

    itsm::MetricsQuery week;
    week.from = monday;
    week.to = monday + 7 * 24h;
    week.kinds = {"incident"};
    week.calendar = desk.calendars().at("office");  // MTTR in business time too
    // Compliance counts the clocks that stopped in the week (met or breached); the printer's
    // breached clocks still run, and the sla_breached query finds such tickets.
    show_metrics(desk.metrics(sam, week));
}

// Tickets in a SQLite file outlive the engine: a second engine over the same file (after a
// restart, say) finds them. Configuration is the host's to set again at every start.
void restart_over_sqlite(const itsm::Schema& schema,
                         const std::shared_ptr<itsm::ManualClock>& clock) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("libitsm-example-" + std::to_string(std::random_device{}()) + ".db");
    std::filesystem::remove(path);
    const char* access = R"({"segments": [{"id": "it"}],
        "roles": [{"preset": "service_desk_agent"}],
        "grants": [{"user": "dave", "role": "service_desk_agent", "segment": "it"}]})";
    itsm::Directory people;
    people.add_user({"dave", "Dave", true});
    // What every start does before the desk opens: the directory, then who may do what.
    auto configure = [&](itsm::Engine& desk) {
        desk.set_directory(itsm::Actor::system(), people);
        desk.set_access(itsm::Actor::system(), itsm::AccessPolicy::from_json(access));
    };
    std::string key;
    {
        itsm::Engine desk(std::make_shared<itsm::SqliteStore>(path.string()), clock, schema);
        configure(desk);
        itsm::NewTicket n;
        n.kind = "incident";
        n.title = "Badge reader at the north door is dead";
        key = desk.create(itsm::Actor{"dave"}, n).key;
    }  // the engine closes the file
    {
        itsm::Engine desk(std::make_shared<itsm::SqliteStore>("sqlite://" + path.string()), clock,
                          schema);
        configure(desk);
        itsm::Ticket again = desk.get_by_key(itsm::Actor{"dave"}, key);
        std::printf("After a restart over the same SQLite file:\n");
        show("still there:", again);
    }
    std::filesystem::remove(path);
}

}  // namespace

int main() {
    // Configuration is data: a custom field for the affected site, on the ITIL defaults.
    itsm::Schema schema = itsm::Schema::from_json(R"({
        "custom_fields": [{"name": "site", "type": "choice",
                           "choices": ["head office", "north", "south", "east"]}],
        "default_segment": "it"
    })");
    auto clock = std::make_shared<itsm::ManualClock>(itsm::parse_instant("2026-03-02T08:00:00Z"));
    itsm::Engine desk(std::make_shared<itsm::InMemoryStore>(), clock, schema);

    // Access control denies every user until the host, acting as the system, sets who may
    // do what: dave and frank work the IT desk, carol may raise tickets there (and reads her
    // own as their requester); HR is sealed, so nobody here sees its cases. sam, the service
    // level manager, sets the business calendar and the SLA policy and reads the metrics.
    itsm::Directory people;
    for (const char* u : {"carol", "dave", "erin", "frank", "sam"})
        people.add_user({u, u, true});
    people.add_group({"service_desk", "Service desk", "dave", {"dave", "frank"}});
    desk.set_directory(itsm::Actor::system(), people);
    desk.set_access(itsm::Actor::system(), itsm::AccessPolicy::from_json(R"({
        "segments": [{"id": "it"}, {"id": "hr", "sealed": true}],
        "roles": [{"preset": "requester"}, {"preset": "service_desk_agent"},
                  {"preset": "service_level_manager"}],
        "grants": [
            {"group": "service_desk", "role": "service_desk_agent", "segment": "it"},
            {"user": "carol", "role": "requester", "segment": "it"},
            {"user": "sam", "role": "service_level_manager", "segment": "*"}
        ]
    })"));
    // The ITIL workflows give incidents their states (on hold, resolved, ...). sam's role
    // holds manage.calendars and manage.sla; clocks start on tickets created from now on.
    desk.set_workflows(itsm::Actor::system(), itsm::Workflows::itil());
    desk.set_calendars(itsm::Actor{"sam"}, itsm::CalendarSet::from_json(office_calendar));
    auto calendars = desk.calendars();
    desk.set_sla_policies(itsm::Actor{"sam"},
                          itsm::SlaPolicies::from_json(incident_sla, &calendars));

    int heard = 0;
    desk.subscribe([&](const itsm::Event&) { ++heard; });

    itsm::Actor carol{"carol"};  // a requester
    itsm::Actor dave{"dave"};    // a service desk agent
    std::printf("Service desk opens at %s\n", when(clock->now()).c_str());

    itsm::NewTicket mail;
    mail.kind = "incident";
    mail.title = "Outlook cannot reach the mail server";
    mail.channel = itsm::Channel::email;
    mail.impact = 2;
    mail.urgency = 1;
    mail.custom = {{"site", std::string("north")}};
    itsm::Ticket inc1 = desk.create(carol, mail);
    show("created by email:", inc1);

    clock->advance(4min);
    itsm::NewTicket phone = mail;
    phone.title = "Mail stuck in outbox";
    phone.channel = itsm::Channel::phone;
    phone.requester = "erin";
    itsm::Ticket inc2 = desk.create(dave, phone);
    show("logged from a phone call:", inc2);

    clock->advance(6min);
    itsm::TicketPatch assign;
    assign.assignee = itsm::Symbol("dave");
    assign.assignment_group = itsm::Symbol("messaging");
    assign.expected_version = inc1.version;
    inc1 = desk.update(dave, inc1.id, assign);
    show("assigned:", inc1);

    desk.comment(dave, inc1.id, "We are looking into it.");
    desk.comment(dave, inc1.id, "Certificate on mx1 expired at 07:55.",
                 itsm::CommentVisibility::work_note);

    itsm::NewTicket prb;
    prb.kind = "problem";
    prb.title = "Certificates expire without warning";
    prb.impact = 2;
    prb.urgency = 2;
    itsm::Ticket problem = desk.create(dave, prb);
    itsm::NewTicket chg;
    chg.kind = "change";
    chg.title = "Automate certificate renewal on mail servers";
    itsm::Ticket change = desk.create(dave, chg);
    desk.link(dave, inc1.id, itsm::LinkType::caused_by, problem.id);
    desk.link(dave, inc2.id, itsm::LinkType::duplicate_of, inc1.id);
    desk.link(dave, problem.id, itsm::LinkType::resolved_by_change, change.id);
    std::printf("  linked %s and %s to %s, resolved by %s\n", inc1.key.c_str(), inc2.key.c_str(),
                problem.key.c_str(), change.key.c_str());

    // Another agent edits with the version read before the assignment: refused, not lost.
    itsm::TicketPatch stale;
    stale.title = "Mail down";
    stale.expected_version = 1;
    try {
        desk.update(itsm::Actor{"frank"}, inc1.id, stale);
    } catch (const itsm::Error& e) {
        std::printf("  refused (%s): %s\n", std::string(itsm::to_string(e.code())).c_str(),
                    e.what());
    }

    itsm::Query queue;
    queue.segments = {"it"};
    queue.sort = itsm::SortKey::priority;
    queue.descending = false;
    std::printf("Queue of segment it, by priority (%zu tickets):\n", desk.count(dave, queue));
    for (const auto& t : desk.query(dave, queue).tickets)
        show("", *t);

    std::printf("History of %s:\n", inc1.key.c_str());
    for (const auto& e : desk.history(dave, inc1.id)) {
        std::string detail = e.field ? std::string(e.field.view()) + ": \"" +
                                           itsm::value_to_text(e.old_value) + "\" -> \"" +
                                           itsm::value_to_text(e.new_value) + "\""
                                     : e.text;
        if (e.link)
            detail =
                std::string(itsm::to_string(e.link->type)) + " #" + std::to_string(e.link->other);
        std::printf("  #%-3llu %s %-6s %-13s %s\n", static_cast<unsigned long long>(e.seq),
                    when(e.at).c_str(), std::string(e.actor.view()).c_str(),
                    std::string(itsm::to_string(e.type)).c_str(), detail.c_str());
    }
    std::printf("Observers heard %d events; the ticket as JSON:\n%s\n", heard,
                itsm::to_json(desk.get(dave, inc1.id)).c_str());
    // Every decision can be explained: carol reads her ticket, but not its work notes.
    std::printf("%s\n%s\n", desk.explain(carol, inc1.id, "ticket.read").reason.c_str(),
                desk.explain(carol, inc1.id, "work_notes.read").reason.c_str());

    sla_and_metrics(desk, *clock, inc1.id);
    restart_over_sqlite(schema, clock);
    return 0;
}
