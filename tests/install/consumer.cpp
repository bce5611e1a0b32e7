// Built against the installed headers and itsm::itsm: creates one ticket.
#include <itsm/engine.hpp>

int main() {
    itsm::Engine engine;
    itsm::NewTicket in;
    in.kind = "incident";
    in.title = "installed";
    return engine.create({"host"}, in).key == "INC0000001" ? 0 : 1;
}
