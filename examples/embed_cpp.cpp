// Embedding libitsm from C++: a morning at a small service desk, on a manual clock so that
// every run prints the same thing.
#include <itsm/access.hpp>
#include <itsm/engine.hpp>
#include <itsm/error.hpp>
#include <itsm/json.hpp>
#include <itsm/memory_store.hpp>

#include <cstdio>
#include <memory>
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
    // own as their requester); HR is sealed, so nobody here sees its cases.
    itsm::Directory people;
    for (const char* u : {"carol", "dave", "erin", "frank"})
        people.add_user({u, u, true});
    people.add_group({"service_desk", "Service desk", "dave", {"dave", "frank"}});
    desk.set_directory(itsm::Actor::system(), people);
    desk.set_access(itsm::Actor::system(), itsm::AccessPolicy::from_json(R"({
        "segments": [{"id": "it"}, {"id": "hr", "sealed": true}],
        "roles": [{"preset": "requester"}, {"preset": "service_desk_agent"}],
        "grants": [
            {"group": "service_desk", "role": "service_desk_agent", "segment": "it"},
            {"user": "carol", "role": "requester", "segment": "it"}
        ]
    })"));

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
    return 0;
}
