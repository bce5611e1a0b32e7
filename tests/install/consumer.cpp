// Built against the installed headers and itsm::itsm: creates one ticket.
#include <itsm/engine.hpp>

int main() {
    itsm::Engine engine;
    itsm::NewTicket in;
    in.kind = "incident";
    in.title = "installed";
    // No access policy is set, so only the host acting as the system may create.
    return engine.create(itsm::Actor::system(), in).key == "INC0000001" ? 0 : 1;
}
