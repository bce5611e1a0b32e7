/* Built against the installed itsm.h and libitsm.so only. */
#include <itsm.h>

int main(void) {
    itsm_engine* engine = NULL;
    if (itsm_version_number() != ITSM_VERSION_NUMBER) return 1;
    if (itsm_engine_open_memory(NULL, &engine) != ITSM_OK) return 1;
    itsm_engine_close(engine);
    return 0;
}
