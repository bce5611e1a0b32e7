// Service requests of the ITIL preset: request -> requested items -> fulfilment tasks, with
// the approval a catalog item may require and the roll-up of closed work to the parents.
#include <doctest/doctest.h>

#include "itsm/workflow.hpp"
#include "workflow_helpers.hpp"

using namespace itsm;
using itsm_test::in;
using itsm_test::ItilDesk;
using itsm_test::text;

namespace {

// A request with one requested item per entry of `approval` (true: the catalog item needs
// an approval by the network group's manager).
struct Order {
    Ticket request;
    std::vector<TicketId> items;
};

Order order(ItilDesk& d, std::initializer_list<bool> approval) {
    Order o{d.create("service_request"), {}};
    for (bool needs : approval) {
        NewTicket in;
        in.kind = "service_request";
        in.model = "item";
        in.title = needs ? "Laptop" : "Mouse";
        in.assignment_group = "network";
        in.custom = {{"catalog_item", std::string(in.title)}, {"approval_required", needs}};
        Ticket item = d.engine.create(d.alice, in);
        d.engine.link(d.alice, item.id, LinkType::child_of, o.request.id);
        o.items.push_back(item.id);
    }
    return o;
}

TicketId only_task(ItilDesk& d, TicketId item) {
    auto tasks = d.children(item);
    REQUIRE(tasks.size() == 1);
    return tasks[0];
}

}  // namespace

TEST_CASE("service request: submit starts the items; an item that needs approval waits") {
    ItilDesk d;
    Order o = order(d, {false, true});
    CHECK(o.request.model == "request");
    CHECK(d.get(o.items[0]).model == "item");
    Ticket r = d.go(o.request.id, "submit");
    CHECK(r.state == "in_progress");
    Ticket mouse = d.get(o.items[0]);
    Ticket laptop = d.get(o.items[1]);
    CHECK(mouse.state == "in_progress");
    CHECK(laptop.state == "awaiting_approval");
    CHECK(d.children(mouse.id).size() == 1);
    CHECK(d.children(laptop.id).empty());
    REQUIRE(laptop.approvals.size() == 1);
    CHECK(laptop.approvals[0].approver == "mona");
    Ticket task = d.get(only_task(d, mouse.id));
    CHECK(task.title == "Fulfil: Mouse");
    CHECK(task.key.rfind("TASK", 0) == 0);
    CHECK(task.assignment_group == "network");
    CHECK(task.requester == mouse.requester);
    CHECK(task.state == "open");

    // the manager approves: fulfilment starts with its task
    laptop = d.engine.approve(d.mona, laptop.id);
    CHECK(laptop.state == "in_progress");
    CHECK(d.children(laptop.id).size() == 1);

    // roll-up: one item complete, the other still open
    d.go(only_task(d, mouse.id), "start");
    d.go(only_task(d, mouse.id), "complete");
    CHECK(d.get(mouse.id).state == "closed_complete");
    CHECK(d.get(o.request.id).state == "in_progress");
    d.refused(o.request.id, "close_complete", Errc::invalid_transition);
    // the last task closes complete: the item, then the request, close complete
    d.go(only_task(d, laptop.id), "complete");
    CHECK(d.get(laptop.id).state == "closed_complete");
    r = d.get(o.request.id);
    CHECK(r.state == "closed_complete");
    CHECK(r.closed);
}

TEST_CASE("service request: any incomplete task makes the item and the request incomplete") {
    ItilDesk d;
    Order o = order(d, {false, false});
    d.go(o.request.id, "submit");
    d.go(only_task(d, o.items[0]), "incomplete");
    CHECK(d.get(o.items[0]).state == "closed_incomplete");
    CHECK(d.get(o.request.id).state == "in_progress");
    d.go(only_task(d, o.items[1]), "complete");
    CHECK(d.get(o.items[1]).state == "closed_complete");
    CHECK(d.get(o.request.id).state == "closed_incomplete");
}

TEST_CASE("service request: all skipped -> skipped; skipped and complete -> complete") {
    ItilDesk d;
    Order o = order(d, {false, false});
    d.go(o.request.id, "submit");
    d.go(only_task(d, o.items[0]), "skip");
    d.go(only_task(d, o.items[1]), "skip");
    CHECK(d.get(o.items[0]).state == "closed_skipped");
    CHECK(d.get(o.request.id).state == "closed_skipped");

    Order mixed = order(d, {false, false});
    d.go(mixed.request.id, "submit");
    d.go(only_task(d, mixed.items[0]), "skip");
    d.go(only_task(d, mixed.items[1]), "complete");
    CHECK(d.get(mixed.request.id).state == "closed_complete");
}

TEST_CASE("service request: a rejected item closes incomplete, and so does the request") {
    ItilDesk d;
    Order o = order(d, {true});
    d.go(o.request.id, "submit");
    Ticket item = d.engine.reject(d.mona, o.items[0], "Not in the budget");
    CHECK(item.state == "closed_incomplete");
    CHECK(d.children(item.id).empty());
    CHECK(d.get(o.request.id).state == "closed_incomplete");
}

TEST_CASE("service request: refusals") {
    ItilDesk d;
    Ticket lonely = d.create("service_request");
    CHECK(d.refused(lonely.id, "submit", Errc::invalid_transition) ==
          "workflows.request.transitions[0].guards[0]: no ticket is linked as parent_of");
    Order o = order(d, {true});
    // an item that needs approval cannot skip it
    CHECK(d.refused(o.items[0], "start", Errc::invalid_transition) ==
          "workflows.requested_item.transitions[1].guards[0]: custom.approval_required must not "
          "be true");
    d.go(o.items[0], "submit");
    CHECK(d.refused(o.items[0], "fulfil", Errc::invalid_transition)
              .find("the approvals are not complete (pending)") != std::string::npos);
    // an item without approval cannot be submitted for one
    Order plain = order(d, {false});
    CHECK(d.refused(plain.items[0], "submit", Errc::invalid_transition)
              .find("custom.approval_required is false, not true") != std::string::npos);
    // a task is skipped or closed only while open
    d.go(plain.request.id, "submit");
    TicketId task = only_task(d, plain.items[0]);
    d.go(task, "complete");
    d.refused(task, "skip", Errc::invalid_transition);
    // items and requests can be closed by hand before their work is done
    Order manual = order(d, {false});
    CHECK(d.go(manual.items[0], "skip").state == "closed_skipped");
    CHECK(d.get(manual.request.id).state == "closed_skipped");
}

TEST_CASE("service request: closing by hand from each open state, and every task exit") {
    ItilDesk d;
    // the request: incomplete or skipped from new and from in progress
    for (Symbol exit : {"close_incomplete", "skip"})
        for (bool submitted : {false, true}) {
            CAPTURE(exit.view());
            Order o = order(d, {true});
            if (submitted) d.go(o.request.id, "submit");
            Ticket r = d.go(o.request.id, exit);
            CHECK(r.state == (exit == "skip" ? "closed_skipped" : "closed_incomplete"));
            CHECK(r.closed);
        }
    // the item: incomplete or skipped from new, awaiting approval and in progress
    const char* from[] = {"new", "awaiting_approval", "in_progress"};
    for (Symbol exit : {"close_incomplete", "skip"})
        for (const char* state : from) {
            CAPTURE(exit.view());
            CAPTURE(state);
            Order o = order(d, {true});
            if (std::string(state) != "new") d.go(o.items[0], "submit");
            if (std::string(state) == "in_progress") d.engine.approve(d.mona, o.items[0]);
            CHECK(d.get(o.items[0]).state == state);
            Ticket item = d.go(o.items[0], exit);
            CHECK(item.state == (exit == "skip" ? "closed_skipped" : "closed_incomplete"));
            CHECK(d.get(o.request.id).state ==
                  (exit == "skip" ? "closed_skipped" : "closed_incomplete"));
        }
    // a task: every exit from open and from work in progress
    for (Symbol exit : {"complete", "incomplete", "skip"})
        for (bool started : {false, true}) {
            Order o = order(d, {false});
            d.go(o.request.id, "submit");
            TicketId task = only_task(d, o.items[0]);
            if (started) CHECK(d.go(task, "start").state == "work_in_progress");
            Ticket t = d.go(task, exit);
            CHECK(t.closed);
            CHECK(d.engine.available_transitions(d.bob, task).empty());
        }
}
